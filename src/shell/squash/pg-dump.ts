/**
 * pg_dump compiled to WebAssembly (`@electric-sql/pglite-tools`), run against an in-process PGlite: no server,
 * no binary. Imported lazily (its module and 0.7 MB of WebAssembly load only for `sbx squash`). Measured on 2
 * cores, PGlite 0.5.14 (PostgreSQL 18.6, pg_dump 18.3): the schema of a fresh baseline database in ~0.4 s, its
 * data in ~0.2 s.
 */
import type {PGlite} from '@electric-sql/pglite'
import {ExternalError} from '../../core/errors.js'

/** Never dumped: supabase's history table (each database has its own). */
const EXCLUDED = ['--exclude-schema=supabase_migrations', '--exclude-schema=sbx_ddl_feed']

export async function dumpSchema(db: PGlite): Promise<string> {
  return run(db, ['--schema-only', '--no-owner', ...EXCLUDED])
}

/**
 * Rows as INSERT statements with column names (supabase cannot run COPY … FROM stdin), and every sequence's
 * value as setval. storage.buckets is left to the caller (its timestamps are the time of the insert).
 */
export async function dumpData(db: PGlite): Promise<string> {
  return run(db, ['--data-only', '--column-inserts', '--no-owner', '--exclude-table-data=storage.buckets', ...EXCLUDED])
}

async function run(db: PGlite, args: string[]): Promise<string> {
  const {pgDump} = await import('@electric-sql/pglite-tools/pg_dump')
  try {
    const file = await pgDump({pg: db, args})
    const text = await file.text()
    // pg_dump shares the session: it leaves its read-only snapshot transaction open and its settings
    // (search_path = '') behind, as a client that disconnects would. Later statements expect neither.
    if (db.isInTransaction()) await db.exec('ROLLBACK')
    await db.exec('RESET ALL')
    return text
  } catch (error) {
    throw new ExternalError(
      `pg_dump (WebAssembly) failed on the embedded database: ${(error as Error).message}`,
      'EPGDUMP',
      ['Please report it with the migrations that trigger it.'],
      error,
    )
  }
}
