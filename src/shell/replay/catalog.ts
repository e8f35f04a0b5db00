/**
 * Snapshots of the user-visible catalog (tables, views, functions, extensions) taken between migrations during
 * a replay, so that an advisor finding can name the migration that created the object. Works on PGlite and on
 * a `pg` client alike (both answer `query(sql)` with `{rows}`).
 */

import {FEED_SCHEMA} from '../../core/sql/ddl-events.js'
import type {CatalogObject} from '../../core/verify/advisors.js'
import type {PreparedSession} from './prepared-query.js'

export interface Queryable {
  query(sql: string): Promise<{rows: unknown[]}>
}

/**
 * Objects from FirstNormalObjectId (16384) up, outside the system schemas. The signature covers what the
 * security advisors read: RLS flags, policies, options (security_invoker), grants; a function's SECURITY
 * DEFINER, settings (search_path) and body.
 */
const SNAPSHOT = `
select c.oid::int8::text as oid, 'relation' as kind, n.nspname::text as schema, c.relname::text as name,
  concat_ws('|', c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions::text, c.relacl::text,
    (select string_agg(p.oid::text || p.polname || p.polpermissive || coalesce(pg_get_expr(p.polqual, p.polrelid), '')
      || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''), ',' order by p.oid) from pg_policy p where p.polrelid = c.oid)) as signature
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.oid >= 16384 and c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema', 'supabase_migrations', '${FEED_SCHEMA}') and n.nspname not like 'pg\\_%'
union all
select p.oid::int8::text, 'function', n.nspname, p.proname,
  concat_ws('|', p.prosecdef, p.proconfig::text, p.proacl::text, md5(p.prosrc))
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where p.oid >= 16384 and n.nspname not in ('pg_catalog', 'information_schema', '${FEED_SCHEMA}') and n.nspname not like 'pg\\_%'
union all
select e.oid::int8::text, 'extension', n.nspname, e.extname, e.extversion
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.oid >= 16384`

/** Relations and functions whose catalog rows the given transactions changed (what a GRANT or REVOKE did). */
const CHANGED_BY_TRANSACTIONS = `
select oid::int8::text as oid from pg_class where oid >= 16384 and xmin::text::int8 = any($1::int8[])
union all
select oid::int8::text from pg_proc where oid >= 16384 and xmin::text::int8 = any($1::int8[])`

export async function catalogSnapshot(db: Queryable): Promise<CatalogObject[]> {
  const result = await db.query(SNAPSHOT)
  return result.rows as CatalogObject[]
}

/** Oids of the relations and functions that the transactions `xids` changed, by a statement prepared once. */
export type ChangedObjects = (xids: readonly number[]) => Promise<string[]>

export function changedObjects(session: PreparedSession): ChangedObjects {
  const query = session.query<{oid: string}>('sbx_ledger_changed', CHANGED_BY_TRANSACTIONS, ['int8[]'])
  return async (xids) => (xids.length === 0 ? [] : (await query.run([xids])).map((row) => row.oid))
}
