import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import {openEmbeddedDatabase, serveDatabase} from '../../src/shell/embedded/embedded-db.js'
import {applyLikeSupabaseApi} from '../helpers/api-history.js'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {supabase} from '../helpers/supabase.js'
import {snapshotTree} from '../helpers/tree.js'

// Each test runs the real supabase binary and several sbx processes; a loaded 2-core machine is slow.
vi.setConfig({testTimeout: 180_000})

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const sbx = (dir: string, ...args: string[]) => runSbx(args, {cwd: dir, env, timeoutMs: 120_000})
const dbPush = (dir: string, url: string) => supabase(['db', 'push', `--remote=${url}`, '--yes', '--agent=no'], dir)

const PROFILES = 'create table profiles (id int primary key);\ncreate index profiles_id on profiles (id);\n'
const NOTES =
  "create table notes (body text default 'a;b');\n-- written in the dashboard\ncomment on table notes is 'x';"

function auditLines(dir: string): Array<{from: string; to: string; reason: string}> {
  const file = path.join(dir, 'supabase', 'sbx-renames.jsonl')
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
}

async function historyVersions(db: {query: (sql: string) => Promise<Array<{version: string}>>}): Promise<string[]> {
  return (await db.query('select version from supabase_migrations.schema_migrations order by version')).map(
    (r) => r.version,
  )
}

/**
 * A project pushed with the real supabase, then drifted: an agent applied PROFILES through the API while its
 * file sits locally under another version, someone applied NOTES in the dashboard (no file), and a
 * genuinely new local file sorts before both API versions.
 */
async function driftedProject(url: string) {
  const dir = tmpProject({'supabase/migrations/20260101000000_init.sql': 'create table base (id int);\n'})
  const pushed = await dbPush(dir, url)
  expect(pushed.exitCode, pushed.stderr).toBe(0)
  // The agent's file for what it then applied through the API.
  fs.writeFileSync(path.join(migrationsDir(dir), '20260102000000_profiles.sql'), PROFILES)
  // Whitespace differs from the file: the API got the query as the agent typed it.
  const profiles = await applyLikeSupabaseApi(url, 'profiles', PROFILES.replace('\n', '\n\n  '), {timeZone: 'UTC'})
  const notes = await applyLikeSupabaseApi(url, 'notes from dashboard', NOTES, {timeZone: 'Etc/GMT-3'})
  fs.writeFileSync(path.join(migrationsDir(dir), '20260103000000_new_stuff.sql'), 'create table new_stuff (id int);\n')
  return {dir, profiles, notes}
}

describe.each(DATABASE_KINDS)('sbx sync against history written like the Supabase API (%s)', (kind) => {
  needsServer(kind)
  it('adopts, fetches and moves; then check passes and the real supabase db push applies only the new file', async () => {
    const db = await throwawayDatabase(kind)
    const {dir, profiles, notes} = await driftedProject(db.url)
    const profilesBytes = fs.readFileSync(path.join(migrationsDir(dir), '20260102000000_profiles.sql'))

    const before = await sbx(dir, 'check', '--db-url', db.url)
    expect(before.exitCode).toBe(3)
    expect(before.stdout).toContain('sbx sync')

    const synced = await sbx(dir, 'sync', '--db-url', db.url, '--json')
    expect(synced.exitCode, synced.stdout + synced.stderr).toBe(0)
    const report = JSON.parse(synced.stdout)
    expect(report.adopted).toEqual([
      expect.objectContaining({from: '20260102000000_profiles.sql', to: `${profiles}_profiles.sql`}),
    ])
    expect(report.fetched).toEqual([
      expect.objectContaining({file: `${notes}_notes from dashboard.sql`, version: notes}),
    ])
    const newest = [profiles, notes].sort().at(-1) as string
    expect(report.renames).toEqual([
      expect.objectContaining({from: '20260103000000_new_stuff.sql', reason: 'out-of-order'}),
    ])
    const newStuff = report.renames[0].to as string
    expect(newStuff > `${newest}_`).toBe(true)
    expect(report).toMatchObject({conflicts: [], remaining: [], blocking: false})

    expect(listMigrations(dir)).toEqual(
      ['20260101000000_init.sql', `${profiles}_profiles.sql`, `${notes}_notes from dashboard.sql`, newStuff].sort(),
    )
    expect(fs.readFileSync(path.join(migrationsDir(dir), `${profiles}_profiles.sql`))).toEqual(profilesBytes)
    const fetched = fs.readFileSync(path.join(migrationsDir(dir), `${notes}_notes from dashboard.sql`), 'utf8')
    expect(fetched).toBe(NOTES)
    expect(auditLines(dir).map((l) => [l.reason, l.from, l.to])).toEqual([
      ['adopt-applied-version', '20260102000000_profiles.sql', `${profiles}_profiles.sql`],
      ['fetched-from-database', 'supabase_migrations.schema_migrations', `${notes}_notes from dashboard.sql`],
      ['out-of-order', '20260103000000_new_stuff.sql', newStuff],
    ])

    const after = await sbx(dir, 'check', '--db-url', db.url)
    expect(after.exitCode, after.stdout).toBe(0)

    const historyBefore = await historyVersions(db)
    const pushed = await dbPush(dir, db.url)
    expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(0)
    expect(await historyVersions(db)).toEqual([...historyBefore, newStuff.slice(0, 14)].sort())
    expect(await db.query('select * from new_stuff')).toEqual([])

    const again = await sbx(dir, 'sync', '--db-url', db.url)
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('In sync')
  })

  it('two local files with the recorded SQL: exit 3 naming both, nothing changed', async () => {
    const db = await throwawayDatabase(kind)
    const sql = 'create table twice (id int);\n'
    const dir = tmpProject({
      'supabase/migrations/20260101000000_twice.sql': sql,
      'supabase/migrations/20260102000000_twice_again.sql': sql,
    })
    const version = await applyLikeSupabaseApi(db.url, 'twice', sql)
    const tree = snapshotTree(migrationsDir(dir))

    for (const json of [false, true]) {
      const result = await sbx(dir, 'sync', '--db-url', db.url, ...(json ? ['--json'] : []))
      expect(result.exitCode).toBe(3)
      if (json) {
        expect(JSON.parse(result.stdout).conflicts).toEqual([
          {
            kind: 'ambiguous-match',
            versions: [version],
            files: ['20260101000000_twice.sql', '20260102000000_twice_again.sql'],
          },
        ])
      } else {
        expect(result.stdout).toContain(`${version} and 20260101000000_twice.sql, 20260102000000_twice_again.sql`)
      }
      expect(snapshotTree(migrationsDir(dir))).toEqual(tree)
      expect(auditLines(dir)).toEqual([])
    }
  })

  it('--dry-run prints the plan and changes nothing', async () => {
    const db = await throwawayDatabase(kind)
    const {dir, profiles, notes} = await driftedProject(db.url)
    const tree = snapshotTree(migrationsDir(dir))

    const human = await sbx(dir, 'sync', '--db-url', db.url, '--dry-run')
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toContain(`would rename 20260102000000_profiles.sql → ${profiles}_profiles.sql`)
    expect(human.stdout).toContain(`would write ${notes}_notes from dashboard.sql`)
    expect(human.stdout).toContain('would rename 20260103000000_new_stuff.sql')
    expect(human.stdout).toContain('Dry run: nothing was changed.')

    const json = JSON.parse((await sbx(dir, 'sync', '--db-url', db.url, '--dry-run', '--json')).stdout)
    expect(json).toMatchObject({
      dryRun: true,
      adopted: [{from: '20260102000000_profiles.sql'}],
      fetched: [{version: notes}],
    })

    expect(snapshotTree(migrationsDir(dir))).toEqual(tree)
    expect(auditLines(dir)).toEqual([])
  })
})

describe.each(DATABASE_KINDS)('sbx sync against history written by the real supabase db push (%s)', (kind) => {
  needsServer(kind)
  it('renames back a file that was renamed locally after it was applied', async () => {
    const db = await throwawayDatabase(kind)
    const dir = tmpProject({
      'supabase/migrations/20260101000000_a.sql': 'create table a (id int);\n',
      'supabase/migrations/20260102000000_b.sql': 'create table b (id int);\ncreate index on b (id);\n',
      'supabase/migrations/20260103000000_c.sql': 'create table c (id int);\n',
    })
    const pushed = await dbPush(dir, db.url)
    expect(pushed.exitCode, pushed.stderr).toBe(0)
    fs.renameSync(
      path.join(migrationsDir(dir), '20260102000000_b.sql'),
      path.join(migrationsDir(dir), '20260109000000_b.sql'),
    )
    expect((await sbx(dir, 'push', '--db-url', db.url, '--no-verify')).stdout).toContain('sbx sync')

    const synced = await sbx(dir, 'sync', '--db-url', db.url)
    expect(synced.exitCode, synced.stdout + synced.stderr).toBe(0)
    expect(synced.stdout).toContain('renamed 20260109000000_b.sql → 20260102000000_b.sql')
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260102000000_b.sql', '20260103000000_c.sql'])
    expect((await sbx(dir, 'check', '--db-url', db.url)).exitCode).toBe(0)
  })
})

describe('sbx sync with the embedded database (no --db-url)', () => {
  it('fetches what was applied to it through the API', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);\n'})
    expect((await sbx(dir, 'push', '--no-verify')).exitCode).toBe(0)
    const embedded = await openEmbeddedDatabase(path.join(dir, 'supabase', '.temp', 'sbx', 'db'))
    const server = await serveDatabase(embedded.db)
    let version: string
    try {
      version = await applyLikeSupabaseApi(server.url, 'api', 'create table api (id int);')
    } finally {
      await server.close()
      await embedded.close()
    }
    const synced = await sbx(dir, 'sync', '--json')
    expect(synced.exitCode, synced.stdout + synced.stderr).toBe(0)
    expect(JSON.parse(synced.stdout).fetched).toEqual([expect.objectContaining({file: `${version}_api.sql`})])
    expect((await sbx(dir, 'push', '--no-verify')).stdout).toContain('Up to date')
  })
})

describe('sbx sync: bad input', () => {
  it('an unreachable database exits 5 with one line and no password, also with --json; nothing written', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const url = 'postgresql://postgres:s3cret-pw@127.0.0.1:9/postgres'
    const human = await sbx(dir, 'sync', '--db-url', url)
    expect(human.exitCode).toBe(5)
    expect(human.stderr).toContain('Cannot connect')
    const json = await sbx(dir, 'sync', '--db-url', url, '--json')
    expect(json.exitCode).toBe(5)
    expect(JSON.parse(json.stdout).error.code).toBe('EDATABASE')
    expect(human.stdout + human.stderr + json.stdout + json.stderr).not.toContain('s3cret-pw')
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql'])
  })

  it('an empty --db-url exits 2', async () => {
    const dir = tmpProject({})
    const result = await sbx(dir, 'sync', '--db-url', '', '--json')
    expect(result.exitCode).toBe(2)
  })
})

describe.each(DATABASE_KINDS)('sbx sync: hostile histories (%s)', (kind) => {
  needsServer(kind)
  it('a recorded name holding a path is written inside the migrations folder, never outside', async () => {
    const db = await throwawayDatabase(kind)
    const dir = tmpProject({})
    const version = await applyLikeSupabaseApi(db.url, '../../escape/me', 'create table esc (id int);')
    const synced = await sbx(dir, 'sync', '--db-url', db.url, '--json')
    expect(synced.exitCode, synced.stdout).toBe(0)
    expect(listMigrations(dir)).toEqual([`${version}_____escape_me.sql`])
    expect(fs.readdirSync(dir).sort()).toEqual(['supabase'])
    expect(fs.readdirSync(path.join(dir, 'supabase')).sort()).toEqual([
      '.temp',
      'config.toml',
      'migrations',
      'sbx-renames.jsonl',
    ])
  })

  it('a history that records no statements: exit 3 naming the version, nothing written', async () => {
    const db = await throwawayDatabase(kind)
    await db.query(`create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (version text primary key);
      insert into supabase_migrations.schema_migrations values ('20260101000000');`)
    const dir = tmpProject({})
    const synced = await sbx(dir, 'sync', '--db-url', db.url, '--json')
    expect(synced.exitCode).toBe(3)
    expect(JSON.parse(synced.stdout).conflicts).toEqual([{kind: 'no-recorded-statements', version: '20260101000000'}])
    expect(listMigrations(dir)).toEqual([])
    expect(auditLines(dir)).toEqual([])
  })
})
