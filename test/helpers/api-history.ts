/**
 * Applies a migration the way the Supabase API / self-hosted Studio does (field notes; Studio's
 * apps/studio/lib/api/self-hosted/migrations.ts): ensure the history table, then in one transaction the
 * query itself and a history row whose version is the server's `to_char(current_timestamp,
 * 'YYYYMMDDHHMISS')` (a 12-hour clock), with the given name and the whole query as the only statement.
 */
import pg from 'pg'

export interface ApiApplyOptions {
  /**
   * The session time zone. The version comes from the server's clock, so two applies in the same second
   * collide exactly as they would through Studio; tests that need two versions give each its own zone.
   */
  timeZone?: string
}

export async function applyLikeSupabaseApi(
  url: string,
  name: string,
  query: string,
  options: ApiApplyOptions = {},
): Promise<string> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    await client.query(`set time zone '${options.timeZone ?? 'UTC'}'`)
    await client.query(`create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations add column if not exists statements text[];
      alter table supabase_migrations.schema_migrations add column if not exists name text;`)
    await client.query('begin')
    try {
      await client.query(query)
      const inserted = await client.query<{version: string}>(
        `insert into supabase_migrations.schema_migrations (version, name, statements)
         values (to_char(current_timestamp, 'YYYYMMDDHHMISS'), $1, array[$2]) returning version`,
        [name, query],
      )
      await client.query('commit')
      return inserted.rows[0]?.version as string
    } catch (error) {
      await client.query('rollback')
      throw error
    }
  } finally {
    await client.end()
  }
}
