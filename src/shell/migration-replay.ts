/**
 * Running migration files on an in-process PGlite the way `supabase db push` runs them on a server (measured against supabase 3.1):
 * `RESET ALL` before each file, each step of the replay plan in its own transaction, statements sent one by
 * one through the extended protocol (so a piece holding two commands fails as it would under supabase), and
 * the file's row inserted into supabase_migrations.schema_migrations with the same SQL and parameters.
 */
import type {ReplayPlan} from '../core/replay-plan.js'
import type {DatabaseErrorInfo} from '../core/verify-report.js'

export const HISTORY_INSERT =
  'INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)'

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
}

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
 * Read-only queries run right after each statement that leaves a transaction open, before the next statement
 * (verify's risk trace: the locks the statement took). `collect` gets each query's rows, in the order of `sql`.
 */
export interface StatementProbe {
  sql: readonly string[]
  /** False for a statement not worth probing (it can lock no relation): no round trip. */
  wants?(statementIndex: number): boolean
  collect(statementIndex: number, rows: ReadonlyArray<readonly Record<string, unknown>[]>): void
}

/**
 * What the replay needs of a database: PGlite has it, and so has the `pg` client of a shadow database
 * (shell/shadow-db.ts). `query` sends one statement through the extended protocol.
 */
export interface ReplayDatabase {
  exec(sql: string): Promise<unknown>
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{rows: T[]}>
  isInTransaction(): boolean
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

/** Applies one file; returns where it failed, after rolling back what the failing step did. */
export async function replayMigration(
  db: ReplayDatabase,
  file: ReplayedFile,
  plan: ReplayPlan,
  stepOver?: StepOver,
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
        if (stepOver) await runOrStepOver(db, index, statement, stepOver)
        else await db.query(statement)
        if (probe && (probe.wants?.(index) ?? true) && db.isInTransaction()) await runProbe(db, index, probe)
      }
      if (step.recordsHistory) {
        statementIndex = file.statements.length
        statement = HISTORY_INSERT
        await db.query(HISTORY_INSERT, [file.version, file.name, file.statements])
      }
      if (step.transaction) {
        statement = 'COMMIT'
        await db.exec('COMMIT')
      }
      committed += step.statements.length
    }
    return undefined
  } catch (error) {
    // Anything but an error reported by Postgres (a crashed WebAssembly instance…) is not the file's fault.
    if (!isDatabaseError(error)) throw error
    // A file that opened its own transaction (autocommit mode) is rolled back too, as supabase does.
    if (db.isInTransaction()) await db.exec('ROLLBACK')
    return {statementIndex, statement, error: databaseErrorInfo(error), partial: committed > 0}
  }
}

/**
 * Sent as simple-protocol queries: on the embedded database one takes about 0.25 ms, against 0.54 ms through the
 * extended protocol (measured with the pg_locks probe). PGlite's exec returns one result per statement, pg's one.
 */
async function runProbe(db: ReplayDatabase, index: number, probe: StatementProbe): Promise<void> {
  const results: Record<string, unknown>[][] = []
  for (const sql of probe.sql) {
    const result = (await db.exec(sql)) as
      | {rows?: Record<string, unknown>[]}
      | Array<{rows?: Record<string, unknown>[]}>
    results.push((Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? [])
  }
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
