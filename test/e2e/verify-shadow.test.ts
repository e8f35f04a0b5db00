/**
 * `sbx verify --shadow-url` on the real PostgreSQL server (SBX_TEST_DATABASE_URL): the replay and the advisors run
 * on a throwaway sbx_shadow_<random> database, which is gone afterwards — also after a SIGKILLed run, once another
 * run comes — while a live run's shadow is never dropped by another. The built CLI (npm run build first).
 */
import {randomBytes} from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import pg from 'pg'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {runSbx, SUPABASE_BIN, startSbx} from '../helpers/cli.js'
import {needsServer} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {silentServer} from '../helpers/registry.js'

const SERVER = process.env.SBX_TEST_DATABASE_URL
const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR, SBX_SUPABASE_BIN: SUPABASE_BIN}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({connectionString: SERVER})
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

const shadows = async () =>
  (await query<{datname: string}>("select datname from pg_database where datname like 'sbx\\_shadow\\_%'")).map(
    (r) => r.datname,
  )

/** Polls a condition on the server (a state change of another process), never a fixed sleep. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return
    await delay(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * Starts `sbx verify --shadow-url` on a project whose one migration waits for a role this test alters in an open
 * transaction (roles are cluster-wide, so the wait crosses databases); resolves once the run waits there, in the
 * middle of its replay. `holder` holds the transaction; rolling it back lets the migration go on.
 */
async function verifyWaitingMidReplay(args: string[]) {
  const role = `sbx_block_${randomBytes(4).toString('hex')}`
  await query(`create role ${role} nologin`)
  onTestFinished(() => query(`drop role if exists ${role}`).then(() => undefined))
  const holder = new pg.Client({connectionString: SERVER})
  await holder.connect()
  onTestFinished(() => holder.end())
  await holder.query('begin')
  await holder.query(`alter role ${role} connection limit 5`)
  const cwd = tmpProject({'supabase/migrations/20260101000000_wait.sql': `alter role ${role} connection limit 6;\n`})
  const before = new Set(await shadows())
  const run = startSbx(['verify', '--shadow-url', SERVER as string, ...args], {cwd, env, timeoutMs: 180_000})
  await until(
    async () =>
      (
        await query(
          "select 1 from pg_stat_activity where datname like 'sbx\\_shadow\\_%' and wait_event_type = 'Lock' and query like 'alter role%'",
        )
      ).length > 0,
    'the run to wait on the role',
  )
  const [live] = (await shadows()).filter((name) => !before.has(name))
  expect(live).toBeDefined()
  return {run, live: live as string, holder}
}

describe('sbx verify --shadow-url on PostgreSQL', () => {
  needsServer()
  it('the INF-015 shape (functions before their tables) fails there too, naming both files; the shadow is gone', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20260207070000_grw011_functions.sql':
        'create function public.assess_churn_risk(uid uuid) returns numeric language sql as $$ select score from public.churn_risk_assessments where user_id = uid $$;\n',
      'supabase/migrations/20260207080000_grw011_tables.sql':
        'create table public.churn_risk_assessments (user_id uuid primary key, score numeric);\n',
    })

    const result = await runSbx(['verify', '--shadow-url', SERVER as string, '--json'], {cwd, env, timeoutMs: 180_000})

    expect(result.exitCode, result.stderr).toBe(3)
    const report = JSON.parse(result.stdout) as VerifyReport
    expect(report.failure).toMatchObject({
      file: '20260207070000_grw011_functions.sql',
      statementIndex: 0,
      error: {code: '42P01'},
      createdBy: {file: '20260207080000_grw011_tables.sql', statementIndex: 0},
    })
    expect(report.database?.version).toMatch(/^PostgreSQL 1\d\./)
    expect(report.shadow?.database).toMatch(/^sbx_shadow_[0-9a-f]{12}$/)
    expect(await shadows()).not.toContain(report.shadow?.database)
  }, 180_000)

  it('advisors run on the shadow and attribute findings; [verify] shadow_url works as the flag does', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20260101000000_notes.sql': 'create table public.notes (id bigint primary key, body text);\n',
      'supabase/sbx.toml': `[verify]\nadvisors = "error"\nshadow_url = "env(SHADOW_SERVER)"\n`,
    })
    const result = await runSbx(['verify'], {cwd, env: {...env, SHADOW_SERVER: SERVER}, timeoutMs: 180_000})
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stdout).toMatch(/Ran on the shadow database sbx_shadow_\w+ \(PostgreSQL 1\d/)
    expect(result.stdout).toMatch(
      /ERROR rls_disabled_in_public: table public\.notes, created by 20260101000000_notes\.sql/,
    )
  }, 180_000)

  it("a SIGKILLed run's shadow is removed by the next run, while a live run's shadow is never dropped", async () => {
    const {run, live, holder} = await verifyWaitingMidReplay(['--advisors', 'off', '--lint', 'off'])

    // Another run meanwhile: the live shadow stays.
    const other = tmpProject({
      'supabase/migrations/20260101000000_ok.sql': 'create table public.t (id int primary key);\n',
    })
    const concurrent = await runSbx(['verify', '--shadow-url', SERVER as string, '--json'], {
      cwd: other,
      env,
      timeoutMs: 180_000,
    })
    expect(concurrent.exitCode, concurrent.stderr).toBe(0)
    expect((JSON.parse(concurrent.stdout) as VerifyReport).shadow?.removedAbandoned).not.toContain(live)
    expect(await shadows()).toContain(live)

    run.kill('SIGKILL')
    await run
    await holder.query('rollback')
    // The killed run's sessions end once the server sees its sockets close.
    await until(
      async () => (await query("select 1 from pg_locks where locktype = 'advisory' and classid = 1461")).length === 0,
      "the killed run's sessions to end",
    )
    expect(await shadows()).toContain(live)

    const next = await runSbx(['verify', '--shadow-url', SERVER as string, '--json'], {
      cwd: other,
      env,
      timeoutMs: 180_000,
    })
    expect(next.exitCode, next.stderr).toBe(0)
    expect((JSON.parse(next.stdout) as VerifyReport).shadow?.removedAbandoned).toContain(live)
    expect(await shadows()).not.toContain(live)
  }, 300_000)

  it('SIGTERM mid-replay: the run drops its shadow before it exits', async () => {
    const {run, live, holder} = await verifyWaitingMidReplay([])

    run.kill('SIGTERM')
    const result = await run
    expect(result.exitCode).toBe(143)
    expect(await shadows()).not.toContain(live)
    await holder.query('rollback')
  }, 180_000)

  it('a shadow server that never answers: one line naming it, exit 5, no password', async () => {
    const port = await silentServer()
    const url = `postgresql://postgres:s3cret-pw@127.0.0.1:${port}/postgres`
    const cwd = tmpProject({
      'supabase/migrations/20260101000000_ok.sql': 'create table public.t (id int primary key);\n',
    })
    const result = await runSbx(['verify', '--shadow-url', url, '--json'], {cwd, env, timeoutMs: 180_000})
    expect(result.exitCode, result.stderr).toBe(5)
    expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'ESHADOWCONNECT'}})
    expect(result.stdout).toMatch(new RegExp(`Cannot connect to the shadow server .*127\\.0\\.0\\.1:${port}`))
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw')
  }, 180_000)

  it('without CREATEDB: one clear line, exit 5, also under --json', async () => {
    const role = `sbx_nocreatedb_${randomBytes(4).toString('hex')}`
    await query(`create role ${role} login nocreatedb`)
    onTestFinished(() => query(`drop role if exists ${role}`).then(() => undefined))
    const url = new URL(SERVER as string)
    url.username = role
    const cwd = tmpProject({
      'supabase/migrations/20260101000000_ok.sql': 'create table public.t (id int primary key);\n',
    })

    const human = await runSbx(['verify', '--shadow-url', url.toString()], {cwd, env, timeoutMs: 180_000})
    expect(human.exitCode).toBe(5)
    const oneLine = human.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')
    expect(oneLine).toMatch(/refused to create a database .*needs CREATEDB/)

    const json = await runSbx(['verify', '--shadow-url', url.toString(), '--json'], {cwd, env, timeoutMs: 180_000})
    expect(json.exitCode).toBe(5)
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'ESHADOWCREATEDB'}})
  }, 180_000)
})
