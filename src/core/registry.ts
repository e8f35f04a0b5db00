/**
 * The team registry: versions reserved centrally so that no clone on any machine gets one twice, and a
 * queue everyone can see. This file holds the one interface both backends (shell/registry-postgres.ts,
 * shell/registry-git.ts) implement, and the pure rules they share: which version a reservation gets,
 * which local files conflict with it, what the queue shows.
 */
import type {Migration} from './migration-file.js'
import {maxVersion, nextVersionAfter} from './version.js'

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
}

export interface ReserveRequest {
  name: string
  /**
   * `at-or-after`: the later of this version and one second past the registry's highest (new migrations).
   * `exactly`: this version or nothing (a file made offline keeps its version if nobody else has it).
   */
  version: string
  mode: 'at-or-after' | 'exactly'
  by: Holder
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
