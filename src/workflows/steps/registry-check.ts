/**
 * The registry's part of check, fix and watch: local migrations whose version the registry holds for another
 * migration (blocking), files written offline and not reserved since (a note); and the repair: reserve what
 * was written offline, move what conflicts to a newly reserved version (audit reason `registry-conflict`).
 */
import path from 'node:path'
import {RegistryError} from '../../core/errors.js'
import type {Finding} from '../../core/migrations/findings.js'
import {type Migration, type MigrationFolder, migrationFileName} from '../../core/migrations/migration-file.js'
import type {Rename} from '../../core/migrations/rename-plan.js'
import {allocateVersion} from '../../core/migrations/version.js'
import {judgePending, type PendingFacts, type Reservation, registryConflicts} from '../../core/registry/registry.js'
import {hasConfig} from '../../shell/project/config-presence.js'
import {migrationFilesIn, modifiedAt, readMigrationFolder} from '../../shell/project/migrations-dir.js'
import {currentActor, isAlive} from '../../shell/project/processes.js'
import type {Workspace} from '../../shell/project/workspace.js'
import {setUnreservedFiles, unreservedFiles} from '../../shell/registry/registry-local.js'
import {otherWorktreeFolders} from '../new-migration.js'
import {type AppliedRename, applyRenames} from './apply-renames.js'
import type {RegistrySession} from './registry-session.js'

type Env = Readonly<Record<string, string | undefined>>

async function session(workspace: Workspace, env: Env): Promise<RegistrySession | undefined> {
  if (!hasConfig(workspace.workdir, env)) return undefined
  return (await import('./registry-session.js')).openRegistrySession(workspace, env)
}

/** For check: nothing without a registry; a note (not a failure) when it cannot be reached. */
export async function registryFindings(
  workspace: Workspace,
  folder: MigrationFolder,
  env: Env = process.env,
): Promise<Finding[]> {
  const opened = await session(workspace, env)
  if (!opened) return []
  const registry = opened.registry.label
  let records: Reservation[]
  try {
    records = await opened.registry.list()
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error
    return [
      {
        kind: 'registry-unreachable',
        blocking: false,
        registry,
        detail: error.detail,
        ...(error.condition === 'unreachable' ? {} : {condition: error.condition}),
      },
    ]
  }
  const {leaked} = judgePending(records, await pendingFacts(workspace, opened))
  const conflicts = registryConflicts(folder.migrations, records)
  const conflicting = new Set(conflicts.map((c) => c.file))
  const findings: Finding[] = conflicts.map((c) => ({
    kind: 'registry-conflict',
    blocking: true,
    file: c.file,
    version: c.version,
    holder: c.holder,
    registry,
  }))
  for (const migration of offlineFiles(workspace, folder.migrations)) {
    if (conflicting.has(migration.file) || isReservedFor(records, migration)) continue
    findings.push({kind: 'unreserved', blocking: false, file: migration.file, version: migration.version, registry})
  }
  for (const {reservation, reason} of leaked) {
    findings.push({kind: 'leaked-reservation', blocking: false, reservation, reason, registry})
  }
  return findings
}

export interface RegistryRepair {
  renames: AppliedRename[]
  /** Files written offline whose version is now reserved for them. */
  reserved: string[]
  /** Leaked reservations (holder gone before writing its file, or lease expired), now released. */
  reclaimed: Reservation[]
}

/** What judging pending reservations needs to know about this machine and clone. */
async function pendingFacts(workspace: Workspace, session: RegistrySession): Promise<PendingFacts> {
  const folders = [workspace.migrationsDir, ...(await otherWorktreeFolders(workspace))]
  const files = new Set((await Promise.all(folders.map((dir) => migrationFilesIn(dir)))).flat())
  return {
    now: new Date(),
    host: currentActor('').host,
    clone: session.clone,
    alive: isAlive,
    hasFile: (version, name) => files.has(migrationFileName(version, name)),
  }
}

/**
 * This clone's pending reservations whose files exist lose their lease, and leaked ones are released: one
 * write for the confirmations, one release per leak. Returns the released records.
 */
async function settlePending(session: RegistrySession, workspace: Workspace, records: Reservation[]) {
  const {confirm, leaked} = judgePending(records, await pendingFacts(workspace, session))
  if (confirm.length > 0) {
    await session.registry.reserveAll(
      [],
      confirm.map((r) => r.version),
    )
  }
  const reclaimed: Reservation[] = []
  for (const {reservation} of leaked) {
    const released = await session.registry.release(reservation.version)
    if (released) reclaimed.push(reservation)
  }
  return reclaimed
}

/**
 * For fix and watch, under the repository lock: reserve the files written offline at their own version,
 * and move every file whose version the registry holds for another migration to a newly reserved one.
 * Undefined without a registry.
 */
export async function repairWithRegistry(
  workspace: Workspace,
  command: string,
  options: {
    env?: Env
    onRenamed?: (rename: AppliedRename) => void
    /**
     * watch: also reserve files with no record that were written after this time (ms), such as those made by
     * a plain `supabase migration new`. Older unrecorded files predate the registry and stay out of the queue.
     */
    newerThan?: number
  } = {},
): Promise<RegistryRepair | undefined> {
  const {onRenamed} = options
  const opened = await session(workspace, options.env ?? process.env)
  if (!opened) return undefined
  const {registry} = opened
  const wayOut = `nothing was reserved or renamed by the registry step; run ${command} again when it is reachable`
  const unavailable = (error: unknown) => {
    throw error instanceof RegistryError ? error.withWayOut(wayOut) : error
  }
  const by = await opened.holder(command)
  const folder = await readMigrationFolder(workspace.migrationsDir)
  const listed = await registry.list().catch(unavailable)
  const reclaimed = await settlePending(opened, workspace, listed).catch(unavailable)
  const gone = new Set(reclaimed.map((r) => r.version))
  const records = listed.filter((r) => !gone.has(r.version))
  const movers: Array<{migration: Migration; holder: Reservation}> = registryConflicts(folder.migrations, records).map(
    (c) => ({migration: folder.migrations.find((m) => m.file === c.file) as Migration, holder: c.holder}),
  )
  const moving = new Set(movers.map((m) => m.migration.file))
  const reserved: string[] = []
  const newcomers =
    options.newerThan === undefined
      ? []
      : await writtenAfter(workspace, unrecorded(folder.migrations, records), options.newerThan)
  const toReserve = [...new Set([...offlineFiles(workspace, folder.migrations), ...newcomers])]
  for (const migration of toReserve) {
    if (moving.has(migration.file)) continue
    const outcome = await registry
      .reserve({name: migration.name, version: migration.version, mode: 'exactly', by, linked: true})
      .catch(unavailable)
    if (outcome.reserved) reserved.push(migration.file)
    else movers.push({migration, holder: outcome.holder})
  }

  const renames: AppliedRename[] = []
  const known = new Set(folder.migrations.map((m) => m.version))
  for (const {migration, holder} of movers) {
    const floor = allocateVersion(known, new Date())
    const outcome = await registry
      .reserve({name: migration.name, version: floor, mode: 'at-or-after', by})
      .catch(unavailable)
    if (!outcome.reserved) continue
    const version = outcome.reservation.version
    known.add(version)
    const rename: Rename = {
      from: migration.file,
      to: migrationFileName(version, migration.name),
      reason: 'registry-conflict',
      kept: migrationFileName(holder.version, holder.name),
    }
    renames.push(...(await applyRenames(workspace, [rename], command, onRenamed)))
  }
  // The moved files are written under their new versions: their reservations lose the lease, in one write.
  if (renames.length > 0) {
    await registry
      .reserveAll(
        [],
        renames.map((r) => r.to.slice(0, r.to.indexOf('_'))),
      )
      .catch(unavailable)
  }

  // Forget what is reserved now, renamed, or gone.
  const present = new Set((await readMigrationFolder(workspace.migrationsDir)).migrations.map((m) => m.file))
  const done = new Set([...reserved, ...renames.map((r) => r.from)])
  const remembered = unreservedFiles(workspace.lockHome, workspace.projectKey)
  const kept = remembered.filter((f) => present.has(f) && !done.has(f))
  if (kept.length !== remembered.length) setUnreservedFiles(workspace.lockHome, workspace.projectKey, kept)
  return {renames, reserved, reclaimed}
}

function unrecorded(migrations: readonly Migration[], records: readonly Reservation[]): Migration[] {
  const versions = new Set(records.map((r) => r.version))
  return migrations.filter((m) => !versions.has(m.version))
}

async function writtenAfter(
  workspace: Workspace,
  migrations: readonly Migration[],
  since: number,
): Promise<Migration[]> {
  const times = await Promise.all(
    migrations.map((m) => modifiedAt(path.join(workspace.migrationsDir, m.file)).catch(() => undefined)),
  )
  return migrations.filter((_, i) => (times[i] ?? 0) >= since)
}

function offlineFiles(workspace: Workspace, migrations: readonly Migration[]): Migration[] {
  const remembered = new Set(unreservedFiles(workspace.lockHome, workspace.projectKey))
  return migrations.filter((m) => remembered.has(m.file))
}

function isReservedFor(records: readonly Reservation[], migration: Migration): boolean {
  return records.some((r) => r.version === migration.version && r.name === migration.name && r.state !== 'released')
}
