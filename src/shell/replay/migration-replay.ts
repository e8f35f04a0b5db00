/**
 * Running migration files on the embedded database or a shadow server the way `supabase db push` (3.1) runs them:
 * `RESET ALL` before each file, each step of the replay plan as one pipeline of extended-protocol messages with
 * one Sync (shell/replay/replay-pipeline.ts: a piece holding two commands fails as under supabase, and the server
 * decides what an implicit transaction refuses), the file's row inserted into
 * supabase_migrations.schema_migrations with the same SQL and parameters in the same pipeline.
 */

import {HISTORY_INSERT} from '../../core/migrations/history.js'
import {stripLeadingComments} from '../../core/sql/sql-statements.js'
import {
  isNonTransactional,
  isTransactionControl,
  type ReplayPlan,
  type ReplayStep,
} from '../../core/verify/replay-plan.js'
import type {DatabaseErrorInfo} from '../../core/verify/verify-report.js'
import {ReplayTimeout} from '../embedded/embedded-worker.js'
import {
  chunkQueries,
  type PipelineOutcome,
  type PipelineQuery,
  runPipeline,
  type SendPipeline,
  type StatementProbe,
} from './replay-pipeline.js'

export type {StatementProbe} from './replay-pipeline.js'

/** supabase's own DDL, run once before the first file. */
const HISTORY_TABLE = [
  'CREATE SCHEMA IF NOT EXISTS supabase_migrations',
  'CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)',
  'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]',
  'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text',
]

export interface ReplayFailure {
  /** 0-based, as supabase's "At statement: N"; the file's statement count when the history insert failed. */
  statementIndex: number
  statement: string
  error: DatabaseErrorInfo
  /** Whether statements of the file had already committed (autocommit, or a step split off by CONCURRENTLY…). */
  partial: boolean
  /** Stopped after running this long ([verify] statement_timeout). */
  timedOutMs?: number
}

/** Statements refused before they reach the database, with the error the project's server would give. */
export type Refusal = (
  index: number,
  statement: string,
  /** The statements before it in the same step (its transaction). */
  earlier: readonly string[],
) => {code: string; message: string} | undefined

export interface ReplayedFile {
  version: string
  name: string
  statements: readonly string[]
}

/**
 * For replaying without an extension the embedded database lacks: statements not sent at all (its CREATE
 * EXTENSION), and failures stepped over (statements needing it). A stepped-over statement is undone alone
 * (a savepoint when a transaction is open) and the file goes on.
 */
export interface StepOver {
  omit(index: number): boolean
  allows(index: number, error: DatabaseErrorInfo): boolean
  /** Called for each omitted (no error) or stepped-over statement. */
  skipped(index: number, error?: DatabaseErrorInfo): void
}

/**
 * What the replay needs of a database: PGlite has it, and so has the `pg` client of a shadow database
 * (shell/replay/shadow-db.ts). `query` sends one statement through the extended protocol.
 */
export interface ReplayDatabase {
  exec(sql: string): Promise<unknown>
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{rows: T[]}>
  isInTransaction(): boolean
  /** Sends a pipeline of protocol messages ending in one Sync; returns the server's answer. */
  pipeline: SendPipeline
  /**
   * Answer `COPY … FROM STDIN` with PostgreSQL's 08P01 without sending it: PGlite's WebAssembly exits on it (0.4.6,
   * 0.5.14) and a real server ends the session after the error (measured on 15).
   */
  exitsOnCopyFromStdin?: boolean
}

export async function createHistoryTable(db: ReplayDatabase): Promise<void> {
  await db.exec('BEGIN')
  try {
    for (const sql of HISTORY_TABLE) await db.query(sql)
    await db.exec('COMMIT')
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/**
 * Applies one file; returns where it failed, after rolling back what the failing step did. Each step goes as one
 * pipeline (shell/replay/replay-pipeline.ts), so the server decides what fails. A file replayed with statements stepped
 * over (an extension the embedded database lacks) keeps the explicit-transaction path: only a savepoint can undo
 * one statement and go on, and a savepoint needs a transaction block.
 */
export async function replayMigration(
  db: ReplayDatabase,
  file: ReplayedFile,
  plan: ReplayPlan,
  stepOver?: StepOver,
  probe?: StatementProbe,
  refusal?: Refusal,
): Promise<ReplayFailure | undefined> {
  const refuse = withCopyRefusal(db, refusal)
  // A screen watches only a file that runs as one transaction: anything else is probed after each statement.
  const screened = probe?.screen && !stepOver && plan.steps.length === 1 && plan.steps[0]?.transaction
  let watch = probe?.screen && !screened ? await probe.screen.full() : probe
  if (stepOver) return replayStepByStep(db, file, plan, stepOver, refuse, watch)
  let committed = 0
  for (const [at, step] of plan.steps.entries()) {
    // The RESET ALL before the file goes with its first pipeline: one round trip to the worker less a file.
    const options = at === 0 ? {reset: true} : undefined
    let outcome = await runStep(db, file, step, refuse, watch, options, committed)
    if (!('status' in outcome)) return outcome
    if (outcome.rescreen && watch?.screen) {
      // Rolled back by its Sync: the same step again, from the same state, probed after each statement.
      watch = await watch.screen.full()
      outcome = await runStep(db, file, step, refuse, watch, options, committed)
      if (!('status' in outcome)) return outcome
    }
    // A file that opened its own transaction (autocommit mode) is rolled back, as supabase does.
    if (outcome.failure && outcome.status !== 'I') await db.exec('ROLLBACK')
    if (outcome.failure) {
      const {query, error} = outcome.failure
      const last = step.recordsHistory ? file.statements.length : (step.statements.at(-1) ?? -1)
      // No query left: the Sync's commit failed (a deferred constraint), one past the last query.
      const statementIndex = query?.index ?? last + 1
      const statement = query
        ? query.index < file.statements.length
          ? (file.statements[query.index] as string)
          : HISTORY_INSERT
        : 'COMMIT'
      return {statementIndex, statement, error, partial: committed > 0}
    }
    committed += step.statements.length
  }
  return undefined
}

/** One step as one pipeline: what the server did with it, or the failure of a statement that ran too long. */
async function runStep(
  db: ReplayDatabase,
  file: ReplayedFile,
  step: ReplayStep,
  refuse: Refusal,
  probe: StatementProbe | undefined,
  options: {reset: boolean} | undefined,
  committed: number,
): Promise<PipelineOutcome | ReplayFailure> {
  const queries = stepQueries(file, step, refuse, probe)
  try {
    return await runPipeline(db.pipeline, queries, probe, options)
  } catch (error) {
    if (!(error instanceof ReplayTimeout)) throw error
    const query = chunkQueries(queries)[error.chunk ?? 0]?.[0] ?? queries[0]
    const index = query?.index ?? step.statements[0] ?? 0
    return timedOut(file, index, error.elapsedMs, committed > 0)
  }
}

function timedOut(file: ReplayedFile, index: number, elapsedMs: number, partial: boolean): ReplayFailure {
  const statement = index < file.statements.length ? (file.statements[index] as string) : HISTORY_INSERT
  return {
    statementIndex: index,
    statement,
    error: {
      code: QUERY_CANCELED,
      message: `canceling statement due to statement timeout (stopped after ${elapsedMs} ms)`,
    },
    partial,
    timedOutMs: elapsedMs,
  }
}

const QUERY_CANCELED = '57014'

function stepQueries(file: ReplayedFile, step: ReplayStep, refuse: Refusal, probe?: StatementProbe): PipelineQuery[] {
  const queries: PipelineQuery[] = []
  for (const index of step.statements) {
    const sql = file.statements[index] as string
    const refused = refuse(
      index,
      sql,
      queries.filter((q) => !q.probe).map((q) => q.sql),
    )
    if (refused) {
      // The server's error at this statement; nothing after it runs.
      queries.push({index, sql: raising(refused)})
      return queries
    }
    queries.push({index, sql})
    // Not after a statement that runs outside a transaction or ends one: nothing would hold its locks.
    const probed = probe && (probe.wants?.(index) ?? true) && !isNonTransactional(sql) && !isTransactionControl(sql)
    if (probed) {
      for (const [at, extra] of probe.sql.entries()) {
        const prepared = probe.prepared?.[at]
        queries.push(
          prepared
            ? {index, sql: extra, probe: true, prepared: prepared.name, params: prepared.params}
            : {index, sql: extra, probe: true},
        )
      }
    }
  }
  const last = step.statements.at(-1)
  if (probe?.step && step.transaction && last !== undefined) {
    const {sql, prepared} = probe.step
    queries.push({
      index: last,
      sql,
      probe: 'step',
      ...(prepared ? {prepared: prepared.name, params: prepared.params} : {}),
    })
  }
  if (step.recordsHistory) {
    queries.push({
      index: file.statements.length,
      sql: HISTORY_INSERT,
      params: [file.version, file.name, file.statements],
    })
  }
  // Last, so that any failure of the file's own comes first and the screen only ever sees a step that completed.
  if (probe?.screen && step.transaction) {
    const {sql, prepared} = probe.screen
    queries.push({
      index: file.statements.length,
      sql,
      probe: 'screen',
      ...(prepared ? {prepared: prepared.name, params: prepared.params} : {}),
    })
  }
  return queries
}

const COPY_FROM_STDIN = /^COPY\b[^;]*?\bFROM\s+STDIN\b/iu
/** PostgreSQL 15's answer to supabase's pipeline after `COPY … FROM STDIN` (measured: 08P01, at that statement). */
const COPY_REFUSED = {code: '08P01', message: 'unexpected message type 0x50 during COPY from stdin'}

function withCopyRefusal(db: ReplayDatabase, refuse: Refusal | undefined): Refusal {
  return (index, statement, earlier) => {
    if (db.exitsOnCopyFromStdin && COPY_FROM_STDIN.test(stripLeadingComments(statement))) return COPY_REFUSED
    return refuse?.(index, statement, earlier)
  }
}

/** A statement that fails with exactly this error. */
function raising(error: {code: string; message: string}): string {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`
  return `DO $sbx$ BEGIN RAISE EXCEPTION USING ERRCODE = ${literal(error.code)}, MESSAGE = ${literal(error.message)}; END $sbx$`
}

/** The replay before pipelines: explicit BEGIN/COMMIT per step, one statement at a time (for StepOver). */
async function replayStepByStep(
  db: ReplayDatabase,
  file: ReplayedFile,
  plan: ReplayPlan,
  stepOver: StepOver,
  refuse: Refusal,
  probe?: StatementProbe,
): Promise<ReplayFailure | undefined> {
  await db.exec('RESET ALL')
  let statementIndex = 0
  let statement = ''
  let committed = 0
  try {
    for (const step of plan.steps) {
      if (step.transaction) await db.exec('BEGIN')
      for (const index of step.statements) {
        statementIndex = index
        statement = file.statements[index] as string
        const earlier = step.statements.filter((i) => i < index).map((i) => file.statements[i] as string)
        const refused = refuse(index, statement, earlier)
        if (refused) await db.query(raising(refused))
        await runOrStepOver(db, index, statement, stepOver)
        if (probe && (probe.wants?.(index) ?? true) && db.isInTransaction()) await runProbe(db, index, probe)
      }
      if (step.recordsHistory) {
        statementIndex = file.statements.length
        statement = HISTORY_INSERT
        await db.query(HISTORY_INSERT, [file.version, file.name, file.statements])
      }
      if (step.transaction) {
        statementIndex = (step.recordsHistory ? file.statements.length : (step.statements.at(-1) ?? -1)) + 1
        statement = 'COMMIT'
        await db.exec('COMMIT')
      }
      committed += step.statements.length
    }
    return undefined
  } catch (error) {
    if (error instanceof ReplayTimeout) return timedOut(file, statementIndex, error.elapsedMs, committed > 0)
    // Anything but an error reported by Postgres (a crashed WebAssembly instance…) is not the file's fault.
    if (!isDatabaseError(error)) throw error
    if (db.isInTransaction()) await db.exec('ROLLBACK')
    return {statementIndex, statement, error: databaseErrorInfo(error), partial: committed > 0}
  }
}

/**
 * The probe on the step-over path (statements one at a time, not a pipeline): through `query`, the one call
 * every ReplayDatabase answers with rows (the embedded worker's `exec` returns none).
 */
async function runProbe(db: ReplayDatabase, index: number, probe: StatementProbe): Promise<void> {
  const results: Record<string, unknown>[][] = []
  for (const sql of probe.sql) results.push((await db.query<Record<string, unknown>>(sql)).rows)
  probe.collect(index, results)
}

async function runOrStepOver(db: ReplayDatabase, index: number, statement: string, stepOver: StepOver): Promise<void> {
  if (stepOver.omit(index)) {
    stepOver.skipped(index)
    return
  }
  const savepoint = db.isInTransaction()
  if (savepoint) await db.exec('SAVEPOINT sbx_step_over')
  try {
    await db.query(statement)
  } catch (error) {
    if (!isDatabaseError(error)) throw error
    const info = databaseErrorInfo(error)
    if (!stepOver.allows(index, info)) throw error
    if (savepoint) await db.exec('ROLLBACK TO SAVEPOINT sbx_step_over')
    stepOver.skipped(index, info)
  }
  // The statement may have ended the transaction itself (COMMIT in a file that manages its own).
  if (savepoint && db.isInTransaction()) await db.exec('RELEASE SAVEPOINT sbx_step_over')
}

export async function serverVersion(db: ReplayDatabase): Promise<string> {
  const result = await db.query<{version: string}>('select version()')
  // "PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by …"
  return (result.rows[0]?.version ?? '').split(' on ')[0] as string
}

interface PostgresError extends Error {
  severity: string
  code?: string
  detail?: string
  hint?: string
  position?: string
}

function isDatabaseError(error: unknown): error is PostgresError {
  return error instanceof Error && typeof (error as Partial<PostgresError>).severity === 'string'
}

function databaseErrorInfo(e: PostgresError): DatabaseErrorInfo {
  const info: DatabaseErrorInfo = {message: e.message}
  if (e.code) info.code = e.code
  if (e.detail) info.detail = e.detail
  if (e.hint) info.hint = e.hint
  if (e.position && Number(e.position) > 0) info.position = Number(e.position)
  return info
}
