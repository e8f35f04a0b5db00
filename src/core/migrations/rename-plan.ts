/**
 * Deciding renames. Pure and deterministic: the same migrations and history always give the same plan.
 *
 * Who keeps a contested version: the applied file, else the one committed to git earliest, else the one
 * that existed first (then file name, so ties still decide the same way). Every other file moves to the
 * first free version after max(its version, the newest applied): after everything it could depend on,
 * and before the migrations that followed it where there is room. Applied files never move, and the part
 * of the name after the version never changes.
 */
import {UsageError} from '../errors.js'
import {appliedFile} from './findings.js'
import {type History, isDatabaseHistory, type LocalMigration, newestApplied} from './history.js'
import {
  compareApplyOrder,
  compareFileNames,
  groupByVersion,
  type MigrationFolder,
  migrationFileName,
  parseMigrationFile,
} from './migration-file.js'
import {firstFreeVersionAfter} from './version.js'

export type RenameReason =
  | 'duplicate-version'
  | 'out-of-order'
  | 'rebase'
  | 'adopt-applied-version'
  | 'registry-conflict'

export interface Rename {
  from: string
  to: string
  reason: RenameReason
  /** The file that kept the contested version, where there is one. */
  kept?: string
}

/** A file that must move but has no free version after `after` (the end of the timestamp range is taken). */
export interface NoRoom {
  file: string
  after: string
}

export interface FixPlan {
  renames: Rename[]
  /** Files that should move but cannot: fix solves the rest and reports these. */
  unsolvable: NoRoom[]
}

export interface PlanInput {
  migrations: readonly LocalMigration[]
  history?: History
  localStatements?: ReadonlyMap<string, string[]>
  /** Files a running `sbx push` is deploying: they keep their names, and keep a contested version. */
  pinned?: ReadonlySet<string>
}

export function planFix({migrations, history, localStatements, pinned = new Set()}: PlanInput): FixPlan {
  const newest = newestApplied(history)
  const movers: Array<{migration: LocalMigration; reason: RenameReason; kept?: string}> = []
  const moving = new Set<string>()
  const move = (migration: LocalMigration, reason: RenameReason, kept?: string) => {
    if (moving.has(migration.file) || pinned.has(migration.file)) return
    moving.add(migration.file)
    movers.push({migration, reason, kept})
  }

  for (const group of groupByVersion(migrations).values()) {
    if (group.length < 2) continue
    const applied = history?.applied.get(group[0]?.version as string)
    const fromBase = history?.added ? group.filter((m) => !history.added?.has(m.file)) : []
    const deploying = group.filter((m) => pinned.has(m.file))
    const keeper =
      applied && history && isDatabaseHistory(history)
        ? appliedFile(group, applied, localStatements)
        : byKeeperRank(deploying.length > 0 ? deploying : fromBase.length > 0 ? fromBase : group)[0]
    for (const migration of byKeeperRank(group)) {
      if (migration !== keeper) move(migration, 'duplicate-version', keeper?.file)
    }
  }

  if (history) {
    for (const migration of migrations) {
      const isCandidate = history.added ? history.added.has(migration.file) : !history.applied.has(migration.version)
      if (!isCandidate || moving.has(migration.file)) continue
      const applied = history.applied.get(migration.version)
      if (applied && history.added) {
        move(migration, 'duplicate-version', migrationFileName(applied.version, applied.name ?? '…'))
      } else if (newest !== undefined && migration.version <= newest) {
        move(migration, 'out-of-order')
      }
    }
  }

  const occupied = new Set<string>([...migrations.map((m) => m.version), ...(history?.applied.keys() ?? [])])
  const ordered = movers.sort(
    (a, b) => compareVersionsThenRank(a.migration, b.migration) || compareFileNames(a.migration.file, b.migration.file),
  )
  const renames: Rename[] = []
  const unsolvable: NoRoom[] = []
  for (const {migration, reason, kept} of ordered) {
    const floor = newest !== undefined && newest > migration.version ? newest : migration.version
    const version = firstFree(floor, occupied)
    if (version === undefined) {
      unsolvable.push({file: migration.file, after: floor})
      continue
    }
    occupied.add(version)
    renames.push({
      from: migration.file,
      to: migrationFileName(version, migration.name),
      reason,
      ...(kept ? {kept} : {}),
    })
  }
  return {renames, unsolvable}
}

/** The plan, or a usage error when some file has no free version left (for callers that cannot act partly). */
export function planRenames(input: PlanInput): Rename[] {
  const {renames, unsolvable} = planFix(input)
  const [first] = unsolvable
  if (first) throw noRoomError(first.after)
  return renames
}

/**
 * `sbx rebase --onto REF`: the branch's own migrations (`added`, in their current order) are renumbered
 * so that all of them sort after the base's newest version, keeping their relative order. A file that
 * already sorts after the base and after the previous one keeps its version.
 */
export function planRebase({migrations, history}: {migrations: readonly LocalMigration[]; history: History}): Rename[] {
  const added = new Set(history.added ?? [])
  const occupied = new Set<string>([...migrations.map((m) => m.version), ...history.applied.keys()])
  let cursor = newestApplied(history) ?? ''
  const renames: Rename[] = []
  for (const migration of [...migrations].sort(compareApplyOrder)) {
    if (!added.has(migration.file)) continue
    const sharesVersion =
      history.applied.has(migration.version) ||
      migrations.some((other) => other !== migration && other.version === migration.version && !added.has(other.file))
    if (migration.version > cursor && !sharesVersion) {
      cursor = migration.version
      continue
    }
    const version = freeVersion(cursor, occupied)
    occupied.add(version)
    cursor = version
    renames.push({from: migration.file, to: migrationFileName(version, migration.name), reason: 'rebase'})
  }
  return renames
}

function firstFree(after: string, occupied: ReadonlySet<string>): string | undefined {
  try {
    return firstFreeVersionAfter(after, (candidate) => occupied.has(candidate))
  } catch {
    return undefined
  }
}

function freeVersion(after: string, occupied: ReadonlySet<string>): string {
  const version = firstFree(after, occupied)
  if (version === undefined) throw noRoomError(after)
  return version
}

function noRoomError(after: string): UsageError {
  return new UsageError(
    `No free version sorts after ${after}: rename the migrations at the end of the range.`,
    'ENOROOM',
  )
}

/** Keeper order: committed earliest, then existed first, then file name. */
function byKeeperRank<T extends LocalMigration>(group: readonly T[]): T[] {
  return [...group].sort(
    (a, b) =>
      (a.committedAt ?? Number.POSITIVE_INFINITY) - (b.committedAt ?? Number.POSITIVE_INFINITY) ||
      (a.firstSeen ?? Number.POSITIVE_INFINITY) - (b.firstSeen ?? Number.POSITIVE_INFINITY) ||
      compareFileNames(a.file, b.file),
  )
}

function compareVersionsThenRank(a: LocalMigration, b: LocalMigration): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1
  const [first] = byKeeperRank([a, b])
  return first === a ? -1 : 1
}

/** The folder as it will be once `renames` are made (fix --dry-run's verdict is the verdict of fix). */
export function folderAfterRenames(folder: MigrationFolder, renames: readonly Rename[]): MigrationFolder {
  const to = new Map(renames.map((rename) => [rename.from, rename.to]))
  const migrations = folder.migrations.map((migration) => {
    const renamed = to.get(migration.file)
    return (renamed && parseMigrationFile(renamed)) || migration
  })
  return {...folder, migrations: migrations.sort(compareApplyOrder)}
}
