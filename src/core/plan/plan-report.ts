/** What `sbx plan` found: the shape of its --json output, and the pure assembly from the replay's catalog diffs. */

import type {MigrationRisk} from '../risk/risk.js'
import {type CatalogRow, type DbObject, sortObjects, toObject} from '../sql/catalog.js'
import {destructiveReason} from '../sql/destructive.js'
import {createsObject, type ObjectKind as MissingKind} from '../verify/missing-object.js'
import type {PartlyVerified, VerifyFailure} from '../verify/verify-report.js'

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
  /**
   * Statements the embedded database skipped (an extension it lacks, or what such a statement would have made):
   * what the file does through them is not in creates/alters/drops.
   */
  skipped: PartlyVerified['skipped']
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
  /** Pending migrations in the order supabase runs them (those the replay reached). */
  migrations: PlannedMigration[]
  /** How many migrations are pending, replayed or not. */
  pending: number
  /** Pending migrations the replay did not reach (from the failing one on): nothing is known of them. */
  notReplayed: string[]
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
  skipped?: PartlyVerified['skipped']
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
    skipped: diff.skipped ?? [],
    ...(diff.risk ? {risk: diff.risk} : {}),
  }
}

const MISSING_KINDS: Partial<Record<CatalogRow['kind'], MissingKind>> = {
  table: 'relation',
  view: 'relation',
  function: 'function',
  schema: 'schema',
}

/**
 * A file that redefines what an earlier file's skipped statement would have created (`create or replace
 * function` of a function the replay had to skip) alters it on Supabase, where the first one ran: it is moved
 * from created to altered, and the file depends on the one whose statement was skipped.
 */
export function withSkippedCreators<T extends Pick<ReplayedDiff, 'file' | 'created' | 'altered' | 'dependsOn'>>(
  diffs: readonly T[],
  skippedStatements: ReadonlyArray<{file: string; statement: string}>,
): T[] {
  const order = new Map(diffs.map((diff, index) => [diff.file, index]))
  return diffs.map((diff) => {
    const earlier = skippedStatements.filter((s) => (order.get(s.file) ?? -1) < (order.get(diff.file) ?? -1))
    if (earlier.length === 0) return diff
    const created: CatalogRow[] = []
    const altered = [...diff.altered]
    const dependsOn = [...diff.dependsOn]
    for (const row of diff.created) {
      const kind = MISSING_KINDS[row.kind]
      const name = `${row.schema}.${row.name.replace(/\(.*$/su, '')}`
      const creator = kind && earlier.findLast((s) => createsObject(s.statement, {kind, name}))
      if (!creator) {
        created.push(row)
        continue
      }
      altered.push(row)
      if (!dependsOn.includes(creator.file)) dependsOn.push(creator.file)
    }
    dependsOn.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
    return {...diff, created, altered, dependsOn}
  })
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
