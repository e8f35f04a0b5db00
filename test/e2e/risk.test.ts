/**
 * The risk trace end to end: a real PostgreSQL target holding `public.big` with 1,000,000 rows, pending migrations
 * one per file, and the built CLI's verify, plan and push. The time model's check against measured runs is in
 * test/timing/, which runs after every other test so that no other work shares the cores with it.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {needsServer} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {RISK_ENV as env, FILES, MIGRATIONS, useBigTableTarget} from '../helpers/risk-target.js'

const serverUrl = process.env.SBX_TEST_DATABASE_URL

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
  const target = useBigTableTarget(serverUrl)
  const query = target.query

  it('plan --format json: the retype locks and rewrites public.big, the concurrent index only ShareUpdateExclusiveLock, a constant default no rewrite, a volatile one a rewrite', async () => {
    const risk = await target.planRisk(tmpProject(MIGRATIONS))
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
    const result = await runSbx(['plan', '--db-url', target.url(), '--format', 'markdown'], {
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
    const result = await runSbx(['push', '--db-url', target.url()], {cwd: dir, env, timeoutMs: 180_000})
    expect(result.exitCode, result.stderr).toBe(3)
    const line = result.stdout.split('\n').find((l) => l.includes(FILES.retype)) ?? ''
    expect(line).toContain('statement 0')
    expect(line).toContain('public.big')
    expect(line).toMatch(/\d+ MB on the target, estimated \d+(\.\d)? s/u)
    expect(line).toContain('add a new column of the new type, backfill it in batches')
    expect(result.stdout).toContain(`${FILES.at} statement 0`)
    expect(result.stderr).toContain(`${FILES.retype}  risk: high`)

    const json = await runSbx(['push', '--db-url', target.url(), '--json'], {cwd: dir, env, timeoutMs: 180_000})
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
})
