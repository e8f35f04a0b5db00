/**
 * The risk trace end to end: a real PostgreSQL target holding `public.big` with 1,000,000 rows (analyzed, as
 * autovacuum leaves a production table), pending migrations one per file, and the built CLI's plan and push.
 * The time model is checked against the same statements run on that server.
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {needsServer} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'

const serverUrl = process.env.SBX_TEST_DATABASE_URL
const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}

const FILES = {
  big: '20260101000000_big.sql',
  retype: '20260102000000_retype.sql',
  index: '20260103000000_index.sql',
  flag: '20260104000000_flag.sql',
  at: '20260105000000_at.sql',
}
const BIG = 'create table public.big (id bigint generated always as identity primary key, n int not null);'
const MIGRATIONS = {
  [`supabase/migrations/${FILES.big}`]: `${BIG}\n`,
  [`supabase/migrations/${FILES.retype}`]: 'alter table public.big alter column n type bigint;\n',
  [`supabase/migrations/${FILES.index}`]: 'create index concurrently big_n_idx on public.big (n);\n',
  [`supabase/migrations/${FILES.flag}`]: 'alter table public.big add column flag int default 0;\n',
  [`supabase/migrations/${FILES.at}`]: 'alter table public.big add column at timestamptz default clock_timestamp();\n',
}

interface Risk {
  level: string
  locks: Array<{statement: number; relation: string; mode: string; heldThrough: number[]}>
  rewrites: Array<{statement: number; relation: string}>
  scans: unknown[]
  tables?: Array<{relation: string; bytes: number; rows: number}>
  estimatedSeconds?: number
  blocksReads: boolean
  blocksWrites: boolean
}

describe('sbx verify and the risk trace (embedded database)', () => {
  it('prints the high-risk migrations, and leaves them out with risk = "off"', async () => {
    const dir = tmpProject(MIGRATIONS)
    const text = await runSbx(['verify', '--advisors', 'off', '--lint', 'off'], {cwd: dir, env, timeoutMs: 180_000})
    expect(text.exitCode, text.stderr).toBe(0)
    expect(text.stdout).toContain(`risk   ${FILES.retype}: high`)
    expect(text.stdout).toContain('statement 0: AccessExclusiveLock on public.big (blocks reads and writes)')
    expect(text.stdout).not.toContain(`risk   ${FILES.index}`)
    const json = await runSbx(['verify', '--advisors', 'off', '--lint', 'off', '--json'], {
      cwd: dir,
      env,
      timeoutMs: 180_000,
    })
    const report = JSON.parse(json.stdout)
    expect(report.risk.map((r: {file: string}) => r.file)).toEqual([FILES.retype, FILES.at])
    const off = await runSbx(['verify', '--advisors', 'off', '--lint', 'off', '--json'], {
      cwd: dir,
      env: {...env, SBX_VERIFY_RISK: 'off'},
      timeoutMs: 180_000,
    })
    expect(JSON.parse(off.stdout).risk).toBeUndefined()
  }, 240_000)
})

describe('risk of migrations against a 1,000,000-row table on PostgreSQL', () => {
  needsServer()
  const name = `sbx_test_${randomBytes(6).toString('hex')}`
  let url = ''
  const query = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const client = new pg.Client({connectionString: url})
    await client.connect()
    try {
      return (await client.query<T>(sql)).rows
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    if (!serverUrl) return
    const admin = new pg.Client({connectionString: serverUrl})
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const target = new URL(serverUrl as string)
    target.pathname = `/${name}`
    url = target.toString()
    await query(`${BIG}
      insert into public.big (n) select g from generate_series(1, 1000000) g;
      analyze public.big;
      create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
      insert into supabase_migrations.schema_migrations values ('20260101000000', array['${BIG}'], 'big');`)
  }, 120_000)

  afterAll(async () => {
    if (!serverUrl) return
    const admin = new pg.Client({connectionString: serverUrl})
    await admin.connect()
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  })

  const planJson = async (dir: string) => {
    const result = await runSbx(['plan', '--db-url', url, '--format', 'json'], {cwd: dir, env, timeoutMs: 180_000})
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as {migrations: Array<{file: string; risk: Risk}>}
    return (file: string) => report.migrations.find((m) => m.file === file)?.risk as Risk
  }

  it('plan --format json: the retype locks and rewrites public.big, the concurrent index only ShareUpdateExclusiveLock, a constant default no rewrite, a volatile one a rewrite', async () => {
    const risk = await planJson(tmpProject(MIGRATIONS))
    const [{bytes}] = await query<{bytes: string}>(`select pg_total_relation_size('public.big') as bytes`)

    const retype = risk(FILES.retype)
    expect(retype).toMatchObject({
      level: 'high',
      locks: [{statement: 0, relation: 'public.big', mode: 'AccessExclusiveLock', heldThrough: []}],
      rewrites: [{statement: 0, relation: 'public.big'}],
      tables: [{relation: 'public.big', bytes: Number(bytes), rows: 1_000_000}],
      blocksReads: true,
      blocksWrites: true,
    })
    expect(Object.keys(retype)).toEqual([
      'level',
      'locks',
      'rewrites',
      'scans',
      'tables',
      'estimatedSeconds',
      'blocksReads',
      'blocksWrites',
    ])
    expect(retype.estimatedSeconds).toBeGreaterThan(0)

    const index = risk(FILES.index)
    expect(index.locks.map((l) => `${l.mode} ${l.relation}`)).toEqual(['ShareUpdateExclusiveLock public.big'])
    expect(index).toMatchObject({rewrites: [], scans: [], blocksReads: false, blocksWrites: false, level: 'low'})

    expect(risk(FILES.flag).rewrites).toEqual([])
    expect(risk(FILES.flag).locks.map((l) => l.mode)).toEqual(['AccessExclusiveLock'])
    expect(risk(FILES.at).rewrites).toEqual([{statement: 0, relation: 'public.big'}])
  }, 240_000)

  it('plan --format markdown shows the risk table with each estimate', async () => {
    const result = await runSbx(['plan', '--db-url', url, '--format', 'markdown'], {
      cwd: tmpProject(MIGRATIONS),
      env,
      timeoutMs: 180_000,
    })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('### Risk')
    expect(result.stdout).toContain('| # | migration | risk | blocking locks | downtime | estimated time |')
    const row = result.stdout.split('\n').find((line) => line.includes(`\`${FILES.retype}\``) && line.includes('HIGH'))
    expect(row).toMatch(
      /AccessExclusiveLock on public\.big.*rewrites `public\.big`.*reads and writes blocked \| \d+(\.\d)? s \|/u,
    )
    expect(result.stdout).toContain('| | **overall** | **HIGH** | | reads and writes blocked |')
  }, 240_000)

  it('verify --shadow-url traces on the real server too', async () => {
    const result = await runSbx(
      ['verify', '--shadow-url', serverUrl as string, '--advisors', 'off', '--lint', 'off', '--json'],
      {cwd: tmpProject(MIGRATIONS), env, timeoutMs: 180_000},
    )
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.shadow.server).toMatch(/PostgreSQL 15/u)
    expect(report.risk.map((r: {file: string; rewrites: unknown[]}) => [r.file, r.rewrites])).toEqual([
      [FILES.retype, [{statement: 0, relation: 'public.big'}]],
      [FILES.at, [{statement: 0, relation: 'public.big'}]],
    ])
  }, 240_000)

  it('risk = "error" refuses the push of the retype with exit 3 and sends nothing', async () => {
    const dir = tmpProject({
      ...MIGRATIONS,
      'supabase/sbx.toml': '[verify]\nrisk = "error"\nlarge_table = "10MB"\n',
    })
    fs.rmSync(path.join(dir, 'supabase', 'migrations', FILES.index))
    const result = await runSbx(['push', '--db-url', url], {cwd: dir, env, timeoutMs: 180_000})
    expect(result.exitCode, result.stderr).toBe(3)
    const line = result.stdout.split('\n').find((l) => l.includes(FILES.retype)) ?? ''
    expect(line).toContain('statement 0')
    expect(line).toContain('public.big')
    expect(line).toMatch(/\d+ MB on the target, estimated \d+(\.\d)? s/u)
    expect(line).toContain('add a new column of the new type, backfill it in batches')
    expect(result.stdout).toContain(`${FILES.at} statement 0`)
    expect(result.stderr).toContain(`${FILES.retype}  risk: high`)

    const json = await runSbx(['push', '--db-url', url, '--json'], {cwd: dir, env, timeoutMs: 180_000})
    expect(json.exitCode).toBe(3)
    const report = JSON.parse(json.stdout)
    expect(report.status).toBe('refused')
    expect(report.risk[0]).toMatchObject({file: FILES.retype, statement: 0, relation: 'public.big', why: 'rewrite'})

    expect(await query('select version from supabase_migrations.schema_migrations')).toEqual([
      {version: '20260101000000'},
    ])
    const [{type}] = await query<{type: string}>(
      `select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'public.big'::regclass and attname = 'n'`,
    )
    expect(type).toBe('integer')
  }, 240_000)

  it('estimates the time of the rewrite and of the index build within a factor of 3 of the measured run', async (context) => {
    const risk = await planJson(tmpProject(MIGRATIONS))
    const measure = async (sql: string) => {
      const client = new pg.Client({connectionString: url})
      await client.connect()
      try {
        const started = performance.now()
        await client.query(sql)
        return (performance.now() - started) / 1000
      } finally {
        await client.end()
      }
    }
    const index = await measure('create index concurrently big_n_idx on public.big (n)')
    await query('drop index public.big_n_idx')
    const rewrite = await measure('alter table public.big alter column n type bigint')
    const ratios = {
      rewrite: (risk(FILES.retype).estimatedSeconds as number) / rewrite,
      index: (risk(FILES.index).estimatedSeconds as number) / index,
    }
    await context.annotate(
      `estimate / measured: rewrite ${ratios.rewrite.toFixed(2)} (${rewrite.toFixed(2)} s measured), index ${ratios.index.toFixed(2)} (${index.toFixed(2)} s measured)`,
    )
    for (const [what, ratio] of Object.entries(ratios)) {
      expect(ratio, `${what}: estimate / measured`).toBeGreaterThan(1 / 3)
      expect(ratio, `${what}: estimate / measured`).toBeLessThan(3)
    }
  }, 240_000)
})
