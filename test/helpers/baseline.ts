/** Gives a throwaway PostgreSQL database the Supabase baseline that the embedded database starts with. */

import {SUPABASE_BASELINE_SQL} from '../../src/core/embedded/supabase-baseline.js'
import {STAND_INS} from '../../src/core/extensions/extension-stand-ins.js'
import type {TestDatabase} from './databases.js'

/**
 * Roles are cluster-wide, so another test's database may have created them already. Supabase's databases
 * also put `extensions` on the search path (pg_trgm's operators live there); PGlite gets that as a start
 * parameter, a PostgreSQL database as its default. A PostgreSQL server has no control files for sbx's
 * stand-ins that the baseline creates (vault, pg_graphql), so their scripts run as plain SQL there.
 */
export function idempotentBaseline(): string {
  const searchPath = `do $$ begin execute format('alter database %I set search_path = "$user", public, extensions', current_database()); end $$;`
  const standIn = (_: string, name: string) =>
    `create schema if not exists ${STAND_INS[name]?.schema};\n${STAND_INS[name]?.sql.replaceAll('@extschema@', 'extensions')}`
  return `${SUPABASE_BASELINE_SQL.replace(/^create extension (\w+);$/gm, standIn).replace(
    /^create role (\w+)([^;]*);/gim,
    (_, name: string, rest: string) =>
      `do $$ begin if not exists (select from pg_roles where rolname = '${name}') then create role ${name}${rest}; end if; end $$;`,
  )}\n${searchPath}\n`
}

/** A schema dump good enough to tell "unchanged": relations, functions, policies, history rows. */
export async function schemaFingerprint(db: TestDatabase): Promise<string> {
  const rows = await db.query<{item: string}>(`
    select 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text as item from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    union all select 'fn ' || n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname not in ('pg_catalog', 'information_schema')
    union all select 'policy ' || schemaname || '.' || tablename || ' ' || policyname from pg_policies
    order by 1`)
  const history = await db
    .query<{version: string}>('select version from supabase_migrations.schema_migrations order by version')
    .catch(() => [])
  return [...rows.map((r) => r.item), ...history.map((h) => `applied ${h.version}`)].join('\n')
}
