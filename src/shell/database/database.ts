/**
 * Reading a Postgres database's migration history with `pg` (it fails fast on a bad endpoint), loaded lazily
 * (pg-module.ts).
 */
import type {Client} from 'pg'
import {ExternalError} from '../../core/errors.js'
import type {AppliedMigration} from '../../core/migrations/history.js'
import {assertHistoryVersions} from '../../core/migrations/history-version.js'
import {redactSecrets, redactUrl} from '../../core/output/redact.js'
import {loadPg} from './pg-module.js'

export async function connect(url: string): Promise<Client> {
  const {default: pg} = await loadPg()
  const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 10_000})
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw databaseError(`Cannot connect to ${redactUrl(url)}`, error, url)
  }
  return client
}

export function databaseError(what: string, error: unknown, url: string): ExternalError {
  const message = redactSecrets(error instanceof Error ? error.message : String(error), url)
  return new ExternalError(
    `${what}: ${message}`,
    'EDATABASE',
    ['Check the URL (--db-url or SUPABASE_DB_URL) and that the database is reachable.'],
    error,
  )
}

/**
 * The applied versions; an absent history table means nothing has been applied. Every version is checked
 * (core/migrations/history-version.ts) before it is returned: a row that is not a migration version is refused, exit 5.
 * `source` names the database in that refusal (default: the URL, redacted).
 */
export async function readHistory(client: Client, url: string, source = redactUrl(url)): Promise<AppliedMigration[]> {
  return assertHistoryVersions(await readRows(client, url), source)
}

async function readRows(client: Client, url: string): Promise<AppliedMigration[]> {
  try {
    const columns = await client.query<{column_name: string}>(
      `select column_name from information_schema.columns
       where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'`,
    )
    const names = new Set(columns.rows.map((row) => row.column_name))
    if (!names.has('version')) return []
    const select = [
      'version::text as version',
      names.has('name') ? 'name' : 'null as name',
      names.has('statements') ? 'statements' : 'null as statements',
    ]
    const result = await client.query<{version: string; name: string | null; statements: string[] | null}>(
      `select ${select.join(', ')} from supabase_migrations.schema_migrations order by version`,
    )
    return result.rows.map((row) => ({
      version: row.version,
      ...(row.name !== null ? {name: row.name} : {}),
      ...(row.statements !== null ? {statements: row.statements} : {}),
    }))
  } catch (error) {
    throw databaseError(`Cannot read the migration history of ${redactUrl(url)}`, error, url)
  }
}

export async function readHistoryAt(url: string): Promise<AppliedMigration[]> {
  const client = await connect(url)
  try {
    return await readHistory(client, url)
  } finally {
    await client.end().catch(() => undefined)
  }
}
