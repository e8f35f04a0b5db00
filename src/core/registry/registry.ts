/**
 * The team registry: versions reserved centrally so that no clone on any machine gets one twice, and a
 * queue everyone can see. This file holds the one interface both backends (shell/registry/registry-postgres.ts,
 * shell/registry/registry-git.ts) implement, and the pure rules they share: which version a reservation gets,
 * which local files conflict with it, what the queue shows.
 */
import type {Migration} from '../migrations/migration-file.js'
import {maxVersion, nextVersionAfter} from '../migrations/version.js'

export type ReservationState = 'reserved' | 'applied' | 'released'

/** Who reserved: enough for a teammate to find the person, the machine and the branch. */
export interface Holder {
  user: string
  host: string
  pid: number
  branch?: string
  /** A random identifier of the clone (kept in its git common dir): tells clones on one host apart. */
  clone: string
}

export interface Reservation {
  version: string
  /** The migration's name (the file name after `<version>_`, without `.sql`). No SQL is stored. */
  name: string
  state: ReservationState
  by: Holder
  /** ISO-8601 UTC of the reservation. */
  at: string
  /**
   * Present while the reservation is pending: committed, but its file not yet confirmed written. The holder
   * (`by`: pid, host, clone) removes it once the file is linked; a pending reservation whose holder is gone
   * or whose lease has expired leaked (the process died in between): check notes it, fix releases it.
   */
  lease?: {expires: string}
}

/** How long a pending reservation's holder has to write its file and confirm it: 10 minutes. */
export const LEASE_SECONDS = 600

export interface ReserveRequest {
  name: string
  /**
   * `at-or-after`: the later of this version and one second past the registry's highest (new migrations).
   * `exactly`: this version or nothing (a file made offline keeps its version if nobody else has it).
   */
  version: string
  mode: 'at-or-after' | 'exactly'
  by: Holder
  /** The file already exists (fix reserving an offline file): the record needs no lease. */
  linked?: boolean
}

export type ReserveOutcome =
  | {reserved: true; reservation: Reservation; attempts: number}
  | {reserved: false; holder: Reservation; attempts: number}

/** One interface, two backends. A registry is bound to one project key when it is opened. */
export interface Registry {
  readonly backend: 'postgres' | 'git'
  /** How messages name it; never contains a password. */
  readonly label: string
  reserve(request: ReserveRequest): Promise<ReserveOutcome>
  /**
   * One write for several: each request in order (each later one sees the earlier ones' versions), and the
   * pending reservations at `confirm` lose their lease (their files are written). Outcomes in request order.
   */
  reserveAll(requests: readonly ReserveRequest[], confirm: readonly string[]): Promise<ReserveOutcome[]>
  /** Every record of the project, in any state. */
  list(): Promise<Reservation[]>
  /** Records these migrations as applied (creating records for versions never reserved). */
  markApplied(migrations: ReadonlyArray<{version: string; name: string}>, by: Holder): Promise<void>
  /** Marks a reservation released; undefined when the version has no record. */
  release(version: string): Promise<Reservation | undefined>
}

export interface RegistryFacts {
  /** The highest version with a record, in any state: released versions are never handed out again. */
  max?: string
  /** The record at the requested version, if any. */
  atVersion?: Reservation
}

/**
 * The decision of a reservation, given what the registry holds. `write` is the record to store (none when
 * the request is refused, or already satisfied by the same migration's record).
 */
export function decideReservation(
  request: ReserveRequest,
  facts: RegistryFacts,
  now: Date,
): {outcome: 'reserved' | 'held'; reservation: Reservation; write: boolean} {
  const fresh = (version: string): Reservation => ({
    version,
    name: request.name,
    state: 'reserved',
    by: request.by,
    at: now.toISOString(),
    ...(request.linked ? {} : {lease: {expires: new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString()}}),
  })
  if (request.mode === 'exactly') {
    const existing = facts.atVersion
    if (!existing || existing.state === 'released')
      return {outcome: 'reserved', reservation: fresh(request.version), write: true}
    if (existing.name === request.name) return {outcome: 'reserved', reservation: existing, write: false}
    return {outcome: 'held', reservation: existing, write: false}
  }
  const afterMax = facts.max === undefined ? undefined : nextVersionAfter(facts.max)
  const version = afterMax !== undefined && afterMax > request.version ? afterMax : request.version
  return {outcome: 'reserved', reservation: fresh(version), write: true}
}

/**
 * A batch's decisions against one registry state: each request sees the versions the earlier ones took, and
 * `confirm`'s pending records lose their lease. `writes` is every record to store.
 */
export function decideBatch(
  requests: readonly ReserveRequest[],
  confirm: readonly string[],
  records: ReadonlyMap<string, Reservation>,
  max: string | undefined,
  now: Date,
): {outcomes: Array<{outcome: 'reserved' | 'held'; reservation: Reservation}>; writes: Reservation[]} {
  const writes = new Map<string, Reservation>()
  const current = (version: string) => writes.get(version) ?? records.get(version)
  let highest = max
  const outcomes = requests.map((request) => {
    const decision = decideReservation(request, {max: highest, atVersion: current(request.version)}, now)
    if (decision.write) {
      writes.set(decision.reservation.version, decision.reservation)
      if (highest === undefined || decision.reservation.version > highest) highest = decision.reservation.version
    }
    return {outcome: decision.outcome, reservation: decision.reservation}
  })
  for (const version of confirm) {
    const record = current(version)
    if (record?.state !== 'reserved' || !record.lease) continue
    const {lease: _, ...confirmed} = record
    writes.set(version, confirmed)
  }
  return {outcomes, writes: [...writes.values()]}
}

export type LeakReason = 'holder-gone' | 'lease-expired'

export interface PendingFacts {
  now: Date
  /** This machine and clone. */
  host: string
  clone: string
  /** Whether a process of this host lives. */
  alive(pid: number): boolean
  /** Whether this clone has the file (any worktree). */
  hasFile(version: string, name: string): boolean
}

/**
 * Pending reservations, judged: this clone's whose file exists are to be confirmed; the leaked ones (the
 * holder died before writing its file, or the lease expired) are to be released. Others are in flight.
 */
export function judgePending(
  records: readonly Reservation[],
  facts: PendingFacts,
): {confirm: Reservation[]; leaked: Array<{reservation: Reservation; reason: LeakReason}>} {
  const confirm: Reservation[] = []
  const leaked: Array<{reservation: Reservation; reason: LeakReason}> = []
  for (const r of records) {
    if (r.state !== 'reserved' || !r.lease) continue
    const mine = r.by.clone === facts.clone
    if (mine && facts.hasFile(r.version, r.name)) {
      confirm.push(r)
      continue
    }
    if (r.by.host === facts.host && !facts.alive(r.by.pid)) leaked.push({reservation: r, reason: 'holder-gone'})
    else if (Date.parse(r.lease.expires) <= facts.now.getTime()) leaked.push({reservation: r, reason: 'lease-expired'})
  }
  return {confirm, leaked}
}

/** The highest of a list of records' versions. */
export function highestReserved(records: readonly Reservation[]): string | undefined {
  return maxVersion(records.map((r) => r.version))
}

export interface RegistryConflict {
  file: string
  version: string
  holder: Reservation
}

/** Local migrations whose version the registry holds for another migration name. */
export function registryConflicts(
  migrations: readonly Migration[],
  records: readonly Reservation[],
): RegistryConflict[] {
  const byVersion = new Map(records.filter((r) => r.state !== 'released').map((r) => [r.version, r]))
  return migrations.flatMap((migration) => {
    const holder = byVersion.get(migration.version)
    return holder && holder.name !== migration.name ? [{file: migration.file, version: migration.version, holder}] : []
  })
}

/** The queue: what is not yet applied, oldest first; `all` adds applied and released records. */
export function queue(records: readonly Reservation[], all = false): Reservation[] {
  return records
    .filter((r) => all || r.state === 'reserved')
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : a.name < b.name ? -1 : 1))
}

/**
 * Reservations of other clones that sort before the newest version about to be pushed and are not among
 * the local files: when they land they will be out of order, and their authors should know now.
 */
export function reservationsOvertaken(
  records: readonly Reservation[],
  pushing: readonly string[],
  localVersions: ReadonlySet<string>,
  clone: string,
): Reservation[] {
  const newest = maxVersion(pushing)
  if (newest === undefined) return []
  return queue(records).filter((r) => r.by.clone !== clone && r.version < newest && !localVersions.has(r.version))
}

/** `2 h`, `3 d`: how long ago, for the queue. */
export function age(at: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000))
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`
  return `${Math.floor(seconds / 86_400)} d`
}

/** `ana@laptop (branch feat/x)`, for messages naming a holder. */
export function describeHolder(r: Reservation): string {
  return `${r.version}_${r.name}.sql, reserved by ${r.by.user}@${r.by.host}${r.by.branch ? ` on branch ${r.by.branch}` : ''} at ${r.at}`
}

/**
 * The default project key: the origin remote's URL without scheme, credentials or `.git`, so that every
 * clone (https or ssh) agrees, plus the project's folder inside the repository when it is not the top.
 * `git@github.com:acme/app.git` and `https://u:t@github.com/acme/app` both give `github.com/acme/app`.
 */
export function defaultProjectKey(remoteUrl: string, relWorkdir: string): string {
  let key = remoteUrl.trim()
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(key)
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) key = `${scp[1]}/${scp[2]}`
  else key = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '')
  key = key.replace(/\/+$/, '').replace(/\.git$/, '')
  return relWorkdir && relWorkdir !== '.' ? `${key}#${relWorkdir}` : key
}

/** What each request of a batch is told, by every backend alike. */
export function reserveOutcomes(
  outcomes: ReadonlyArray<{outcome: 'reserved' | 'held'; reservation: Reservation}>,
  attempts: number,
): ReserveOutcome[] {
  return outcomes.map((v) =>
    v.outcome === 'reserved'
      ? {reserved: true, reservation: v.reservation, attempts}
      : {reserved: false, holder: v.reservation, attempts},
  )
}
