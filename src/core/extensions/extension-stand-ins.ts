/**
 * SQL-only stand-ins for Supabase extensions that cannot run in WebAssembly (they send HTTP requests, run a
 * scheduler, or link libsodium). Each creates the schemas, types, tables, views and function signatures the
 * real extension creates, as its documentation lists them, so that `create extension`, DDL referring to
 * them and calls made at migration time replay. A call does nothing but return a value of the right type
 * (HTTP calls queue nothing and answer 200, vault keeps secrets unencrypted, JSON schemas accept everything).
 *
 * Packaged like PGlite's own extensions (a control file and a script, shell/embedded/extension-bundles.ts), so that
 * `create extension` itself works, in verify and in the embedded push target alike. `@extschema@` is the
 * schema the migration names (`with schema extensions`); stand-ins of extensions that own a schema (net,
 * cron) create it as the real ones do, and those whose control file pins one (vault, pgsodium, graphql) get
 * it from PostgreSQL. A control file without `schema` accepts any `with schema` clause, as Supabase does for
 * pg_net and pg_cron.
 */

import {SQL_ASSETS} from '../sql/sql-assets.generated.js'

export interface StandIn {
  /** The real extension's version the signatures were taken from. */
  version: string
  comment: string
  /** The schema the real control file pins, if any (created by Postgres when missing). */
  schema?: string
  /** Where the signatures come from. */
  docs: string
  sql: string
  /** PGlite contrib builds whose libraries its functions call (loaded with it, never created as extensions). */
  libraries?: readonly string[]
}
/**
 * Supabase Wrappers' foreign data wrappers, as its documentation lists them: each has `<name>_fdw_handler()`,
 * `<name>_fdw_validator(options text[], catalog oid)` and `<name>_fdw_meta()`.
 */
const WRAPPERS = [
  'airtable',
  'auth0',
  'big_query',
  'click_house',
  'cognito',
  'duckdb',
  'firebase',
  'hello_world',
  'iceberg',
  'logflare',
  'mssql',
  'redis',
  's3',
  'stripe',
  'wasm',
]

function wrappersSql(): string {
  const each = WRAPPERS.map(
    (name) => `create function @extschema@.${name}_fdw_handler() returns fdw_handler
  language c strict as '$libdir/file_fdw', 'file_fdw_handler';
create function @extschema@.${name}_fdw_validator(options text[], catalog oid) returns void
  language plpgsql as $$ begin end $$;
create function @extschema@.${name}_fdw_meta() returns table (name text, version text, author text, website text)
  language sql as $$ select '${name}_fdw'::text, '0.5.0'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;`,
  )
  return `${SQL_ASSETS['stand-ins/wrappers.sql']}${each.join('\n')}\n`
}

/** A stand-in's script: src/sql/stand-ins/<name>.sql, embedded at build time (scripts/embed-sql.mjs). */
function standInSql(name: string): string {
  const sql = SQL_ASSETS[`stand-ins/${name}.sql`]
  if (sql === undefined) throw new Error(`src/sql/stand-ins/${name}.sql is missing from the build`)
  return sql
}

export const STAND_INS: Readonly<Record<string, StandIn>> = {
  pg_net: {
    version: '0.14.0',
    comment: 'sbx stand-in for pg_net (async HTTP): requests are queued, never sent',
    docs: 'https://supabase.com/docs/guides/database/extensions/pg_net',
    sql: standInSql('pg_net'),
  },

  http: {
    version: '1.6',
    comment: 'sbx stand-in for http (pgsql-http): every request answers 200 with an empty JSON object',
    docs: 'https://github.com/pramsey/pgsql-http#functions',
    sql: standInSql('http'),
  },

  pg_cron: {
    version: '1.6',
    comment: 'sbx stand-in for pg_cron: jobs are recorded in cron.job, never run',
    docs: 'https://github.com/citusdata/pg_cron#usage',
    sql: standInSql('pg_cron'),
  },

  supabase_vault: {
    version: '0.3.1',
    comment: 'sbx stand-in for Supabase Vault: secrets are stored unencrypted',
    schema: 'vault',
    docs: 'https://supabase.com/docs/guides/database/vault',
    sql: standInSql('supabase_vault'),
  },

  pgsodium: {
    version: '3.1.8',
    comment: 'sbx stand-in for pgsodium: nothing is encrypted, keys are zeros',
    schema: 'pgsodium',
    docs: 'https://github.com/michelp/pgsodium#api-reference',
    sql: standInSql('pgsodium'),
  },

  pg_graphql: {
    version: '1.5.11',
    comment: 'sbx stand-in for pg_graphql: resolve() answers {"data": null}',
    schema: 'graphql',
    docs: 'https://supabase.github.io/pg_graphql/api/',
    sql: standInSql('pg_graphql'),
  },

  pgjwt: {
    version: '0.2.0',
    comment: 'sbx stand-in for pgjwt: tokens are signed with SHA-256 of secret and content, not an HMAC',
    docs: 'https://github.com/michelp/pgjwt#usage',
    sql: standInSql('pgjwt'),
  },

  pgmq: {
    version: '1.4.4',
    comment: 'sbx stand-in for pgmq: queues are real tables in schema pgmq, as in pgmq itself',
    docs: 'https://github.com/pgmq/pgmq/blob/main/docs/api/sql/functions.md',
    // As pgmq's control file: schema pgmq, created when missing (`with schema extensions` is refused).
    schema: 'pgmq',
    // Written from pgmq's documented API: its types, table layout (pgmq.q_<queue>, pgmq.a_<queue>, pgmq.meta) and
    // functions, which work (send, read, pop, archive, delete, set_vt). Partitioned queues (pg_partman) are plain.
    sql: standInSql('pgmq'),
  },

  wrappers: {
    version: '0.5.0',
    comment:
      'sbx stand-in for Supabase Wrappers: handlers and validators, so wrappers, servers and foreign tables replay',
    docs: 'https://supabase.github.io/wrappers/',
    // A handler must be a C function returning fdw_handler: file_fdw's stands in (no DDL calls it); a foreign
    // table's options are not validated, and reading one fails.
    libraries: ['file_fdw'],
    sql: wrappersSql(),
  },

  pg_jsonschema: {
    version: '0.3.3',
    comment: 'sbx stand-in for pg_jsonschema: every document matches every schema',
    docs: 'https://supabase.com/docs/guides/database/extensions/pg_jsonschema',
    sql: standInSql('pg_jsonschema'),
  },
}

/** The control file PostgreSQL reads for `create extension <name>`. */
export function standInControl(standIn: StandIn): string {
  const lines = [
    `comment = '${standIn.comment.replaceAll("'", "''")}'`,
    `default_version = '${standIn.version}'`,
    'relocatable = false',
    'trusted = true',
  ]
  if (standIn.schema) lines.push(`schema = ${standIn.schema}`)
  return `${lines.join('\n')}\n`
}

const EXTENSION_DIR = 'share/postgresql/extension'

/** The files of a stand-in's bundle, paths as in PGlite's own extension bundles; `versions` as in versionAliases. */
export function standInFiles(
  name: string,
  standIn: StandIn,
  versions: readonly string[] = [],
): Array<{name: string; text: string}> {
  return [
    {name: `${EXTENSION_DIR}/${name}.control`, text: standInControl(standIn)},
    {name: `${EXTENSION_DIR}/${name}--${standIn.version}.sql`, text: standIn.sql},
    ...versionAliases(name, standIn.version, versions),
  ]
}

/**
 * Migrations written by `supabase db diff` pin versions (`create extension … version '0.8.0'`) that the
 * embedded database does not have. For each, an empty update script from the version it has makes
 * PostgreSQL install that one and record it under the pinned number: the objects are those of `from`.
 */
export function versionAliases(
  name: string,
  from: string,
  versions: readonly string[],
): Array<{name: string; text: string}> {
  return versions
    .filter((version) => version !== from)
    .map((version) => ({
      name: `${EXTENSION_DIR}/${name}--${from}--${version}.sql`,
      text: `-- sbx: ${name} ${version} is replayed as ${from}, the version the embedded database has.\n`,
    }))
}
