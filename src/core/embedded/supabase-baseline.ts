/**
 * What a fresh Supabase database already holds before the first migration runs, reduced to what user
 * migrations touch: the API roles, the auth / storage / extensions schemas, auth.users and the JWT helper
 * functions, pgcrypto and uuid-ossp in `extensions`, the `supabase_realtime` publication, and Supabase's
 * default grants on `public`. Modelled on supabase/postgres `migrations/db/init-scripts` and the auth and
 * storage services' own migrations; objects nobody's migration references are left out to keep start-up fast.
 *
 * Supabase Vault (supabase_vault) and pg_graphql exist from the start on every Supabase project: the baseline
 * creates sbx's stand-ins of them (core/extensions/extension-stand-ins.ts). Other extensions are created by migrations, as on Supabase
 * (`create extension pg_trgm` would fail here if the baseline had created it already).
 *
 * Data: the SQL is in src/sql/baseline/*.sql (embedded at build time), the roles and the stand-ins it creates are
 * listed here, so the embedded database and a shadow on a real server render them each their own way (a
 * server's roles are cluster-wide and may exist already; it has no control files for the stand-ins) without
 * rewriting SQL text. The embedded database (shell/embedded/embedded-db.ts) applies it once per machine; changing it
 * (or a stand-in it creates) changes the cache key, so every machine rebuilds its baseline once.
 */
import {STAND_INS} from '../extensions/extension-stand-ins.js'
import {SQL_ASSETS} from '../sql/sql-assets.generated.js'

/** Supabase's search_path for `postgres`: unqualified uuid_generate_v4() or crypt() resolve to `extensions`. */
export const SUPABASE_SEARCH_PATH = '"$user", public, extensions'

export interface BaselineRole {
  name: string
  /** The options of `create role` (supabase/postgres init-scripts/00000000000000-initial-schema.sql …). */
  options: string
}

export const BASELINE_ROLES: readonly BaselineRole[] = [
  {name: 'supabase_admin', options: 'login createrole createdb replication bypassrls superuser'},
  {name: 'anon', options: 'nologin noinherit'},
  {name: 'authenticated', options: 'nologin noinherit'},
  {name: 'service_role', options: 'nologin noinherit bypassrls'},
  {name: 'authenticator', options: 'login noinherit'},
  {name: 'supabase_auth_admin', options: 'noinherit createrole login'},
  {name: 'supabase_storage_admin', options: 'noinherit createrole login'},
]

/** src/sql/baseline/, in the order they run (after the roles). */
export const BASELINE_FILES = ['role-grants.sql', 'api-schemas.sql', 'auth.sql', 'storage.sql'] as const

/** Vault and pg_graphql are there from the start on Supabase: sbx's stand-ins of them (calls do nothing). */
export const BASELINE_STAND_INS = ['supabase_vault', 'pg_graphql'] as const

export interface BaselineRendering {
  role(role: BaselineRole): string
  standIn(name: string): string
}

/** The baseline as one script, its roles and stand-ins rendered for the database it runs on. */
export function baselineSql(render: BaselineRendering): string {
  const files = BASELINE_FILES.map((name) => {
    const sql = SQL_ASSETS[`baseline/${name}`]
    if (sql === undefined) throw new Error(`src/sql/baseline/${name} is missing from the build`)
    return sql
  })
  return [...BASELINE_ROLES.map(render.role), ...files, ...BASELINE_STAND_INS.map(render.standIn)].join('\n')
}

/** For the embedded database: plain roles, and the stand-ins through their control files. */
export const SUPABASE_BASELINE_SQL = baselineSql({
  role: ({name, options}) => `create role ${name} ${options};`,
  standIn: (name) => `create extension ${name};`,
})

/** A stand-in's script as plain SQL, for a server without its control file. */
export function standInAsPlainSql(name: string): string {
  const standIn = STAND_INS[name]
  if (!standIn) throw new Error(`no stand-in named ${name}`)
  const schema = standIn.schema ? `create schema if not exists ${standIn.schema};\n` : ''
  return `${schema}${standIn.sql.replaceAll('@extschema@', 'extensions')}`
}
