/**
 * `sbx squash` as a user runs it: the built CLI, the real supabase binary, PGlite and (with
 * SBX_TEST_DATABASE_URL) the real PostgreSQL server and its pg_dump.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {type TestDatabase, throwawayDatabase} from '../helpers/databases.js'
import {git, gitProject, tmpProject} from '../helpers/project.js'
import {bareOrigin, cloneOf, gitRecords} from '../helpers/registry.js'
import {SQUASH_POINT, shopMigrations, squashVersion} from '../helpers/squash-migrations.js'
import {supabase} from '../helpers/supabase.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const sbx = (dir: string, ...args: string[]) => runSbx(args, {cwd: dir, env, timeoutMs: 280_000})
const UP_TO = squashVersion(SQUASH_POINT - 1)
const PG_DUMP = '/usr/lib/postgresql/15/bin/pg_dump'
const migrationsOf = (dir: string) => fs.readdirSync(path.join(dir, 'supabase', 'migrations')).sort()

describe('sbx squash on the embedded database', () => {
  it('squashes 20 of 30 migrations into one proven file: 11 files, verify ok, staged in git, one audit line each', async () => {
    const dir = gitProject(shopMigrations())
    const before = migrationsOf(dir)
    const result = await sbx(dir, 'squash', '--up-to', UP_TO, '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({
      status: 'squashed',
      file: before[SQUASH_POINT - 1],
      before: 30,
      after: 11,
      staged: true,
    })
    expect(report.squashed).toEqual(before.slice(0, SQUASH_POINT))
    expect(report.proof.rows).toBeGreaterThan(0)
    expect(report.proof.buckets).toBe(2)

    expect(migrationsOf(dir)).toEqual(before.slice(SQUASH_POINT - 1))
    const text = fs.readFileSync(path.join(dir, 'supabase', 'migrations', before[SQUASH_POINT - 1] as string), 'utf8')
    expect(text).toContain('CREATE TABLE public.orders')
    expect(text).toMatch(/INSERT INTO storage\.buckets \(id, name, public[^)]*\) VALUES \('avatars', 'avatars', true/u)
    expect(text).toMatch(/setval\('public\.invoice_no', 1043, true\)/u)
    const status = git(dir, 'status', '--porcelain')
    expect(status.split('\n').filter((line) => line.startsWith('D ')).length).toBe(SQUASH_POINT - 1)
    expect(status).toContain(`M  supabase/migrations/${before[SQUASH_POINT - 1]}`)

    const log = await sbx(dir, 'log', '--json')
    const entries = JSON.parse(log.stdout).entries.filter((e: {reason: string}) => e.reason === 'squashed')
    expect(entries.map((e: {from: string}) => e.from)).toEqual(before.slice(0, SQUASH_POINT))
    expect(new Set(entries.map((e: {to: string}) => e.to))).toEqual(new Set([before[SQUASH_POINT - 1]]))

    const verified = await sbx(dir, 'verify', '--json', '--advisors', 'off', '--lint', 'off')
    expect(verified.exitCode, verified.stdout).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ok: true, migrations: 11})
  })

  it('keeps cron jobs (pg_cron stand-in) as cron.schedule calls, paused ones paused', async () => {
    const dir = tmpProject({
      'supabase/migrations/20260101000000_cron.sql': 'create extension if not exists pg_cron;\n',
      'supabase/migrations/20260101000001_jobs.sql':
        "select cron.schedule('nightly', '0 3 * * *', 'select 1');\n" +
        "select cron.schedule('hourly', '0 * * * *', $$delete from public.x$$);\n" +
        "update cron.job set active = false where jobname = 'hourly';\n",
    })
    const result = await sbx(dir, 'squash', '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).proof.cronJobs).toBe(2)
    const text = fs.readFileSync(path.join(dir, 'supabase', 'migrations', '20260101000001_jobs.sql'), 'utf8')
    expect(text).toContain("SELECT cron.schedule('nightly', '0 3 * * *', 'select 1');")
    expect(text).toContain("UPDATE cron.job SET active = false WHERE jobname = 'hourly';")
  })

  it('--dry-run proves and changes nothing', async () => {
    const dir = tmpProject(shopMigrations(8))
    const result = await sbx(dir, 'squash', '--dry-run', '--json')
    expect(result.exitCode, result.stdout).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({status: 'dry-run', after: 1})
    expect(migrationsOf(dir)).toHaveLength(8)
    expect(fs.existsSync(path.join(dir, 'supabase', 'sbx-renames.jsonl'))).toBe(false)
  })

  it('names a migration whose data depends on now() or random() and squashes nothing (exit 3)', async () => {
    const files = {
      ...shopMigrations(4),
      'supabase/migrations/20260101000004_stamp.sql':
        'create table public.stamps (id int primary key, at timestamptz default now(), r float8);\n' +
        'insert into public.stamps (id, r) values (1, random());\n',
    }
    for (const json of [false, true]) {
      const dir = tmpProject(files)
      const result = await sbx(dir, 'squash', ...(json ? ['--json'] : []))
      expect(result.exitCode).toBe(3)
      const said = json ? JSON.parse(result.stdout).error.message : result.stderr
      expect(said).toContain('20260101000004_stamp.sql')
      expect(said).toContain('public.stamps')
      expect(migrationsOf(dir)).toHaveLength(5)
      expect(fs.existsSync(path.join(dir, 'supabase', 'sbx-renames.jsonl'))).toBe(false)
    }
  })

  it("with a git registry: the squashed originals' reservations are released, the kept version stays reserved", async () => {
    const origin = bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\ntimeout = 60\n'})
    const clone = cloneOf(origin)
    for (const [name, sql] of [
      ['first', 'create table public.a (id int primary key);'],
      ['second', 'insert into public.a values (1), (2);'],
      ['third', 'create index a_id on public.a (id);'],
    ]) {
      const made = await runSbx(['migration', 'new', name as string], {cwd: clone, env, input: sql})
      expect(made.exitCode, made.stderr).toBe(0)
    }
    const files = migrationsOf(clone)
    const result = await sbx(clone, 'squash', '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const versions = files.map((file) => file.split('_')[0])
    expect(JSON.parse(result.stdout).released).toEqual(versions.slice(0, 2))
    const states = Object.fromEntries(gitRecords(origin).map((r) => [r.version, r.state]))
    expect(states).toEqual({
      [versions[0] as string]: 'released',
      [versions[1] as string]: 'released',
      [versions[2] as string]: 'reserved',
    })
    const checked = await sbx(clone, 'check', '--json')
    expect(checked.exitCode, checked.stdout).toBe(0)
    expect(JSON.parse(checked.stdout).findings).toEqual([])
  }, 300_000)

  it('refuses an unknown --up-to version with exit 2', async () => {
    const dir = tmpProject(shopMigrations(3))
    const result = await sbx(dir, 'squash', '--up-to', '20990101000000')
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no migration has that version')
    expect(migrationsOf(dir)).toHaveLength(3)
  })
})

async function historyOf(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{version: string}>('select version from supabase_migrations.schema_migrations order by 1')
  return rows.map((row) => row.version)
}

function publicSchemaDump(db: TestDatabase): string {
  return execFileSync(PG_DUMP, ['--schema-only', '--schema=public', '--no-owner', db.url], {encoding: 'utf8'})
    .split('\n')
    .filter((line) => !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n')
}

async function publicRows(db: TestDatabase): Promise<Record<string, unknown[]>> {
  const tables = await db.query<{name: string}>(
    `select tablename as name from pg_tables where schemaname = 'public' order by 1`,
  )
  const rows: Record<string, unknown[]> = {}
  for (const {name} of tables) {
    rows[name] = await db.query(`select t::text as row from public.${name} t order by 1`)
  }
  rows['storage.buckets'] = await db.query('select id, name, public from storage.buckets order by id')
  rows.sequences = await db.query(
    `select sequencename, last_value from pg_sequences where schemaname = 'public' order by 1`,
  )
  return rows
}

async function remoteOnly(dir: string, url: string): Promise<string[]> {
  const listed = await supabase(['migration', 'list', `--remote=${url}`, '--agent=no', '--output-format', 'json'], dir)
  expect(listed.exitCode, listed.stderr).toBe(0)
  const {migrations} = JSON.parse(listed.stdout) as {migrations: Array<{local?: string; remote?: string}>}
  return migrations.filter((m) => m.remote && !m.local).map((m) => m.remote as string)
}

describe.runIf(process.env.SBX_TEST_DATABASE_URL && fs.existsSync(PG_DUMP))(
  'sbx squash, then push to PostgreSQL (needs SBX_TEST_DATABASE_URL and PostgreSQL 15 pg_dump)',
  () => {
    it('the squash deploys to the same schema and rows; a database with the originals is repaired, one with 10 of them refused', async () => {
      const originals = tmpProject(shopMigrations())
      const partial = tmpProject(shopMigrations(10))
      const dir = gitProject(shopMigrations())
      const [withOriginals, withTen, fresh] = await Promise.all([
        throwawayDatabase('postgres', {baseline: true}),
        throwawayDatabase('postgres', {baseline: true}),
        throwawayDatabase('postgres', {baseline: true}),
      ])
      for (const [project, db] of [
        [originals, withOriginals],
        [partial, withTen],
      ] as const) {
        const pushed = await sbx(project, 'push', '--db-url', db.url, '--no-verify')
        expect(pushed.exitCode, pushed.stderr).toBe(0)
      }

      const squashed = await sbx(dir, 'squash', '--up-to', UP_TO)
      expect(squashed.exitCode, squashed.stderr).toBe(0)
      expect(migrationsOf(dir)).toHaveLength(11)

      // A fresh database gets the squash: the same schema and rows as the originals gave.
      const first = await sbx(dir, 'push', '--db-url', fresh.url, '--json')
      expect(first.exitCode, first.stdout + first.stderr).toBe(0)
      expect(JSON.parse(first.stdout)).toMatchObject({status: 'pushed'})
      expect(publicSchemaDump(fresh)).toBe(publicSchemaDump(withOriginals))
      expect(await publicRows(fresh)).toEqual(await publicRows(withOriginals))

      // The database that applied the originals: check recognises it, a dry run shows the repair, push repairs it.
      const checked = await sbx(dir, 'check', '--db-url', withOriginals.url, '--json')
      expect(checked.exitCode, checked.stdout).toBe(0)
      expect(JSON.parse(checked.stdout).findings).toContainEqual(
        expect.objectContaining({kind: 'squashed-history', versions: SQUASH_POINT}),
      )
      const historyBefore = await historyOf(withOriginals)
      const dry = await sbx(dir, 'push', '--db-url', withOriginals.url, '--dry-run', '--json')
      expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0)
      expect(JSON.parse(dry.stdout)).toMatchObject({status: 'dry-run', applied: [], repair: {dryRun: true}})
      expect(await historyOf(withOriginals)).toEqual(historyBefore)

      const repaired = await sbx(dir, 'push', '--db-url', withOriginals.url)
      expect(repaired.exitCode, repaired.stdout + repaired.stderr).toBe(0)
      expect(repaired.stdout).toContain('Repaired the history')
      expect(repaired.stdout).toContain('Up to date')
      expect(await historyOf(withOriginals)).toEqual(historyBefore.slice(SQUASH_POINT - 1))
      expect(await remoteOnly(dir, withOriginals.url)).toEqual([])
      const row = await withOriginals.query<{name: string; n: number}>(
        'select name, array_length(statements, 1) as n from supabase_migrations.schema_migrations where version = $1',
        [UP_TO],
      )
      expect(row[0]?.name).toBe('step_20')
      const again = await sbx(dir, 'push', '--db-url', withOriginals.url)
      expect(again.exitCode).toBe(0)
      expect(again.stdout).not.toContain('Repaired')

      // The database that applied 10 of the 20: refused, its history unchanged.
      const tenBefore = await historyOf(withTen)
      const refused = await sbx(dir, 'push', '--db-url', withTen.url, '--json')
      expect(refused.exitCode).toBe(3)
      expect(JSON.parse(refused.stdout).error.message).toContain(`applied 10 of the ${SQUASH_POINT} migrations`)
      expect(await historyOf(withTen)).toEqual(tenBefore)
      const partlyChecked = await sbx(dir, 'check', '--db-url', withTen.url)
      expect(partlyChecked.exitCode).toBe(3)
      expect(partlyChecked.stdout + partlyChecked.stderr).toContain('applied 10 of the 20')
    }, 600_000)
  },
)
