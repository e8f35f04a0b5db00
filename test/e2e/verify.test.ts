/**
 * `sbx verify` as a user runs it: the built CLI (npm run build first) on real temp projects. Where it matters,
 * the same files are also pushed by the real supabase binary to a served embedded database, to check that
 * verify fails exactly where `supabase db push` fails, and passes when it passes.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {freshDatabaseFromBaseline, serveDatabase} from '../../src/shell/embedded/embedded-db.js'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {runSbx, startSbx} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'
import {supabase} from '../helpers/supabase.js'

const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR}

const TABLES = `
create table public.orders (
  id bigint generated always as identity primary key,
  customer uuid not null references auth.users (id),
  total numeric(10, 2) not null
);
alter table public.orders enable row level security;
create policy "own orders" on public.orders for select to authenticated using (customer = (select auth.uid()));
`

// The incident: written on a branch after the tables, but its timestamp sorts first.
const FUNCTIONS = `
-- Reporting helpers
create or replace function public.customer_total(p_customer uuid)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(total), 0) from public.orders where customer = p_customer
$$;
`

async function pushWithSupabase(cwd: string) {
  const database = await freshDatabaseFromBaseline({env: {...process.env, ...env}})
  onTestFinished(() => database.close())
  const served = await serveDatabase(database.db)
  onTestFinished(() => served.close())
  return supabase(['db', 'push', `--remote=${served.url}`, '--yes', '--agent=no'], cwd)
}

describe('sbx verify', () => {
  it('replays a realistic Supabase history and exits 0, as supabase db push does', async () => {
    const cwd = tmpProject(REALISTIC_MIGRATIONS)

    const {exitCode, stdout} = await runSbx(['verify'], {cwd, env})

    expect(stdout).toMatch(/^ok {5}Replayed 12 migrations \(\d+ statements\) on a fresh PostgreSQL [\d.]+ \(PGlite/m)
    expect(exitCode).toBe(0)
    const push = await pushWithSupabase(cwd)
    expect(push.exitCode, push.stderr).toBe(0)
  })

  it('names a functions migration that sorts before the tables it needs, and the tables migration', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250301090000_customer_reports.sql': FUNCTIONS,
      'supabase/migrations/20250301100000_orders.sql': TABLES,
    })

    const {exitCode, stdout} = await runSbx(['verify'], {cwd, env})

    expect(exitCode).toBe(3)
    expect(stdout).toContain(
      'error  20250301090000_customer_reports.sql fails at statement 0 (0-based, as supabase prints "At statement: 0")',
    )
    expect(stdout).toContain('ERROR: relation "public.orders" does not exist (SQLSTATE 42P01)')
    expect(stdout).toContain('is created by a later migration: 20250301100000_orders.sql (statement 0)')
    expect(stdout).toContain('0 migrations of 2 applied before it')

    const push = await pushWithSupabase(cwd)
    expect(push.exitCode).toBe(1)
    expect(push.stderr).toContain('relation "public.orders" does not exist (SQLSTATE 42P01)')
    expect(push.stderr).toContain('At statement: 0')
  })

  it('reports the failure as JSON with --json', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250301080000_base.sql': 'create schema reporting;',
      'supabase/migrations/20250301090000_customer_reports.sql': FUNCTIONS,
      'supabase/migrations/20250301100000_orders.sql': TABLES,
      'supabase/migrations/notes.txt': 'not a migration',
    })

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(exitCode).toBe(3)
    const report = JSON.parse(stdout) as VerifyReport
    expect(report).toEqual({
      ok: false,
      migrations: 3,
      applied: 1,
      statements: 1,
      failure: {
        file: '20250301090000_customer_reports.sql',
        version: '20250301090000',
        statementIndex: 0,
        statements: 1,
        statement: FUNCTIONS.trim().replace(/;$/, ''),
        transactionMode: 'transactional',
        partial: false,
        error: {message: 'relation "public.orders" does not exist', code: '42P01', position: expect.any(Number)},
        missing: {kind: 'relation', name: 'public.orders'},
        createdBy: {file: '20250301100000_orders.sql', statementIndex: 0},
      },
      skipped: [{file: 'notes.txt', reason: 'not a migration (supabase skips it)', blocking: false}],
      database: {
        version: expect.stringMatching(/^PostgreSQL 17\.\d+ \(PGlite [\d.]+\)$/),
        major: 17,
        projectMajor: 17,
        exact: true,
        emulated: false,
        gap: [],
      },
      extensions: [],
      partlyVerified: [],
      advisors: expect.objectContaining({status: 'skipped', reason: 'the replay failed'}),
      lint: expect.objectContaining({status: 'ran', findings: []}),
      blocked: false,
      elapsedMs: expect.any(Number),
    })
  })

  it('names the file and statement of a syntax error, counting statements from 0 like supabase', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_ok.sql': 'create table public.a (id int);',
      'supabase/migrations/20250102000000_typo.sql':
        'create table public.b (id int);\n-- the typo is next\ncreate tabel public.c (id int);\ncreate table public.d (id int);',
    })

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(exitCode).toBe(3)
    const {failure, applied} = JSON.parse(stdout) as VerifyReport
    expect(applied).toBe(1)
    expect(failure).toMatchObject({
      file: '20250102000000_typo.sql',
      statementIndex: 1,
      statement: '-- the typo is next\ncreate tabel public.c (id int)',
      error: {message: 'syntax error at or near "tabel"', code: '42601'},
    })
    expect(failure?.createdBy).toBeUndefined()

    const push = await pushWithSupabase(cwd)
    expect(push.exitCode).toBe(1)
    expect(push.stderr).toContain('At statement: 1')
  })

  it('reports two files sharing a version, as the push would fail on schema_migrations_pkey', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_a.sql': 'create table public.a (id int);',
      'supabase/migrations/20250101000000_b.sql': 'create table public.b (id int);',
    })

    const {exitCode, stdout} = await runSbx(['verify'], {cwd, env})

    expect(exitCode).toBe(3)
    expect(stdout).toContain('error  20250101000000_b.sql fails at statement 1')
    expect(stdout).toContain('SQLSTATE 23505')
    expect(stdout).toContain('Version 20250101000000 is already recorded by 20250101000000_a.sql')
  })

  it('points at a skipped file that would have created the missing table', async () => {
    const cwd = tmpProject({
      'supabase/migrations/orders.sql': TABLES,
      'supabase/migrations/20250301090000_customer_reports.sql': FUNCTIONS,
    })

    const {exitCode, stdout} = await runSbx(['verify'], {cwd, env})

    expect(exitCode).toBe(3)
    expect(stdout).toContain('warn   orders.sql: supabase skips it')
    expect(stdout).toContain('is created by orders.sql (statement 0), but supabase skips it')
  })

  it('loads an extension library it did not expect when a migration calls it anyway', async () => {
    // Built at run time, so no pgcrypto name appears in the text: the first replay fails, the second loads all.
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_dynamic.sql': `
        do $$ begin
          execute format('select extensions.%s(%L, extensions.%s(%L))', 'cry' || 'pt', 'pw', 'gen_' || 'salt', 'bf');
        end $$;`,
    })

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      applied: 1,
      extensions: [{name: 'pgcrypto', status: 'loaded', files: ['20250101000000_dynamic.sql']}],
    })
    expect(exitCode).toBe(0)
  })

  it('exits 0 without starting a database when there are no migrations', async () => {
    const cwd = tmpProject({})

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ok: true, migrations: 0, applied: 0})
    expect(fs.existsSync(path.join(cwd, 'supabase', 'migrations'))).toBe(false)
  })

  it('builds the baseline once when two runs start on an empty cache at the same time', {
    timeout: 240_000,
  }, async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-cold-cache-'))
    onTestFinished(() => fs.rmSync(cache, {recursive: true, force: true}))
    const cwd = tmpProject({'supabase/migrations/20250101000000_orders.sql': TABLES})

    const runs = await Promise.all(
      [1, 2].map(() => startSbx(['verify'], {cwd, env: {SBX_CACHE_DIR: cache}, timeoutMs: 220_000})),
    )

    for (const run of runs) {
      expect(run.exitCode, String(run.stderr)).toBe(0)
      expect(String(run.stderr)).toContain('Building the embedded database baseline')
    }
    // Beside the baseline: the vault stand-in's bundle it was built with, one complete file, no leftovers.
    const entries = fs.readdirSync(cache).filter((name) => name !== 'extensions')
    expect(fs.readdirSync(path.join(cache, 'extensions')).sort()).toEqual([
      expect.stringMatching(/^pg_graphql-[0-9a-f]{12}\.tar\.gz$/),
      expect.stringMatching(/^supabase_vault-[0-9a-f]{12}\.tar\.gz$/),
    ])
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatch(/^baseline-[\d.]+-[0-9a-f]{12}$/)
    expect(fs.existsSync(path.join(cache, entries[0] as string, 'sbx-baseline.json'))).toBe(true)
  })
})
