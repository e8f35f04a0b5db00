/**
 * The risk trace's target: a throwaway database on the real PostgreSQL server holding `public.big` with 1,000,000
 * rows (analyzed, as autovacuum leaves a production table) and its history row, and the pending migrations one
 * per file. Shared by the risk e2e tests and the time model's check against measured runs.
 */
import {randomBytes} from 'node:crypto'
import pg from 'pg'
import {afterAll, beforeAll, expect} from 'vitest'
import {runSbx, SUPABASE_BIN} from './cli.js'

export const RISK_ENV = {SBX_SUPABASE_BIN: SUPABASE_BIN}

export const FILES = {
  big: '20260101000000_big.sql',
  retype: '20260102000000_retype.sql',
  index: '20260103000000_index.sql',
  flag: '20260104000000_flag.sql',
  at: '20260105000000_at.sql',
}
export const BIG = 'create table public.big (id bigint generated always as identity primary key, n int not null);'
export const MIGRATIONS = {
  [`supabase/migrations/${FILES.big}`]: `${BIG}\n`,
  [`supabase/migrations/${FILES.retype}`]: 'alter table public.big alter column n type bigint;\n',
  [`supabase/migrations/${FILES.index}`]: 'create index concurrently big_n_idx on public.big (n);\n',
  [`supabase/migrations/${FILES.flag}`]: 'alter table public.big add column flag int default 0;\n',
  [`supabase/migrations/${FILES.at}`]: 'alter table public.big add column at timestamptz default clock_timestamp();\n',
}

export interface Risk {
  level: string
  locks: Array<{statement: number; relation: string; mode: string; heldThrough: number[]}>
  rewrites: Array<{statement: number; relation: string}>
  scans: unknown[]
  tables?: Array<{relation: string; bytes: number; rows: number}>
  estimatedSeconds?: number
  blocksReads: boolean
  blocksWrites: boolean
}

export interface BigTableTarget {
  url(): string
  query<T extends pg.QueryResultRow>(sql: string): Promise<T[]>
  /** `sbx plan --db-url <target> --format json` in `dir`: each pending file's risk by name. */
  planRisk(dir: string): Promise<(file: string) => Risk>
}

/** Registers the hooks that make (and drop) the target; call inside a describe that needs the server. */
export function useBigTableTarget(serverUrl: string | undefined): BigTableTarget {
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
    const target = new URL(serverUrl)
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

  return {
    url: () => url,
    query,
    async planRisk(dir) {
      const result = await runSbx(['plan', '--db-url', url, '--format', 'json'], {
        cwd: dir,
        env: RISK_ENV,
        timeoutMs: 180_000,
      })
      expect(result.exitCode, result.stderr).toBe(0)
      const report = JSON.parse(result.stdout) as {migrations: Array<{file: string; risk: Risk}>}
      return (file: string) => report.migrations.find((m) => m.file === file)?.risk as Risk
    },
  }
}
