/**
 * The "repair squashed history" stage of `sbx push` (under the deploy lock, before supabase runs) and what
 * `sbx check --db-url` shows of it. A database that applied every original of a squash gets their history rows
 * replaced, in one transaction, by the row supabase records for the squashed file (its version, name and
 * statements as supabase splits them); then supabase pushes the rest. Planning is core/squash/squash-repair.ts.
 */
import path from 'node:path'
import {ExitCode, SbxError} from '../../core/errors.js'
import type {AppliedMigration, History} from '../../core/migrations/history.js'
import {HISTORY_INSERT} from '../../core/migrations/history.js'
import type {MigrationFolder} from '../../core/migrations/migration-file.js'
import type {HistoryRepairReport} from '../../core/push/push-report.js'
import {migrationStatements} from '../../core/sql/sql-statements.js'
import {planRepair, type RepairPlan, repairedHistory, squashRecords} from '../../core/squash/squash-repair.js'
import {readAudit} from '../../shell/project/audit-log.js'
import {readText} from '../../shell/project/migrations-dir.js'

export interface HistoryRepair {
  plan: RepairPlan
  /** The history as it is once repaired (the same history when nothing is repaired). */
  history: History
}

/** What a push to (or a check against) this history would repair; reads the audit file and the squashed files. */
export async function planHistoryRepair(
  workdir: string,
  migrationsDir: string,
  folder: MigrationFolder,
  history: History,
): Promise<HistoryRepair & {statements: Map<string, string[]>}> {
  const squashes = squashRecords((await readAudit(workdir)).entries)
  const statements = new Map<string, string[]>()
  if (squashes.length === 0) return {plan: {kind: 'none'}, history, statements}
  const local = new Set(folder.migrations.map((m) => m.file))
  const plan = planRepair(squashes, new Set(history.applied.keys()), local)
  if (plan.kind === 'repair') {
    for (const row of plan.rows) {
      statements.set(row.file, migrationStatements(await readText(path.join(migrationsDir, row.file))).statements)
    }
  }
  return {plan, history: repairedHistory(history, plan, statements), statements}
}

/** A database holding part of a squashed range: exit 3, nothing changed. */
export class PartlySquashedError extends SbxError {
  constructor(plan: Extract<RepairPlan, {kind: 'partial'}>, target: string) {
    const {squash, applied, missing} = plan
    super(
      `${target} applied ${applied.length} of the ${squash.versions.length} migrations squashed into ${squash.target} (missing ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}): pushing the squash would re-create what it has; nothing was changed.`,
      {
        code: 'ESQUASHPARTIAL',
        exitCode: ExitCode.Findings,
        suggestions: [
          `Apply the remaining originals first from a checkout before the squash (git checkout <commit before the squash> -- supabase/migrations, sbx push to this database, git checkout HEAD -- supabase/migrations), then sbx push again: it repairs the history.`,
        ],
      },
    )
  }
}

/** Rewrites the history rows (in one transaction). */
export async function applyHistoryRepair(
  target: {transaction?: (queries: ReadonlyArray<{text: string; values?: unknown[]}>) => Promise<void>; label: string},
  plan: Extract<RepairPlan, {kind: 'repair'}>,
  statements: ReadonlyMap<string, string[]>,
): Promise<void> {
  if (!target.transaction) {
    throw new SbxError(`sbx has no connection of its own to ${target.label}, so it cannot repair its history.`, {
      code: 'ESQUASHLINKED',
      exitCode: ExitCode.Findings,
      suggestions: ["Push with --db-url and the project's connection string: sbx repairs the history there."],
    })
  }
  const queries = [
    {text: 'DELETE FROM supabase_migrations.schema_migrations WHERE version = ANY($1::text[])', values: [plan.remove]},
    ...plan.rows.map((row) => ({
      text: HISTORY_INSERT,
      values: [row.version, row.file.slice(row.version.length + 1, -'.sql'.length), statements.get(row.file) ?? []],
    })),
  ]
  await target.transaction(queries)
}

export interface RepairStage {
  workdir: string
  migrationsDir: string
  folder: MigrationFolder
  history: History
  target: {
    label: string
    transaction?: (queries: ReadonlyArray<{text: string; values?: unknown[]}>) => Promise<void>
    readHistory(): Promise<AppliedMigration[]>
  }
  dryRun: boolean
  /** Builds a History from what the target returns (the caller knows its origin). */
  toHistory: (applied: AppliedMigration[]) => History
  onProgress?: (line: string) => void
}

/**
 * The push stage, under the deploy lock: the history the rest of push judges, and what was repaired. A database
 * holding part of a squash: PartlySquashedError (exit 3), nothing changed. A dry run repairs nothing and returns the
 * history as it would be.
 */
export async function repairSquashedHistory(
  stage: RepairStage,
): Promise<{history: History; repair?: HistoryRepairReport}> {
  const {plan, history, statements} = await planHistoryRepair(
    stage.workdir,
    stage.migrationsDir,
    stage.folder,
    stage.history,
  )
  if (plan.kind === 'partial') throw new PartlySquashedError(plan, stage.target.label)
  if (plan.kind === 'none') return {history: stage.history}
  const repair = {rows: plan.rows.map((row) => ({file: row.file, replaces: row.replaces})), dryRun: stage.dryRun}
  if (stage.dryRun) return {history, repair}
  await applyHistoryRepair(stage.target, plan, statements)
  stage.onProgress?.(
    `Repaired the history: ${plan.rows.map((row) => `${row.replaces.length} squashed versions → ${row.file}`).join(', ')}.`,
  )
  return {history: stage.toHistory(await stage.target.readHistory()), repair}
}
