import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openEmbeddedDatabase, serveDatabase} from '../../src/shell/embedded/embedded-db.js'
import {schemaFingerprint} from '../helpers/baseline.js'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'
import {supabase} from '../helpers/supabase.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const push = (dir: string, ...args: string[]) => runSbx(['push', ...args], {cwd: dir, env, timeoutMs: 180_000})

/** supabase's own view: nothing left to push. */
async function supabaseFindsNothingPending(dir: string, url: string): Promise<void> {
  const dry = await supabase(['db', 'push', '--dry-run', `--remote=${url}`, '--yes', '--agent=no'], dir)
  expect(dry.exitCode, dry.stderr).toBe(0)
  expect(dry.stdout).toContain('up to date')
}

describe('sbx push to the embedded database (the default target)', () => {
  it('pushes a realistic set through the real supabase binary; a second push is up to date', async () => {
    const dir = tmpProject(REALISTIC_MIGRATIONS)
    const first = await push(dir, '--json')
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    const report = JSON.parse(first.stdout)
    expect(report).toMatchObject({status: 'pushed', alreadyApplied: 0})
    expect(report.applied).toHaveLength(Object.keys(REALISTIC_MIGRATIONS).length)

    const second = await push(dir)
    expect(second.exitCode).toBe(0)
    expect(second.stdout).toContain('Up to date')

    const embedded = await openEmbeddedDatabase(path.join(dir, 'supabase', '.temp', 'sbx', 'db'))
    const server = await serveDatabase(embedded.db)
    try {
      await supabaseFindsNothingPending(dir, server.url)
    } finally {
      await server.close()
      await embedded.close()
    }
  })
})

describe.each(DATABASE_KINDS)('sbx push --db-url (%s)', (kind) => {
  needsServer(kind)
  it('pushes a realistic set; supabase then finds nothing pending; a second push is up to date', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject(REALISTIC_MIGRATIONS)
    const first = await push(dir, '--db-url', db.url, '--no-verify')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stdout).toContain(`Pushed ${Object.keys(REALISTIC_MIGRATIONS).length} migrations`)
    await supabaseFindsNothingPending(dir, db.url)
    const second = await push(dir, '--db-url', db.url, '--no-verify')
    expect(second.stdout, second.stderr).toContain('Up to date')
    const policies = await db.query('select policyname from pg_policies where tablename = $1', ['profiles'])
    expect(policies).toHaveLength(3)
  })

  it('--dry-run runs every check, lists what would be pushed and changes nothing', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);'})
    const before = await schemaFingerprint(db)
    const result = await push(dir, '--db-url', db.url, '--dry-run')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('Dry run: would push 1 migration')
    expect(result.stdout).toContain('20260101000000_a.sql')
    expect(await schemaFingerprint(db)).toBe(before)
  })

  it('an out-of-order file is refused, and applied with --include-all', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({'supabase/migrations/20260102000000_b.sql': 'create table b (id int);'})
    expect((await push(dir, '--db-url', db.url, '--no-verify')).exitCode).toBe(0)
    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', '20260101000000_late.sql'), 'create table late (id int);')

    const refused = await push(dir, '--db-url', db.url, '--no-verify')
    expect(refused.exitCode).toBe(3)
    expect(refused.stdout).toContain('20260101000000_late.sql')
    expect(refused.stdout).toContain('sbx fix')

    const included = await push(dir, '--db-url', db.url, '--no-verify', '--include-all')
    expect(included.exitCode, included.stderr).toBe(0)
    const rows = await db.query<{version: string}>(
      'select version from supabase_migrations.schema_migrations order by 1',
    )
    expect(rows.map((r) => r.version)).toEqual(['20260101000000', '20260102000000'])
  })

  it('duplicate versions: exit 3 and the database is unchanged', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({
      'supabase/migrations/20260101000000_a.sql': 'create table a (id int);',
      'supabase/migrations/20260101000000_b.sql': 'create table b (id int);',
    })
    const before = await schemaFingerprint(db)
    const result = await push(dir, '--db-url', db.url)
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('20260101000000')
    expect(await schemaFingerprint(db)).toBe(before)
  })

  it('functions ordered before the tables they need: push refuses and names both files', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({
      'supabase/migrations/20260207070000_grw011_functions.sql':
        'create function public.assess_churn_risk(uid uuid) returns numeric language sql as $$ select score from public.churn_risk_assessments where user_id = uid $$;',
      'supabase/migrations/20260207080000_grw011_tables.sql':
        'create table public.churn_risk_assessments (user_id uuid primary key, score numeric);',
    })
    const before = await schemaFingerprint(db)
    const result = await push(dir, '--db-url', db.url)
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('20260207070000_grw011_functions.sql')
    expect(result.stdout).toContain('20260207080000_grw011_tables.sql')
    expect(await schemaFingerprint(db)).toBe(before)
  })

  it('a migration failing midway: earlier ones applied, nothing of it, exit 5 naming file and statement', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({
      'supabase/migrations/20260101000000_ok.sql': 'create table ok (id int);',
      'supabase/migrations/20260102000000_bad.sql':
        'create table half (id int);\ninsert into missing_table values (1);',
      'supabase/migrations/20260103000000_after.sql': 'create table after_bad (id int);',
    })
    const result = await push(dir, '--db-url', db.url, '--no-verify')
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('20260102000000_bad.sql')
    expect(result.stderr).toMatch(/At statement:? 1/)
    const tables = (
      await db.query<{t: string}>("select tablename as t from pg_tables where schemaname = 'public'")
    ).map((r) => r.t)
    expect(tables).toContain('ok')
    expect(tables).not.toContain('half')
    expect(tables).not.toContain('after_bad')
  })
})

describe('concurrent and killed pushes, secrets (postgres)', () => {
  needsServer()
  it('a password in the URL never appears in output', async () => {
    const db = await throwawayDatabase('postgres', {baseline: true})
    const url = new URL(db.url)
    url.password = 'Sup3r-s3cret'
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);'})
    const ok = await push(dir, '--db-url', url.toString(), '--no-verify')
    const bad = await push(dir, '--db-url', url.toString().replace(/\/sbx_test_\w+/, '/no_such_db'), '--no-verify')
    expect(ok.exitCode).toBe(0)
    expect(bad.exitCode).toBe(5)
    for (const out of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) expect(out).not.toContain('Sup3r-s3cret')
  })
  it('password "postgres": the password is masked, the word is not (supabase\'s extension path survives)', async () => {
    const db = await throwawayDatabase('postgres')
    const url = new URL(db.url)
    url.username = 'postgres'
    url.password = 'postgres'
    const dir = tmpProject({'supabase/migrations/20260101000000_ext.sql': 'create extension nonexistent_ext;'})
    for (const extra of [[], ['--json']]) {
      const result = await push(dir, '--db-url', url.toString(), '--no-verify', ...extra)
      expect(result.exitCode, result.stderr).toBe(5)
      const out = result.stdout + result.stderr
      expect(out).toMatch(/\/usr\/share\/postgresql\/\d+\/extension\/nonexistent_ext\.control/u)
      expect(out).not.toContain('postgres:postgres@')
      expect(out).not.toContain('***ql')
    }
  })
  it('two pushes at once apply each version exactly once and neither fails', async () => {
    const db = await throwawayDatabase('postgres', {baseline: true})
    const files = Object.fromEntries(
      Array.from({length: 20}, (_, i) => [
        `supabase/migrations/202603010000${String(i).padStart(2, '0')}_t${i}.sql`,
        `create table t${i} (id int);`,
      ]),
    )
    // Two clones of one repository: separate repository locks, one database.
    const [a, b] = [tmpProject(files), tmpProject(files)]
    const [ra, rb] = await Promise.all([
      push(a, '--db-url', db.url, '--no-verify'),
      push(b, '--db-url', db.url, '--no-verify'),
    ])
    expect(ra.exitCode, ra.stderr).toBe(0)
    expect(rb.exitCode, rb.stderr).toBe(0)
    const rows = await db.query<{version: string}>('select version from supabase_migrations.schema_migrations')
    expect(rows).toHaveLength(20)
    expect(`${ra.stdout}\n${rb.stdout}`).toContain('Up to date')
    expect(`${ra.stderr}\n${rb.stderr}`).toMatch(/Waiting for the deploy lock .* held by sbx push/)
  })

  it('a push killed with SIGKILL mid-migration: the next push completes', async () => {
    const db = await throwawayDatabase('postgres', {baseline: true})
    const dir = tmpProject({
      'supabase/migrations/20260101000000_slow.sql': 'create table slow (id int);\nselect pg_sleep(8);',
    })
    // Its own process group, like a CI job: SIGKILL takes sbx and the supabase it started.
    const child = spawn('node', [SBX_BIN, 'push', '--db-url', db.url, '--no-verify'], {
      cwd: dir,
      detached: true,
      env: {...process.env, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('Applying migration') && resolve())
    })
    process.kill(-(child.pid as number), 'SIGKILL')

    // If supabase had sent the file, the server goes on with it (file and history row are one pipelined
    // transaction): the next push waits for that backend instead of overlapping it, then finds the file applied.
    // If it had not, nothing is running and the next push applies it. Either way: once, and no error.
    const next = await push(dir, '--db-url', db.url, '--no-verify')
    expect(next.exitCode, next.stderr).toBe(0)
    if (next.stdout.includes('Up to date')) {
      expect(next.stderr).toMatch(
        /Waiting for the deploy lock .* held by a supabase db push still running on the server/,
      )
    } else {
      expect(next.stdout).toContain('Pushed 1 migration')
    }
    expect(await db.query("select to_regclass('public.slow') as t")).toEqual([{t: 'slow'}])
    const rows = await db.query('select version from supabase_migrations.schema_migrations')
    expect(rows).toHaveLength(1)
  })
})
