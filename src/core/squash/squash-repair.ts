/**
 * Which databases a squash left behind, and how their history is repaired (`sbx push`, `sbx check --db-url`).
 * A squash is known from its audit lines (reason `squashed`, one per original, the same `at` and `to`). A
 * database whose history holds every version of a squash gets their rows replaced by the squashed file's
 * row; one holding only some of them (beyond the squashed file's own version) is refused: pushing the squash
 * there would run its CREATEs over objects that exist. Chains (a squash of a squashed file) are followed in
 * the order the audit file records them. Pure.
 */
import type {AuditEntry} from '../migrations/audit.js'
import type {AppliedMigration, History} from '../migrations/history.js'
import {parseMigrationFile} from '../migrations/migration-file.js'

export interface SquashRecord {
  at: string
  /** The squashed file: version and name of the newest original. */
  target: string
  version: string
  /** Every original, oldest first. */
  files: string[]
  versions: string[]
}

/** The squashes the audit file records, oldest first. */
export function squashRecords(entries: readonly AuditEntry[]): SquashRecord[] {
  const byKey = new Map<string, SquashRecord>()
  for (const entry of entries) {
    if (entry.reason !== 'squashed') continue
    const target = parseMigrationFile(entry.to)
    const from = parseMigrationFile(entry.from)
    if (!target || !from) continue
    const key = `${entry.at} ${entry.to}`
    const record = byKey.get(key) ?? {at: entry.at, target: entry.to, version: target.version, files: [], versions: []}
    if (!record.files.includes(entry.from)) {
      record.files.push(entry.from)
      record.versions.push(from.version)
    }
    byKey.set(key, record)
  }
  return [...byKey.values()]
}

export type RepairPlan =
  | {kind: 'none'}
  | {
      kind: 'repair'
      /** The squashed files whose history rows are written (local files), with the versions their rows replace. */
      rows: Array<{file: string; version: string; replaces: string[]}>
      /** Every version whose row is deleted (the squashed files' own rows are then inserted anew). */
      remove: string[]
    }
  | {kind: 'partial'; squash: SquashRecord; applied: string[]; missing: string[]}

/**
 * What to do with a history, given the squashes and the local files. Only squashes whose file is local and whose
 * other originals are not are considered (a squash undone or not merged here has nothing to repair).
 */
export function planRepair(
  squashes: readonly SquashRecord[],
  applied: ReadonlySet<string>,
  localFiles: ReadonlySet<string>,
): RepairPlan {
  const current = new Set(applied)
  const rewritten = new Map<string, Set<string>>()
  for (const squash of squashes) {
    const others = squash.versions.filter((v) => v !== squash.version)
    const held = squash.versions.filter((v) => current.has(v))
    const heldOthers = others.filter((v) => current.has(v))
    if (heldOthers.length === 0) continue
    if (held.length < squash.versions.length) {
      const missing = squash.versions.filter((v) => !current.has(v))
      return {kind: 'partial', squash, applied: held, missing}
    }
    const replaces = new Set([...(rewritten.get(squash.target) ?? []), ...squash.versions])
    for (const version of others) current.delete(version)
    for (const [file, versions] of rewritten) {
      if (others.some((v) => file.startsWith(`${v}_`))) {
        rewritten.delete(file)
        for (const v of versions) replaces.add(v)
      }
    }
    rewritten.set(squash.target, replaces)
  }
  const rows = [...rewritten]
    .filter(([file]) => localFiles.has(file))
    .map(([file, versions]) => ({
      file,
      version: parseMigrationFile(file)?.version as string,
      replaces: [...versions].sort(),
    }))
  if (rows.length === 0) return {kind: 'none'}
  const remove = [...applied].filter((v) => !current.has(v) || rows.some((row) => row.version === v)).sort()
  return {kind: 'repair', rows, remove}
}

/** The history as it is after the repair, for a dry run and for check --db-url. */
export function repairedHistory(
  history: History,
  plan: RepairPlan,
  statementsOf: ReadonlyMap<string, string[]>,
): History {
  if (plan.kind !== 'repair') return history
  const applied = new Map<string, AppliedMigration>(history.applied)
  for (const version of plan.remove) applied.delete(version)
  for (const row of plan.rows) {
    const name = parseMigrationFile(row.file)?.name
    const statements = statementsOf.get(row.file)
    applied.set(row.version, {version: row.version, ...(name ? {name} : {}), ...(statements ? {statements} : {})})
  }
  return {...history, applied}
}
