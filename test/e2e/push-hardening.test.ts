/**
 * sbx push under hostile conditions: sbx killed alone mid-deploy (no double apply), a deploy that must not block
 * `migration new`, names supabase cannot read, advice that names the command that works, supabase refusing the
 * project's config.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import {describe, expect, it, onTestFinished} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const push = (dir: string, ...args: string[]) => runSbx(['push', ...args], {cwd: dir, env, timeoutMs: 180_000})

/** Files that commit their own work before supabase records their version: the shape that was applied twice. */
function selfCommittingFiles(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({length: count}, (_, i) => [
      `supabase/migrations/20260301${String(100000 + i).padStart(6, '0')}_log_${i}.sql`,
      `BEGIN;\ninsert into applied_log(v) values (${i});\nselect pg_notify('applied_log', '${i}');\nCOMMIT;\nselect pg_sleep(0.15);\n`,
    ]),
  )
}

/**
 * Listens (resolved once listening) for `count` files to commit their work: each NOTIFYs when its transaction
 * commits. Returns the promise of that.
 */
async function listenForCommits(url: string, count: number): Promise<{committed: Promise<void>}> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  onTestFinished(() => client.end())
  const committed = new Promise<void>((resolve) => {
    let seen = 0
    client.on('notification', () => {
      seen++
      if (seen === count) resolve()
    })
  })
  await client.query('listen applied_log')
  return {committed}
}

describe('sbx push killed alone (postgres)', () => {
  const kind = 'postgres'
  needsServer(kind)
  it.each([1, 2, 3])(
    'run %i: sbx SIGKILLed by pid mid-deploy, a second push from another clone: every row and version once',
    async () => {
      const db = await throwawayDatabase(kind, {baseline: true})
      await db.query('create table applied_log (v int not null)')
      const files = selfCommittingFiles(49)
      const [first, second] = [tmpProject(files), tmpProject(files)]
      // Listening before the push starts: no notification can be missed.
      const {committed} = await listenForCommits(db.url, 5)
      const child = spawn('node', [SBX_BIN, 'push', '--db-url', db.url, '--no-verify'], {
        cwd: first,
        env: {...process.env, ...env},
        stdio: ['ignore', 'ignore', 'ignore'],
      })
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await committed
      // One pid, as an agent runner or a CI step kills it: not the process group.
      process.kill(child.pid as number, 'SIGKILL')
      await exited

      const again = await push(second, '--db-url', db.url, '--no-verify')
      expect(again.exitCode, again.stderr).toBe(0)
      const logged = await db.query<{v: number; n: number}>(
        'select v, count(*)::int as n from applied_log group by v order by v',
      )
      expect(logged.map((row) => row.v)).toEqual(Array.from({length: 49}, (_, i) => i))
      expect(logged.every((row) => row.n === 1)).toBe(true)
      const versions = await db.query<{version: string; n: number}>(
        'select version, count(*)::int as n from supabase_migrations.schema_migrations group by version',
      )
      expect(versions).toHaveLength(49)
    },
  )
})

describe('sbx push does not block migration new', () => {
  it('while a push of 200 migrations runs, 10 migration new calls in the same repository all finish', async () => {
    const files = Object.fromEntries(
      Array.from({length: 200}, (_, i) => [
        `supabase/migrations/20260401${String(100000 + i).padStart(6, '0')}_t${i}.sql`,
        `create table t${i} (id int primary key, note text);\nselect pg_sleep(0.05);`,
      ]),
    )
    const dir = tmpProject(files)
    const running = spawn('node', [SBX_BIN, 'push', '--no-verify'], {
      cwd: dir,
      env: {...process.env, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const done = new Promise<number>((resolve) => running.once('exit', (code) => resolve(code ?? -1)))
    onTestFinished(async () => {
      running.kill('SIGKILL')
      await done
    })
    let stderr = ''
    await new Promise<void>((resolve) => {
      running.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.includes('Applying migration')) resolve()
      })
    })
    const created = await Promise.all(
      Array.from({length: 10}, (_, i) => runSbx(['migration', 'new', `during_${i}`], {cwd: dir})),
    )
    // Still deploying when all ten are done, and none of them waited for the push (their time is in bench/).
    expect(running.exitCode).toBeNull()
    for (const result of created) {
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stderr).not.toContain('sbx push')
    }
    expect(await done).toBe(0)
    const names = fs.readdirSync(path.join(dir, 'supabase', 'migrations')).filter((n) => n.includes('during_'))
    expect(new Set(names.map((n) => n.slice(0, 14))).size).toBe(10)
  })
})

describe.each(DATABASE_KINDS)('sbx push refusals name what to do (%s)', (kind) => {
  needsServer(kind)
  it('a name that is not UTF-8: exit 3 naming it escaped, nothing sent', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({'supabase/migrations/20260101000000_ok.sql': 'create table ok (id int);'})
    fs.writeFileSync(
      Buffer.concat([
        Buffer.from(path.join(dir, 'supabase', 'migrations', '20260101000001_caf')),
        Buffer.from([0xe9]),
        Buffer.from('.sql'),
      ]),
      'create table cafe (id int);',
    )
    const result = await push(dir, '--db-url', db.url)
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stdout).toContain('20260101000001_caf\\xe9.sql')
    const tables = await db.query("select to_regclass('public.ok') as t")
    expect(tables[0]?.t).toBeNull()
  })

  it('an out-of-order file: the advice repeats the variable the URL came from, never the URL', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({'supabase/migrations/20260101000002_b.sql': 'create table b (id int);'})
    expect((await push(dir, '--db-url', db.url, '--no-verify')).exitCode).toBe(0)
    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', '20260101000001_a.sql'), 'create table a (id int);')
    const viaEnv = await runSbx(['push', '--no-verify'], {cwd: dir, env: {...env, SUPABASE_DB_URL: db.url}})
    expect(viaEnv.exitCode).toBe(3)
    expect(viaEnv.stdout).toContain('Run: sbx fix --db-url "$SUPABASE_DB_URL"')
    const viaFlag = await push(dir, '--db-url', db.url, '--no-verify', '--json')
    expect(viaFlag.exitCode).toBe(3)
    const report = JSON.parse(viaFlag.stdout)
    expect(report.findings[0]).toMatchObject({
      kind: 'out-of-order',
      against: {kind: 'database', via: {flag: '--db-url'}},
    })
    const human = await push(dir, '--db-url', db.url, '--no-verify')
    expect(human.stdout).toMatch(/Run: sbx fix --db-url /)
    expect(human.stdout).not.toMatch(/sbx fix --db-url \S*\*\*\*/)
  })
})

describe('supabase refusing the project', () => {
  it("a config.toml supabase refuses: exit 2 (a config error) with supabase's reason, and nothing was applied", async () => {
    const dir = tmpProject({
      'supabase/config.toml': 'project_id = "sbx-test"\n\n[inbucket]\nenabled = true\nport = 54324\n',
      'supabase/migrations/20260101000000_a.sql': 'create table a (id int);',
    })
    const result = await push(dir, '--no-verify', '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(2)
    const {error} = JSON.parse(result.stdout)
    expect(error.code).toBe('ESUPABASECONFIG')
    expect(error.message).toContain('[inbucket]')
    expect(error.message).toContain('Nothing was applied')
    expect(error.message).not.toContain('Try rerunning')
  })
})
