/**
 * `sbx plan`: the deploy report, generated. Replays every migration on the embedded database (as verify does)
 * and reads its catalogs between files: what each pending migration creates, alters and drops, which earlier
 * migrations it depends on, whether supabase runs it as one transaction, what can lose data, the renames sbx
 * made to it, and the post-deploy checklist. Read (files, history, audit) → replay → decide (core) → report.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import type {History} from '../core/migrations/history.js'
import {
  checklist,
  type PlanRename,
  type PlanReport,
  planMigration,
  withSkippedCreators,
} from '../core/plan/plan-report.js'
import {assessMigration, relationsOf, type TableStats} from '../core/risk/risk.js'
import {type CatalogRow, objectKey} from '../core/sql/catalog.js'
import {planReplay} from '../core/verify/replay-plan.js'
import {openDatabaseTarget, openTarget} from '../shell/deploy/push-target.js'
import {readAudit} from '../shell/project/audit-log.js'
import {loadConfig} from '../shell/project/config-file.js'
import {readMigrationFolder} from '../shell/project/migrations-dir.js'
import type {Workspace} from '../shell/project/workspace.js'
import {openSupabase} from '../shell/supabase/supabase.js'
import {trackCatalog} from './steps/catalog-tracker.js'
import {openProject} from './steps/open-project.js'
import {databaseHistory, readHistorySource} from './steps/project-state.js'
import {type RiskTracer, traceRisk} from './steps/risk-tracer.js'
import {verify} from './verify.js'

export type {PlanReport} from '../core/plan/plan-report.js'

export interface PlanOptions {
  workdir?: string
  /** What is applied: a database URL, a git ref (what this branch adds), the linked project, else the embedded database. */
  dbUrl?: string
  against?: string
  linked?: boolean
  /** false (`--no-cache`): replay every file, without the replay cache. */
  cache?: boolean
  onBaselineBuild?: (cacheDir: string) => void
}

export async function plan(options: PlanOptions): Promise<PlanReport> {
  const started = performance.now()
  const workspace = await openProject({workdir: options.workdir, command: 'sbx plan'})
  const history = await appliedHistory(workspace, options)
  const tracker = trackCatalog()
  const config = await loadConfig(workspace.workdir)
  const tracer = config.verify?.risk === 'off' ? undefined : traceRisk()
  const [verified, audit, folder] = await Promise.all([
    verify({
      workdir: workspace.workdir,
      config,
      observer: tracker,
      tracer,
      onBaselineBuild: options.onBaselineBuild,
      ...(options.cache === false ? {cache: false} : {}),
    }),
    readAudit(workspace.workdir),
    readMigrationFolder(workspace.migrationsDir),
  ])
  const isPending = (file: string, version: string) =>
    history === undefined || (history.added ? history.added.has(file) : !history.applied.has(version))
  const skippedByFile = new Map(verified.partlyVerified.map((partly) => [partly.file, partly.skipped]))
  const skippedStatements = tracker.migrations.flatMap((m) =>
    (skippedByFile.get(m.file) ?? []).map((skip) => ({
      file: m.file,
      statement: m.statements[skip.statementIndex] ?? '',
    })),
  )
  const replayed = withSkippedCreators(tracker.migrations, skippedStatements)
  const pending = replayed.filter((m) => isPending(m.file, m.version))
  const reached = new Set(tracker.migrations.map((m) => m.file))
  const allPending = folder.migrations.filter((m) => isPending(m.file, m.version))
  const notReplayed = allPending.filter((m) => !reached.has(m.file)).map((m) => m.file)
  const touched = new Set<string>()
  for (const m of pending) for (const row of [...m.created, ...m.altered]) touched.add(objectKey(row))
  const pendingFiles = new Set(pending.map((m) => m.file))
  const stats = tracer ? await targetStats(workspace, options, pendingRelations(tracer, pendingFiles)) : undefined
  const renames: PlanRename[] = audit.entries
    .filter((entry) => pendingFiles.has(entry.to))
    .map((entry) => ({
      from: entry.from,
      to: entry.to,
      reason: entry.reason,
      ...(entry.kept ? {kept: entry.kept} : {}),
      at: entry.at,
      by: entry.by.command,
    }))
  return {
    against: describeHistory(history),
    migrations: pending.map((m) =>
      planMigration({
        ...m,
        transaction: isOneTransaction(m.statements, m.transactionMode),
        skipped: skippedByFile.get(m.file) ?? [],
        ...riskOf(tracer, m.file, m.statements, stats),
      }),
    ),
    pending: allPending.length,
    notReplayed,
    applied: folder.migrations.length - allPending.length,
    checklist: checklist(tracker.final.values() as Iterable<CatalogRow>, touched, objectKey),
    renames,
    ...(verified.failure ? {failure: verified.failure} : {}),
    elapsedMs: Math.round(performance.now() - started),
  }
}

function pendingRelations(tracer: RiskTracer, pending: ReadonlySet<string>): string[] {
  return relationsOf([...tracer.traces].filter(([file]) => pending.has(file)).map(([, trace]) => trace))
}

function riskOf(
  tracer: RiskTracer | undefined,
  file: string,
  statements: readonly string[],
  stats: ReadonlyMap<string, TableStats> | undefined,
) {
  if (!tracer) return {}
  return {risk: assessMigration(tracer.traces.get(file) ?? {statements, observations: []}, stats)}
}

/**
 * The target's statistics for the tables the pending migrations touch: --db-url, or the embedded database when
 * it exists. --linked: sbx has no connection of its own to the linked project; --against: a branch has no data.
 */
async function targetStats(
  workspace: Workspace,
  options: PlanOptions,
  relations: readonly string[],
): Promise<Map<string, TableStats> | undefined> {
  if (options.against || options.linked) return undefined
  const {readTableStats} = await import('../shell/database/table-stats.js')
  if (options.dbUrl) {
    const {connect} = await import('../shell/database/database.js')
    const client = await connect(options.dbUrl)
    try {
      return await readTableStats(client, relations)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  if (!existsSync(path.join(workspace.tempDir, 'db'))) return undefined
  const target = await openDatabaseTarget({kind: 'embedded'}, workspace, {
    lockTimeoutMs: 30_000,
    description: 'sbx plan',
  })
  try {
    return await target.readTableStats?.(relations)
  } finally {
    await target.close()
  }
}

function isOneTransaction(statements: readonly string[], transactionMode: string): boolean {
  const replay = planReplay({statements, transactionMode: transactionMode as 'none'})
  return replay.mode === 'transactional' && replay.steps.length === 1
}

/** undefined: nothing applied (no embedded database yet), so every file is pending. */
async function appliedHistory(workspace: Workspace, options: PlanOptions): Promise<History | undefined> {
  if (options.dbUrl || options.against) return readHistorySource(workspace, options)
  if (options.linked) {
    const target = await openTarget({kind: 'linked'}, workspace, await openSupabase(workspace.workdir), {
      lockTimeoutMs: 30_000,
      description: 'sbx plan',
    })
    return databaseHistory(await target.readHistory(), {kind: 'linked'})
  }
  if (!existsSync(path.join(workspace.tempDir, 'db'))) return undefined
  const target = await openDatabaseTarget({kind: 'embedded'}, workspace, {
    lockTimeoutMs: 30_000,
    description: 'sbx plan',
  })
  try {
    return databaseHistory(await target.readHistory(), {kind: 'embedded'})
  } finally {
    await target.close()
  }
}

function describeHistory(history: History | undefined): string {
  if (!history) return 'nothing applied'
  const origin = history.origin
  if (origin.kind === 'branch') return `branch ${origin.ref}`
  if (origin.kind === 'database') return 'the database (--db-url)'
  if (origin.kind === 'linked') return 'the linked project'
  return 'the embedded database'
}
