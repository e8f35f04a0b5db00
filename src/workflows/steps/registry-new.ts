/**
 * `migration new`'s registry step, run under the repository lock: reserve the version centrally before the
 * file is published, or, with --offline, remember that the file was written without a reservation.
 */
import {
  RegistryBusyError,
  type RegistryCondition,
  RegistryError,
  RegistryRefusedError,
  RegistryUnavailableError,
} from '../../core/errors.js'
import {migrationFileName} from '../../core/migrations/migration-file.js'
import {maxVersion, nextVersionAfter} from '../../core/migrations/version.js'
import {recordHandedOut} from '../../shell/project/ledger.js'
import type {Workspace} from '../../shell/project/workspace.js'
import {
  dequeueRequest,
  enqueueRequest,
  type QueuedRequest,
  queuedRequests,
  setUnconfirmedVersions,
  setUnreservedFiles,
  takenResult,
  unconfirmedVersions,
  unreservedFiles,
  writeResult,
} from '../../shell/registry/registry-local.js'
import type {RegistrySession} from './registry-session.js'

/** What `--json` shows under "registry". */
export interface NewMigrationRegistry {
  reserved: boolean
  backend: 'postgres' | 'git'
  /** The registry's URL or remote, password redacted. */
  registry: string
  project: string
  /**
   * How many fetch-decide-push rounds (git) or transactions (postgres) the reservation took; 0 when the call
   * ahead of it in this clone's queue reserved it in its own write.
   */
  attempts?: number
  /** True when --offline wrote the file without a reservation. */
  offline?: boolean
}

const WAY_OUT =
  'nothing was written; retry, or pass --offline to write the migration unreserved (sbx fix reserves it later)'

/**
 * Before waiting for the repository lock: say what this call needs, so that the holder ahead of it reserves
 * it in the same registry write as its own. Returns the request's id and what removes it.
 */
export async function queueReservation(
  session: RegistrySession,
  workspace: Workspace,
  name: string,
): Promise<{id: string; dequeue: () => void}> {
  const by = await session.holder(`sbx migration new ${name}`)
  const id = enqueueRequest(workspace.lockHome, {
    pid: process.pid,
    registry: session.registry.label,
    project: session.project,
    name,
    by,
  })
  return {id, dequeue: () => dequeueRequest(workspace.lockHome, process.pid)}
}

/**
 * Under the repository lock: takes the version the holder ahead reserved for this call, or reserves `floor`
 * or later — for itself and every call queued behind it, in one write that also confirms the files this
 * clone wrote since the last one — then publishes. `publish` returns false when the name is taken locally
 * (a bare `supabase migration new` ignores the lock); that reservation is released and the next one taken.
 * Once the file is written its reservation is confirmed (the lease removed): by this call when nobody is
 * queued behind it, else by the next registry write of this clone.
 */
export async function reserveAndPublish(
  session: RegistrySession,
  workspace: Workspace,
  name: string,
  floor: string,
  known: ReadonlySet<string>,
  queued: {id: string; dequeue: () => void},
  publish: (version: string) => Promise<boolean>,
): Promise<{version: string; registry: NewMigrationRegistry}> {
  const {lockHome} = workspace
  const handed = takenResult(lockHome, {pid: process.pid, id: queued.id})
  // The holder ahead tried for this call too and the registry failed it: the same answer now, not another wait.
  if (handed && 'failed' in handed) throw queueFailure(session, handed.failed)
  let version = handed?.version
  let candidate = floor
  let attempts = 0
  for (;;) {
    if (version === undefined || known.has(version)) {
      if (version !== undefined) await session.registry.release(version).catch(() => undefined)
      const outcome = await reserveForQueue(session, workspace, name, candidate)
      attempts += outcome.attempts
      version = outcome.version
    }
    await pauseForTest('reserved', version)
    if (await publish(version)) break
    await session.registry.release(version).catch(() => undefined)
    candidate = nextVersionAfter(version)
    version = undefined
  }
  // Out of the queue before the lock is released: a holder after this one must not count on it to confirm.
  queued.dequeue()
  await confirmWritten(session, workspace, version)
  return {version, registry: {...describe(session), reserved: true, attempts}}
}

/** One registry write: this call's reservation, those of the calls queued behind it, pending confirmations. */
async function reserveForQueue(
  session: RegistrySession,
  workspace: Workspace,
  name: string,
  floor: string,
): Promise<{version: string; attempts: number}> {
  const {lockHome} = workspace
  const by = await session.holder(`sbx migration new ${name}`)
  const queued = queuedRequests(lockHome, {pending: true}).filter((q) => sameRegistry(session, q))
  const confirm = unconfirmedVersions(lockHome, session.project)
  const requests = [by, ...queued.map((q) => q.by)].map((holder, i) => ({
    name: i === 0 ? name : (queued[i - 1] as QueuedRequest).name,
    version: floor,
    mode: 'at-or-after' as const,
    by: holder,
  }))
  const outcomes = await session.registry.reserveAll(requests, confirm).catch((error: unknown) => {
    if (!(error instanceof RegistryError)) throw error
    // Every call queued now, in this batch or not, gets the answer: none of them waits a timeout of its own.
    for (const request of queuedRequests(lockHome, {pending: true}).filter((q) => sameRegistry(session, q))) {
      writeResult(lockHome, request, {failed: {condition: error.condition, detail: error.detail}})
    }
    throw error.withWayOut(WAY_OUT)
  })
  if (confirm.length > 0) {
    const left = unconfirmedVersions(lockHome, session.project).filter((v) => !confirm.includes(v))
    setUnconfirmedVersions(lockHome, session.project, left)
  }
  const versions = outcomes.map((o) => (o.reserved ? o.reservation.version : undefined))
  // at-or-after always reserves: the registry moves past whatever it holds.
  const [mine] = versions
  if (mine === undefined) throw new Error(`registry refused an at-or-after reservation of ${floor}`)
  for (const [i, request] of queued.entries()) {
    const version = versions[i + 1]
    if (version !== undefined) writeResult(lockHome, request, {version})
  }
  // An --offline call in this clone must not allocate a version just reserved for a queued call.
  const highest = maxVersion(versions.filter((v): v is string => v !== undefined))
  if (highest) recordHandedOut(lockHome, workspace.projectKey, highest)
  return {version: mine, attempts: outcomes[0]?.attempts ?? 1}
}

/** The file is written: its reservation loses its lease, now or (calls queued behind) in the next write. */
async function confirmWritten(session: RegistrySession, workspace: Workspace, version: string): Promise<void> {
  const {lockHome} = workspace
  const pending = [...unconfirmedVersions(lockHome, session.project), version]
  if (queuedRequests(lockHome, {pending: false}).some((q) => sameRegistry(session, q))) {
    setUnconfirmedVersions(lockHome, session.project, pending)
    return
  }
  try {
    await session.registry.reserveAll([], pending)
    setUnconfirmedVersions(lockHome, session.project, [])
  } catch {
    // The file stands and the reservation holds it; this clone's next registry write (or sbx fix) confirms it.
    setUnconfirmedVersions(lockHome, session.project, pending)
  }
}

/** The registry failure the holder ahead met for the whole queue, as this call's own. */
function queueFailure(session: RegistrySession, failed: {condition: RegistryCondition; detail: string}): RegistryError {
  const detail = `${failed.detail}; met by the call ahead of this one in this clone's queue`
  const label = session.registry.label
  if (failed.condition === 'busy') return new RegistryBusyError(label, detail, WAY_OUT)
  if (failed.condition === 'refused') return new RegistryRefusedError(label, detail, WAY_OUT)
  return new RegistryUnavailableError(label, detail, WAY_OUT)
}

function sameRegistry(session: RegistrySession, request: QueuedRequest): boolean {
  return request.registry === session.registry.label && request.project === session.project
}

/**
 * Test hook: with SBX_REGISTRY_PAUSE=reserved, the process says so on stderr once its reservation is committed
 * and before its file is written, and waits there to be killed.
 */
async function pauseForTest(point: string, version: string): Promise<void> {
  if (process.env.SBX_REGISTRY_PAUSE !== point) return
  process.stderr.write(`sbx-registry-paused ${point} pid ${process.pid} version ${version}\n`)
  // A timer keeps the process alive: a promise alone would let it exit.
  await new Promise(() => setInterval(() => undefined, 60_000))
}

/** --offline: the file is written; remember it so that check notes it and fix reserves it. */
export function rememberUnreserved(
  session: RegistrySession,
  workspace: Workspace,
  version: string,
  name: string,
): NewMigrationRegistry {
  const files = unreservedFiles(workspace.lockHome, workspace.projectKey)
  setUnreservedFiles(workspace.lockHome, workspace.projectKey, [...files, migrationFileName(version, name)])
  return {...describe(session), reserved: false, offline: true}
}

function describe(session: RegistrySession): Omit<NewMigrationRegistry, 'reserved'> {
  return {backend: session.registry.backend, registry: session.registry.label, project: session.project}
}
