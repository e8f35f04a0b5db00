/**
 * The embedded database for real: PGlite with the Supabase baseline, served to the real supabase binary and
 * to several `pg` clients at once. The baseline cache is shared by every test run (SBX_CACHE_DIR below); it
 * is keyed by PGlite version and baseline text, so it never goes stale.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import {describe, expect, it, onTestFinished} from 'vitest'
import {replayMajor} from '../../src/core/embedded/postgres-major.js'
import {LIFTOFF_ONLY_MAX_STATEMENTS} from '../../src/core/embedded/wasm-tiers.js'
import {missingLibrary} from '../../src/core/extensions/extension-plan.js'
import {removeDetached} from '../../src/shell/embedded/detached-removal.js'
import {
  baselineName,
  cacheRoot,
  ensureBaseline,
  type FreshDatabase,
  freshDatabaseFromBaseline,
  openEmbeddedDatabase,
  serveDatabase,
} from '../../src/shell/embedded/embedded-db.js'
import {tmpProject} from '../helpers/project.js'
import {supabase} from '../helpers/supabase.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}

async function fresh(): Promise<FreshDatabase> {
  const database = await freshDatabaseFromBaseline({env})
  onTestFinished(() => database.close())
  return database
}

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({connectionString: url})
  await c.connect()
  onTestFinished(() => c.end())
  return c
}

describe('cacheRoot', () => {
  it.each([
    {case: 'SBX_CACHE_DIR wins', vars: {SBX_CACHE_DIR: '/x/cache', XDG_CACHE_HOME: '/y'}, root: '/x/cache'},
    {case: 'then XDG_CACHE_HOME', vars: {XDG_CACHE_HOME: '/y'}, root: '/y/sbx'},
    {case: 'else ~/.cache', vars: {}, root: path.join(os.homedir(), '.cache', 'sbx')},
  ])('$case', ({vars, root}) => {
    expect(cacheRoot(vars)).toBe(root)
  })
})

describe('the Supabase baseline', () => {
  it('has the API roles, with service_role bypassing RLS', async () => {
    const {db} = await fresh()
    const roles = await db.query<{rolname: string; rolbypassrls: boolean; rolcanlogin: boolean}>(
      `select rolname, rolbypassrls, rolcanlogin from pg_roles
       where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin') order by rolname`,
    )
    expect(roles.rows).toEqual([
      {rolname: 'anon', rolbypassrls: false, rolcanlogin: false},
      {rolname: 'authenticated', rolbypassrls: false, rolcanlogin: false},
      {rolname: 'authenticator', rolbypassrls: false, rolcanlogin: true},
      {rolname: 'service_role', rolbypassrls: true, rolcanlogin: false},
      {rolname: 'supabase_admin', rolbypassrls: true, rolcanlogin: true},
    ])
  })

  it('has the auth, storage and extensions schemas, auth.users and storage.buckets', async () => {
    const {db} = await fresh()
    const schemas = await db.query<{nspname: string}>(
      `select nspname from pg_namespace where nspname in ('auth', 'storage', 'extensions') order by 1`,
    )
    expect(schemas.rows.map((row) => row.nspname)).toEqual(['auth', 'extensions', 'storage'])
    const tables = await db.query<{t: string}>(
      `select to_regclass('auth.users')::text as t union all select to_regclass('storage.buckets')::text`,
    )
    expect(tables.rows).toEqual([{t: 'auth.users'}, {t: 'storage.buckets'}])
  })

  it('answers auth.uid(), auth.role() and auth.jwt() from request.jwt.claims', async () => {
    const {db} = await fresh()
    const claims = {sub: '6f1b2c3d-0000-4000-8000-000000000001', role: 'authenticated', email: 'a@example.com'}
    await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify(claims)])
    const result = await db.query(`select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email`)
    expect(result.rows).toEqual([{uid: claims.sub, role: 'authenticated', email: 'a@example.com'}])
  })

  it('returns null from auth.uid() without claims', async () => {
    const {db} = await fresh()
    expect((await db.query('select auth.uid() as uid')).rows).toEqual([{uid: null}])
  })

  it('enforces RLS for authenticated with auth.uid(), and lets service_role bypass it', async () => {
    const {db} = await fresh()
    await db.exec(`
      create table public.notes (id int primary key, owner uuid not null default auth.uid(), body text);
      alter table public.notes enable row level security;
      create policy own on public.notes for all to authenticated using (owner = auth.uid());
      insert into public.notes values (1, '00000000-0000-4000-8000-000000000001', 'mine'),
                                      (2, '00000000-0000-4000-8000-000000000002', 'theirs');
    `)
    await db.exec(`
      set request.jwt.claims = '{"sub": "00000000-0000-4000-8000-000000000001", "role": "authenticated"}';
      set role authenticated;
    `)
    expect((await db.query('select id from public.notes')).rows).toEqual([{id: 1}])
    await db.exec('reset role; set role service_role')
    expect((await db.query('select id from public.notes order by id')).rows).toEqual([{id: 1}, {id: 2}])
    await db.exec('reset role')
  })

  it('has pgcrypto and uuid-ossp in extensions, reachable unqualified, vault, and can create pg_trgm', async () => {
    const {db} = await fresh()
    const installed = await db.query<{extname: string; schema: string}>(
      `select extname, extnamespace::regnamespace::text as schema from pg_extension where extname <> 'plpgsql' order by 1`,
    )
    expect(installed.rows).toEqual([
      {extname: 'pg_graphql', schema: 'graphql'},
      {extname: 'pgcrypto', schema: 'extensions'},
      {extname: 'supabase_vault', schema: 'vault'},
      {extname: 'uuid-ossp', schema: 'extensions'},
    ])
    await db.exec('create extension pg_trgm with schema extensions')
    const result = await db.query<{uuid: boolean; crypt: boolean; similar: boolean}>(`
      select uuid_generate_v4() is not null as uuid,
             crypt('pw', gen_salt('bf', 4)) like '$2a$04$%' as crypt,
             similarity('supabase', 'supabass') > 0.5 as similar`)
    expect(result.rows).toEqual([{uuid: true, crypt: true, similar: true}])
    await db.exec('create table t (name text); create index on t using gin (name gin_trgm_ops)')
  })

  it('grants what a migration creates in public to the API roles', async () => {
    const {db} = await fresh()
    await db.exec('create table public.items (id int)')
    const grants = await db.query<{grantee: string}>(
      `select distinct grantee from information_schema.role_table_grants
       where table_name = 'items' and privilege_type = 'SELECT' order by 1`,
    )
    expect(grants.rows.map((row) => row.grantee)).toEqual(
      expect.arrayContaining(['anon', 'authenticated', 'postgres', 'service_role']),
    )
  })

  it('keeps Supabase search_path after RESET ALL (supabase runs it before every file)', async () => {
    const {db} = await fresh()
    await db.exec('set search_path = public; reset all')
    expect((await db.query('show search_path')).rows).toEqual([{search_path: '"$user", public, extensions'}])
  })

  it('gives every fresh database its own copy of the baseline', async () => {
    const first = await fresh()
    await first.db.exec('create table public.only_in_first (id int)')
    const second = await fresh()
    expect(first.dataDir).not.toBe(second.dataDir)
    expect((await second.db.query(`select to_regclass('public.only_in_first') as t`)).rows).toEqual([{t: null}])
  })

  it('loads only the extension libraries asked for, and says which one is missing', async () => {
    const database = await freshDatabaseFromBaseline({env, extensions: ['uuid-ossp']})
    onTestFinished(() => database.close())
    const {db} = database
    expect((await db.query('select uuid_generate_v4() is not null as ok')).rows).toEqual([{ok: true}])
    const error = await db.query(`select crypt('pw', gen_salt('bf'))`).catch((e: {code: string; message: string}) => e)
    expect(missingLibrary(error as {code: string; message: string})).toBe('pgcrypto')
    const create = await db.query('create extension pg_trgm').catch((e: {code: string; message: string}) => e)
    expect(missingLibrary(create as {code: string; message: string})).toBe('pg_trgm')
  })

  it('compiles a short run with Liftoff only, asking how short once the data directory is filled', async () => {
    const order: string[] = []
    const short = await freshDatabaseFromBaseline({
      env,
      seed: async () => {
        order.push('seed')
        return false
      },
      statements: () => {
        order.push('statements')
        return LIFTOFF_ONLY_MAX_STATEMENTS
      },
    })
    onTestFinished(() => short.close())
    expect(order).toEqual(['seed', 'statements'])
    expect(short.db.liftoffOnly).toBe(true)
    expect((await short.db.query('select count(*)::int as n from auth.users')).rows).toEqual([{n: 0}])
    await short.close()
    const long = await freshDatabaseFromBaseline({env, statements: () => LIFTOFF_ONLY_MAX_STATEMENTS + 1})
    onTestFinished(() => long.close())
    expect(long.db.liftoffOnly).toBe(false)
    expect((await long.db.query('select count(*)::int as n from auth.users')).rows).toEqual([{n: 0}])
    expect((await fresh()).db.liftoffOnly).toBe(false)
  })

  it('removes a fresh database from disk after close, without making close wait', async () => {
    const database = await freshDatabaseFromBaseline({env})
    expect(fs.existsSync(path.join(database.dataDir, 'PG_VERSION'))).toBe(true)
    await database.close()
    await database.removed()
    expect(fs.existsSync(database.dataDir)).toBe(false)
  })

  it('removes the folder in this process where no rm can be started', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-removal-'))
    fs.mkdirSync(path.join(folder, 'base', '5'), {recursive: true})
    fs.writeFileSync(path.join(folder, 'base', '5', '1259'), 'x')
    const {removed} = removeDetached(folder, {PATH: path.join(folder, 'no-such-bin')})
    await removed
    expect(fs.existsSync(folder)).toBe(false)
  })

  it('removes the folder in this process when rm fails', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-removal-'))
    fs.writeFileSync(path.join(folder, 'PG_VERSION'), '17\n')
    // A fake rm: the real one, run as root here, cannot be made to fail on a folder of ours.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-fake-rm-'))
    onTestFinished(() => fs.rmSync(bin, {recursive: true, force: true}))
    fs.writeFileSync(path.join(bin, 'rm'), '#!/bin/sh\nexit 1\n', {mode: 0o755})
    await removeDetached(folder, {PATH: bin}).removed
    expect(fs.existsSync(folder)).toBe(false)
  })
})

describe('openEmbeddedDatabase', () => {
  it('moves a folder that is not a database aside instead of deleting it', async () => {
    const dataDir = path.join(tmpProject(), 'supabase', '.temp', 'sbx', 'db')
    fs.mkdirSync(dataDir, {recursive: true})
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'keep me')

    const database = await openEmbeddedDatabase(dataDir, {env})
    onTestFinished(() => database.close())

    expect(database.created).toBe(true)
    const aside = fs.readdirSync(path.dirname(dataDir)).filter((name) => name.startsWith('db.invalid-'))
    expect(aside).toHaveLength(1)
    expect(fs.readFileSync(path.join(path.dirname(dataDir), aside[0] as string, 'notes.txt'), 'utf8')).toBe('keep me')
  })

  it('creates the database from the baseline once, then keeps what was written', async () => {
    const dataDir = path.join(tmpProject(), 'supabase', '.temp', 'sbx', 'db')
    const first = await openEmbeddedDatabase(dataDir, {env})
    expect(first.created).toBe(true)
    await first.db.exec('create table public.kept (id int); insert into public.kept values (7)')
    await first.close()

    const second = await openEmbeddedDatabase(dataDir, {env})
    onTestFinished(() => second.close())
    expect(second.created).toBe(false)
    expect((await second.db.query('select id from public.kept')).rows).toEqual([{id: 7}])
    expect((await second.db.query(`select to_regprocedure('auth.uid()') is not null as ok`)).rows).toEqual([{ok: true}])
  })

  it('opens an existing folder on the major that made it, whatever major is asked for', async () => {
    const dataDir = path.join(tmpProject(), 'supabase', '.temp', 'sbx', 'db')
    const on17 = replayMajor(17)
    const first = await openEmbeddedDatabase(dataDir, {env, major: on17})
    await first.db.exec('create table public.kept (id int)')
    await first.close()

    const again = await openEmbeddedDatabase(dataDir, {env, major: replayMajor(18)})
    onTestFinished(() => again.close())
    const {rows} = await again.db.query<{major: string}>(`select current_setting('server_version_num') as major`)
    expect(Math.floor(Number(rows[0]?.major) / 10_000)).toBe(17)
    expect(again.created).toBe(false)
  })
})

describe('ensureBaseline', () => {
  it('rebuilds a cached baseline that lacks its completion marker', {timeout: 120_000}, async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-damaged-cache-'))
    onTestFinished(() => fs.rmSync(cache, {recursive: true, force: true}))
    const damaged = path.join(cache, await baselineName())
    fs.mkdirSync(damaged)
    fs.writeFileSync(path.join(damaged, 'PG_VERSION'), '18\n')
    const builds: string[] = []

    const baseline = await ensureBaseline({env: {SBX_CACHE_DIR: cache}, onBuild: (dir) => builds.push(dir)})

    expect(baseline).toEqual({dir: damaged, built: true})
    expect(builds).toEqual([damaged])
    expect(fs.existsSync(path.join(damaged, 'sbx-baseline.json'))).toBe(true)
    // Beside it: the bundles of the stand-ins the build loaded (vault, pg_graphql).
    expect(fs.readdirSync(cache).sort()).toEqual([path.basename(damaged), 'extensions'])
  })

  it('reuses the cached baseline without rebuilding it', async () => {
    await ensureBaseline({env})
    let builds = 0
    const again = await ensureBaseline({env, onBuild: () => builds++})
    expect(again.built).toBe(false)
    expect(builds).toBe(0)
    expect(fs.existsSync(path.join(again.dir, 'sbx-baseline.json'))).toBe(true)
  })
})

describe('serveDatabase', () => {
  it('serves two pg clients at once on 127.0.0.1', async () => {
    const {db} = await fresh()
    const served = await serveDatabase(db)
    onTestFinished(() => served.close())
    expect(served.url).toMatch(/^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/)

    const [a, b] = await Promise.all([client(served.url), client(served.url)])
    await a.query('create table public.hits (who text)')
    const insertFive = async (c: pg.Client, who: string) => {
      for (let i = 0; i < 5; i++) await c.query('insert into public.hits values ($1)', [who])
    }
    await Promise.all([insertFive(a, 'a'), insertFive(b, 'b')])
    const counts = await b.query('select who, count(*)::int as n from public.hits group by who order by who')
    expect(counts.rows).toEqual([
      {who: 'a', n: 5},
      {who: 'b', n: 5},
    ])
    // Both sessions see the baseline.
    expect((await a.query(`select to_regclass('auth.users')::text as t`)).rows).toEqual([{t: 'auth.users'}])
  })

  it('keeps one client transaction away from the other client', async () => {
    const {db} = await fresh()
    const served = await serveDatabase(db)
    onTestFinished(() => served.close())
    const [a, b] = await Promise.all([client(served.url), client(served.url)])
    await a.query('create table public.t (n int)')
    await a.query('begin')
    await a.query('insert into public.t values (1)')
    const bInsert = b.query('insert into public.t values (2)')
    await a.query('rollback')
    await bInsert
    expect((await b.query('select n from public.t')).rows).toEqual([{n: 2}])
  })

  it('lets the real supabase binary push migrations and list them', async () => {
    const {db} = await fresh()
    const served = await serveDatabase(db)
    onTestFinished(() => served.close())
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_todos.sql': `
        create table public.todos (
          id bigint generated always as identity primary key,
          owner uuid not null default auth.uid() references auth.users (id),
          title text not null
        );
        alter table public.todos enable row level security;
        create policy "own" on public.todos for all to authenticated using (owner = (select auth.uid()));`,
      'supabase/migrations/20250102000000_search.sql': `
        create extension if not exists pg_trgm with schema extensions;
        create index todos_title_trgm on public.todos using gin (title extensions.gin_trgm_ops);`,
    })

    const push = await supabase(['db', 'push', `--remote=${served.url}`, '--yes', '--agent=no'], cwd)
    expect(push.exitCode, push.stderr).toBe(0)
    expect(push.stderr).toContain('Applying migration 20250102000000_search.sql...')

    const list = await supabase(['migration', 'list', `--remote=${served.url}`, '--agent=no'], cwd)
    expect(list.exitCode, list.stderr).toBe(0)
    expect(list.stdout).toMatch(/`20250101000000` \| `20250101000000`/)
    expect(list.stdout).toMatch(/`20250102000000` \| `20250102000000`/)

    const history = await db.query<{version: string; name: string}>(
      'select version, name from supabase_migrations.schema_migrations order by version',
    )
    expect(history.rows).toEqual([
      {version: '20250101000000', name: 'todos'},
      {version: '20250102000000', name: 'search'},
    ])
  })
})
