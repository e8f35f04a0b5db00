/**
 * What issue 17 adds to verify: a statement that never ends is stopped and named (exit 3, nothing left running),
 * COPY FROM STDIN fails at once as under supabase, the project's major is reported (and enforced with
 * --exact-major), the shadow server decides the same way through the same pipeline, and push (which verifies
 * first) ends as verify does. All with the built CLI as a real process.
 */
import {once} from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'
import {runSbx, SUPABASE_BIN, startSbx} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

const SERVER = process.env.SBX_TEST_DATABASE_URL
const FILE = '20260101000000_case.sql'

interface Report {
  ok: boolean
  failure?: {
    file: string
    statementIndex: number
    statement: string
    error: {code?: string; message: string}
    timedOut?: {elapsedMs: number; limitMs: number}
  }
  database?: {version: string; major: number; projectMajor: number; exact: boolean; emulated: boolean; gap: string[]}
}

function project(sql: string, options: {major?: number; sbx?: string} = {}): string {
  return tmpProject({
    'supabase/config.toml': `project_id = "fidelity"\n\n[db]\nmajor_version = ${options.major ?? 15}\n`,
    'supabase/sbx.toml': options.sbx ?? '[verify]\nstatement_timeout = "3s"\n',
    [`supabase/migrations/${FILE}`]: sql,
  })
}

async function verifyJson(cwd: string, ...args: string[]) {
  const result = await runSbx(['verify', '--json', '--advisors', 'off', '--lint', 'off', ...args], {
    cwd,
    timeoutMs: 170_000,
  })
  return {exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report, stderr: result.stderr}
}

/** Scratch databases a process left in tmpfs (a stopped worker must not leave its copy behind). */
function scratchCopies(pid: number | undefined): string[] {
  if (!fs.existsSync('/dev/shm')) return []
  return fs.readdirSync('/dev/shm').filter((name) => name.startsWith(`sbx-db-${pid}-`))
}

/**
 * Resolves once a process's scratch copies are gone: a detached removal deletes them after it exits
 * (shell/embedded/detached-removal.ts). On each change of /dev/shm, not on a timer; a copy that stays fails the test
 * by its timeout.
 */
async function scratchCopiesRemoved(pid: number | undefined): Promise<void> {
  if (!fs.existsSync('/dev/shm')) return
  const watcher = fs.watch('/dev/shm')
  try {
    while (scratchCopies(pid).length > 0) await once(watcher, 'change')
  } finally {
    watcher.close()
  }
}

describe('sbx verify never hangs', () => {
  it.each([
    ['select pg_sleep(1e6)', 'create table t (id int);\nselect pg_sleep(1e6);\ncreate table u (id int);\n', 1],
    [
      'an endless recursive CTE',
      'create table t (id int);\ncreate table u (id int);\nwith recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r;\n',
      2,
    ],
  ])('stops %s after [verify] statement_timeout, naming file and statement (exit 3)', async (_name, sql, index) => {
    const run = startSbx(['verify', '--json', '--advisors', 'off', '--lint', 'off'], {
      cwd: project(sql),
      timeoutMs: 170_000,
    })
    const result = await run
    const report = JSON.parse(String(result.stdout)) as Report
    expect(result.exitCode).toBe(3)
    expect(report.failure).toMatchObject({
      file: FILE,
      statementIndex: index,
      error: {code: '57014'},
      timedOut: {limitMs: 3000},
    })
    expect(report.failure?.timedOut?.elapsedMs).toBeGreaterThanOrEqual(3000)
    // The process has exited (runSbx returned); its scratch copy of the database goes with it.
    await scratchCopiesRemoved(run.pid)
    expect(scratchCopies(run.pid)).toEqual([])
  })

  it('a verify killed by pid mid-replay leaves its scratch copy in tmpfs, and the next start removes it', async () => {
    const cwd = project('select pg_sleep(1e6);\n', {sbx: '[verify]\nstatement_timeout = "600s"\n'})
    const watcher = fs.watch('/dev/shm')
    const run = startSbx(['verify', '--json', '--advisors', 'off', '--lint', 'off'], {cwd, timeoutMs: 170_000})
    try {
      while (scratchCopies(run.pid).length === 0) await once(watcher, 'change')
    } finally {
      watcher.close()
    }
    process.kill(run.pid as number, 'SIGKILL')
    await run
    // Killed: no close, no detached rm; the copy carries a pid that no longer runs.
    expect(scratchCopies(run.pid)).toHaveLength(1)
    const cache = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
    const next = await freshDatabaseFromBaseline({env: {...process.env, SBX_CACHE_DIR: cache}})
    await next.close()
    expect(scratchCopies(run.pid)).toEqual([])
  })

  it('names the timeout in text: file, statement and elapsed', async () => {
    const result = await runSbx(['verify', '--advisors', 'off', '--lint', 'off'], {
      cwd: project('select pg_sleep(1e6);\n'),
      timeoutMs: 170_000,
    })
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain(`${FILE} fails at statement 0`)
    expect(result.stdout).toMatch(/Stopped after \d+\.\d s: it ran longer than \[verify\] statement_timeout \(3\.0 s\)/)
  })

  it('gives each statement the whole limit: four of 1.5 s under a 3 s limit pass', async () => {
    const sleeps = Array.from({length: 4}, () => 'select pg_sleep(1.5);').join('\n')
    const {exitCode, report} = await verifyJson(project(`create table t (id int);\n${sleeps}\n`))
    expect(report.failure).toBeUndefined()
    expect(exitCode).toBe(0)
  })

  it('fails COPY … FROM STDIN at once with 08P01, as supabase does', async () => {
    const {exitCode, report} = await verifyJson(project('create table t (id int);\ncopy t from stdin;\n'))
    expect(exitCode).toBe(3)
    expect(report.failure).toMatchObject({statementIndex: 1, error: {code: '08P01'}})
    expect(report.failure?.timedOut).toBeUndefined()
  })

  it('rejects a statement_timeout that is not a duration (exit 2)', async () => {
    const result = await runSbx(['verify', '--json'], {
      cwd: project('select 1;\n', {sbx: '[verify]\nstatement_timeout = "soon"\n'}),
    })
    expect(result.exitCode).toBe(2)
    expect(result.stdout + result.stderr).toContain('statement_timeout')
  })

  it('sbx push (embedded target) ends with exit 3 at a statement that never ends, and pushes nothing', async () => {
    const cwd = project('create table t (id int);\nselect pg_sleep(1e6);\n')
    const result = await runSbx(['push', '--json'], {cwd, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}, timeoutMs: 170_000})
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain(FILE)
    expect(result.stdout).toContain('57014')
  })

  it('sbx push (embedded target) of a project on 15 deploys through the 17 line with the real supabase', async () => {
    const cwd = project('create table t (id int);\nselect any_value(id) from t;\n')
    const failed = await runSbx(['push', '--json'], {cwd, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}, timeoutMs: 170_000})
    expect(failed.exitCode).toBe(3)
    expect(failed.stdout).toContain('42883')
    fs.writeFileSync(`${cwd}/supabase/migrations/${FILE}`, 'create table t (id int);\nselect count(id) from t;\n')
    const pushed = await runSbx(['push', '--json'], {cwd, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}, timeoutMs: 170_000})
    expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(0)
    expect(JSON.parse(pushed.stdout)).toMatchObject({status: 'pushed'})
  })
})

describe('the project major', () => {
  it('reports a replay on 17 for a project on 15, with the gap, and passes', async () => {
    const {exitCode, report} = await verifyJson(project('create table t (id int);\n'))
    expect(exitCode).toBe(0)
    expect(report.database).toMatchObject({major: 17, projectMajor: 15, exact: false, emulated: true})
    expect(report.database?.version).toMatch(/^PostgreSQL 17\.\d+ \(PGlite 0\.4\.\d+\)$/)
    expect(report.database?.gap.join('\n')).toContain('PostgreSQL 16')
  })

  it('--exact-major and [verify] exact_major exit 3 advising --shadow-url', async () => {
    const flag = await verifyJson(project('create table t (id int);\n'), '--exact-major')
    expect(flag.exitCode).toBe(3)
    expect(JSON.stringify(flag.report)).toContain('--shadow-url')
    const config = await runSbx(['verify'], {
      cwd: project('create table t (id int);\n', {sbx: '[verify]\nexact_major = true\n'}),
    })
    expect(config.exitCode).toBe(3)
    expect(config.stdout + config.stderr).toMatch(/major_version is 15.*--shadow-url/s)
  })

  it('runs a project on 18 on PostgreSQL 18 exactly, where uuidv7() exists', async () => {
    const {exitCode, report} = await verifyJson(project('create table t (id uuid default uuidv7());\n', {major: 18}))
    expect(exitCode).toBe(0)
    expect(report.database).toMatchObject({major: 18, projectMajor: 18, exact: true, gap: []})
  })
})

describe.runIf(SERVER)('the shadow server decides through the same pipeline', () => {
  it.each([
    ['LOCK TABLE', 'create table t (id int);\nlock table t;\n', {statementIndex: 1, error: {code: '25P01'}}],
    [
      'a deferred FK violated at commit',
      'create table p (id int primary key);\ncreate table c (p int references p deferrable initially deferred);\ninsert into c values (5);\n',
      {statementIndex: 4, error: {code: '23503'}},
    ],
    ['COPY FROM STDIN', 'create table t (id int);\ncopy t from stdin;\n', {statementIndex: 1, error: {code: '08P01'}}],
    [
      'a statement that never ends',
      'select pg_sleep(1e6);\n',
      {statementIndex: 0, error: {code: '57014'}, timedOut: {}},
    ],
  ])('%s', async (_name, sql, failure) => {
    const {exitCode, report} = await verifyJson(project(sql), '--shadow-url', SERVER as string)
    expect(exitCode).toBe(3)
    expect(report.failure).toMatchObject(failure)
    expect(report.database).toMatchObject({major: 15, projectMajor: 15, exact: true})
  })
})
