/**
 * The push journal in the target database (core/push/interrupted-push.ts says why): one row per running push, written
 * on sbx's own connection and committed before supabase starts, deleted once supabase has applied every file. It
 * lives beside supabase's history, in `supabase_migrations.sbx_push_journal`, so a push from any clone sees it.
 */
import type {Client} from 'pg'
import type {JournalEntry} from '../../core/push/interrupted-push.js'

const TABLE = 'supabase_migrations.sbx_push_journal'

/** The running pushes' rows; undefined when there is no journal table yet. */
export async function readJournal(client: Client): Promise<JournalEntry[] | undefined> {
  const exists = await client.query<{found: boolean}>(`select to_regclass('${TABLE}') is not null as found`)
  if (!exists.rows[0]?.found) return undefined
  const rows = await client.query<{
    run: string
    files: string[]
    autocommit: string[]
    sha256: string[]
    started_by: string
    started_at: Date
  }>(`select run, files, autocommit, sha256, started_by, started_at from ${TABLE} order by started_at`)
  return rows.rows.map((row) => ({
    run: row.run,
    files: row.files,
    autocommit: row.autocommit,
    sha256: row.sha256,
    startedBy: row.started_by,
    startedAt: new Date(row.started_at).toISOString(),
  }))
}

/**
 * `tableExists`: what the caller's readJournal found, so that an existing table costs one round trip. Measured:
 * creating the schema and table on every push cost 50–70 ms of a 200-file push's overhead.
 */
export async function writeJournal(
  client: Client,
  entry: Omit<JournalEntry, 'startedAt'>,
  tableExists = false,
): Promise<void> {
  if (!tableExists) {
    await client.query(`create schema if not exists supabase_migrations;
    create table if not exists ${TABLE} (
      run text primary key, files text[] not null, autocommit text[] not null, sha256 text[] not null,
      started_by text not null, started_at timestamptz not null default now())`)
  }
  await client.query(`insert into ${TABLE} (run, files, autocommit, sha256, started_by) values ($1, $2, $3, $4, $5)`, [
    entry.run,
    entry.files,
    entry.autocommit,
    entry.sha256,
    entry.startedBy,
  ])
}

export async function deleteJournal(client: Client, runs: readonly string[]): Promise<void> {
  if (runs.length === 0) return
  await client.query(`delete from ${TABLE} where run = any($1::text[])`, [runs])
}
