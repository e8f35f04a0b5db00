/**
 * What `sbx verify` adds to the replay: Supabase's security advisors on the replayed database (each finding
 * attributed to the migration that created its object) and the squawk lint of the files not yet applied.
 */

import type {SbxConfig} from '../../core/config.js'
import type {Migration} from '../../core/migrations/migration-file.js'
import {
  ADVISORS_NOT_RUN,
  type AdvisorsReport,
  attributeFindings,
  effectiveLevel,
  type ObjectLedger,
} from '../../core/verify/advisors.js'
import type {LintReport} from '../../core/verify/lint.js'
import {
  type BlockingLevel,
  DEFAULT_LINT_SETTINGS,
  DEFAULT_VERIFY_SETTINGS,
  type LintSettings,
  type VerifySettings,
} from '../../core/verify/verify-config.js'
import {type FreshDatabase, serveDatabase} from '../../shell/embedded/embedded-db.js'
import {apiSchemas} from '../../shell/project/supabase-config.js'
import {openWorkspace} from '../../shell/project/workspace.js'
import {checkSupabaseConfig, runAdvisors} from '../../shell/supabase/advisors.js'
import {openSupabase} from '../../shell/supabase/supabase.js'
import {lintFiles} from '../lint.js'
import {branchHistory} from './project-state.js'

export type Scope = AdvisorsReport['scope']

export interface DeeperSettings {
  advisors: {level: BlockingLevel; ignore: readonly string[]}
  lint: LintSettings
  verify: VerifySettings
}

/** sbx.toml's [verify] and [lint], with this run's flags applied. */
export function deeperSettings(
  config: SbxConfig,
  flags: {advisors?: BlockingLevel; lint?: BlockingLevel; against?: string},
): DeeperSettings {
  const verify = config.verify ?? DEFAULT_VERIFY_SETTINGS
  const lint = config.lint ?? DEFAULT_LINT_SETTINGS
  return {
    advisors: {
      level: effectiveLevel(verify.advisors, flags.advisors, flags.against !== undefined),
      ignore: verify.ignore,
    },
    lint: flags.lint ? {...lint, level: flags.lint} : lint,
    verify,
  }
}

/** The files this branch added since its merge base with `ref` (those REF does not have). */
export async function branchFiles(
  workdir: string | undefined,
  ref: string,
  migrations: readonly Migration[],
): Promise<Set<string>> {
  const history = await branchHistory(await openWorkspace({workdir}), ref)
  return new Set(migrations.filter((m) => !history.applied.has(m.version)).map((m) => m.file))
}

export function lintUnapplied(
  migrationsDir: string,
  migrations: readonly Migration[],
  blockable: ReadonlySet<string> | undefined,
  settings: LintSettings,
): Promise<LintReport> {
  const files = migrations.map((m) => m.file).filter((file) => blockable === undefined || blockable.has(file))
  return lintFiles({dir: migrationsDir, files, settings, pending: blockable !== undefined})
}

export function advisorsReportWhenNotRun(
  settings: DeeperSettings['advisors'],
  scope: Scope,
  reason: string,
): AdvisorsReport {
  const status = settings.level === 'off' ? 'off' : 'skipped'
  return {status, ...(status === 'skipped' ? {reason} : {}), level: settings.level, scope, findings: [], notRun: []}
}

export interface AdvisorsRun {
  workdir: string
  settings: DeeperSettings['advisors']
  scope: Scope
  blockable: ReadonlySet<string> | undefined
}

/**
 * Whether supabase accepts config.toml, asked before the replay when the advisors will run: a config it refuses
 * fails in a second with supabase's own words (exit 2), not after the whole replay.
 */
export async function supabaseAcceptsConfig(workdir: string, settings: DeeperSettings): Promise<void> {
  if (settings.advisors.level === 'off') return
  await checkSupabaseConfig(await openSupabase(workdir), workdir)
}

/**
 * Serves the replayed embedded database on loopback and runs the real `supabase db advisors` on it, with the
 * Data API's schemas set as PostgREST's db_schemas (the baseline already grants the API roles as Supabase does).
 *
 * Without nested loops while supabase asks: its advisors are one query of 23 lints over the catalogs, which the
 * embedded database has no statistics for (no autovacuum), so the planner expects 1 row where there are
 * thousands and loops over pg_depend per constraint. Measured on 1,000 tables: unindexed_foreign_keys 1.18 s ->
 * 0.07 s, unused_index 0.61 s -> 0.03 s, all 23 lints 2.3 s -> 0.9 s; on 5 tables no difference (0.09 s). ANALYZE
 * of the catalogs instead cost 0.17 s and made duplicate_index 9 times slower. A planner setting changes no result.
 */
export async function advisorsOnEmbedded(
  database: FreshDatabase,
  ledger: ObjectLedger | undefined,
  run: AdvisorsRun,
): Promise<AdvisorsReport> {
  if (run.settings.level === 'off') return advisorsReportWhenNotRun(run.settings, run.scope, '')
  const schemas = await apiSchemas(run.workdir)
  // PGlite shares session settings between the connections it serves, and ignores ALTER DATABASE … SET.
  await database.db.query('select set_config($1, $2, false)', ['pgrst.db_schemas', schemas.join(', ')])
  await database.db.query(`select set_config('enable_nestloop', 'off', false)`)
  try {
    const served = await serveDatabase(database.db)
    try {
      return await advisorsAt(served.url, ledger, run)
    } finally {
      await served.close()
    }
  } finally {
    await database.db.query('reset enable_nestloop')
  }
}

/** The advisors on a database that already has PostgREST's db_schemas set (a shadow sets it on creation). */
export async function advisorsAt(
  url: string,
  ledger: ObjectLedger | undefined,
  run: AdvisorsRun,
): Promise<AdvisorsReport> {
  if (run.settings.level === 'off') return advisorsReportWhenNotRun(run.settings, run.scope, '')
  const cli = await openSupabase(run.workdir)
  const raw = await runAdvisors(cli, url, run.workdir)
  return {
    status: 'ran',
    level: run.settings.level,
    scope: run.scope,
    findings: attributeFindings(raw, ledger, {
      ignore: run.settings.ignore,
      level: run.settings.level,
      blockable: run.blockable,
    }),
    supabase: cli.version,
    notRun: ADVISORS_NOT_RUN,
  }
}
