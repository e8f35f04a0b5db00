/**
 * replayMigration against the real thing: each file is replayed in-process on one fresh embedded database and
 * pushed by the real supabase binary to another, and both must end in the same state (tables, history rows)
 * and fail at the same statement.
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {migrationStatements} from '../../src/core/sql/sql-statements.js'
import {planReplay} from '../../src/core/verify/replay-plan.js'
import {type FreshDatabase, freshDatabaseFromBaseline, serveDatabase} from '../../src/shell/embedded/embedded-db.js'
import {createHistoryTable, type ReplayFailure, replayMigration} from '../../src/shell/replay/migration-replay.js'
import {tmpProject} from '../helpers/project.js'
import {supabase} from '../helpers/supabase.js'

const env = {
  ...process.env,
  SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache'),
}

async function fresh(): Promise<FreshDatabase> {
  const database = await freshDatabaseFromBaseline({env})
  onTestFinished(() => database.close())
  return database
}

interface Outcome {
  tables: string[]
  history: Array<{version: string; statements: string[]}>
}

async function outcome(database: FreshDatabase): Promise<Outcome> {
  const tables = await database.db.query<{t: string}>(
    `select tablename as t from pg_tables where schemaname = 'public' order by 1`,
  )
  const history = await database.db
    .query<{version: string; statements: string[]}>(
      'select version, statements from supabase_migrations.schema_migrations order by version',
    )
    .catch(() => ({rows: []}))
  return {tables: tables.rows.map((row) => row.t), history: history.rows}
}

/** Replays `sql` as 20250101000000_case.sql in-process. */
async function replay(sql: string): Promise<{failure?: ReplayFailure; after: Outcome}> {
  const database = await fresh()
  await createHistoryTable(database.db)
  const file = {version: '20250101000000', name: 'case', ...migrationStatements(sql)}
  const failure = await replayMigration(database.db, file, planReplay(file))
  return {failure, after: await outcome(database)}
}

/** Pushes `sql` as 20250101000000_case.sql with the real supabase binary. */
async function push(sql: string): Promise<{exitCode: number; stderr: string; after: Outcome}> {
  const database = await fresh()
  const served = await serveDatabase(database.db)
  onTestFinished(() => served.close())
  const cwd = tmpProject({'supabase/migrations/20250101000000_case.sql': sql})
  const result = await supabase(['db', 'push', `--remote=${served.url}`, '--yes', '--agent=no'], cwd)
  return {exitCode: result.exitCode, stderr: result.stderr, after: await outcome(database)}
}

describe('replayMigration does what supabase db push does', () => {
  it.each([
    {
      case: 'a transactional file that fails leaves nothing behind',
      sql: 'create table a (id int);\ncreate table b (id int);\ninsert into missing values (1);',
      failsAt: 2,
      partial: false,
    },
    {
      case: 'a statement PostgreSQL refuses in a transaction splits the file, and what ran before stays',
      sql: 'create table a (id int);\ncreate index concurrently a_id on a (id);\ncreate table b (id int);\nselect 1/0;',
      failsAt: 3,
      partial: true,
    },
    {
      case: 'a file with its own BEGIN/COMMIT runs statement by statement, and the open transaction is rolled back',
      sql: 'create table a (id int);\nbegin;\ncreate table b (id int);\nselect 1/0;\ncommit;',
      failsAt: 3,
      partial: true,
    },
    {
      case: 'a piece holding two commands fails, as the extended protocol refuses it',
      sql: 'create table a (id int);\nselect 1 \\; select 2;',
      failsAt: 1,
      partial: false,
    },
    {
      case: 'a good file is applied and recorded with its statements',
      sql: '-- tables\ncreate table a (id int);\ncreate index concurrently a_id on a (id);\ncreate table b (id int);',
      failsAt: undefined,
      partial: false,
    },
  ])('$case', async ({sql, failsAt, partial}) => {
    const [replayed, pushed] = await Promise.all([replay(sql), push(sql)])

    expect(replayed.after).toEqual(pushed.after)
    if (failsAt === undefined) {
      expect(replayed.failure).toBeUndefined()
      expect(pushed.exitCode, pushed.stderr).toBe(0)
      expect(replayed.after.history).toEqual([
        {version: '20250101000000', statements: migrationStatements(sql).statements},
      ])
      return
    }
    expect(replayed.failure).toMatchObject({statementIndex: failsAt, partial})
    expect(pushed.exitCode).toBe(1)
    expect(pushed.stderr).toContain(`At statement: ${failsAt}`)
    expect(pushed.stderr).toContain(replayed.failure?.error.message)
  })
})
