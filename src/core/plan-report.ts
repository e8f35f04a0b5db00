/** What `sbx plan` found: the shape of its --json output, and the pure assembly from the replay's catalog diffs. */
import {type CatalogRow, type DbObject, sortObjects, toObject} from './catalog.js'
import {destructiveReason} from './destructive.js'
import type {MigrationRisk} from './risk.js'
import type {VerifyFailure} from './verify-report.js'

export interface PlannedMigration {
  file: string
  version: string
  /** Earlier files (pending or applied) whose objects this one uses, in apply order. */
  dependsOn: string[]
  creates: DbObject[]
  alters: DbObject[]
  drops: DbObject[]
  /** Whether supabase runs the file as one transaction (false: statement by statement, or split by CONCURRENTLY…). */
  transaction: boolean
  /** Statements that can lose data; empty when none. */
  destructive: string[]
  destructiveReasons: string[]
  replayMs: number
  /** What the replay saw it do (absent with [verify] risk = "off"); sizes and time only with a target. */
  risk?: MigrationRisk
}

export interface PlanRename {
  from: string
  to: string
  reason: string
  kept?: string
  at: string
  by: string
}

export interface PlanReport {
  /** Where "applied" came from: a database, a branch, or nothing (every file pending). */
  against: string
  /** Pending migrations in the order supabase runs them. */
  migrations: PlannedMigration[]
  /** Files already applied (replayed first, not listed). */
  applied: number
  /** Every table, column, function, policy, index and trigger the pending migrations leave behind. */
  checklist: DbObject[]
  renames: PlanRename[]
  /** When the replay failed, where: the plan covers the files before it. */
  failure?: VerifyFailure
  elapsedMs: number
}

export interface ReplayedDiff {
  file: string
  version: string
  statements: readonly string[]
  transaction: boolean
  created: CatalogRow[]
  altered: CatalogRow[]
  dropped: CatalogRow[]
  dependsOn: string[]
  replayMs: number
  risk?: MigrationRisk
}

const CHECKLIST_KINDS = new Set(['table', 'view', 'column', 'function', 'policy', 'index', 'trigger'])

export function planMigration(diff: ReplayedDiff): PlannedMigration {
  const destructive: string[] = []
  const reasons: string[] = []
  for (const statement of diff.statements) {
    const reason = destructiveReason(statement)
    if (reason === undefined) continue
    destructive.push(statement.trim())
    reasons.push(reason)
  }
  return {
    file: diff.file,
    version: diff.version,
    dependsOn: diff.dependsOn,
    creates: sortObjects(diff.created.map(toObject)),
    alters: sortObjects(diff.altered.map(toObject)),
    drops: sortObjects(diff.dropped.map(toObject)),
    transaction: diff.transaction,
    destructive,
    destructiveReasons: reasons,
    replayMs: diff.replayMs,
    ...(diff.risk ? {risk: diff.risk} : {}),
  }
}

/** Objects present at the end that a pending migration created or altered. */
export function checklist(
  final: Iterable<CatalogRow>,
  touchedKeys: ReadonlySet<string>,
  keyOf: (row: CatalogRow) => string,
): DbObject[] {
  const rows = [...final].filter((row) => !row.ext && CHECKLIST_KINDS.has(row.kind) && touchedKeys.has(keyOf(row)))
  return sortObjects(rows.map(toObject))
}
