/**
 * Supabase's extensions (the list `select name from pg_available_extensions` gives on a Supabase project,
 * Postgres 15/17 images) and what the embedded database does with each. Data only: adding an extension is a
 * row here (and, for a stand-in, its SQL in extension-stand-ins.ts).
 *
 * - `pglite`: PGlite ships it (its contrib set or a package installed with it); `load` names the module and
 *   export of its PGlite `Extension`. The real extension: verified for real.
 * - `stand-in`: cannot run in WebAssembly (network, cron, libsodium…); sbx packages a SQL-only extension with
 *   the schemas, tables, types and function signatures the real one creates, whose calls do nothing.
 * - `unavailable`: neither; migrations are replayed without it and the statements that need it are skipped.
 * - `builtin`: part of PostgreSQL itself.
 *
 * Anything not listed is unknown: `create extension` of it fails, as it does on Supabase.
 */

export type ExtensionSource =
  /**
   * `version`: the default_version of PGlite's build (a test compares it with the installed package). `engine`:
   * the PGlite release the build needs, when it is not the default one (EMBEDDED_ENGINES).
   */
  | {kind: 'pglite'; load: {module: string; export: string}; version: string; engine?: EngineName}
  | {kind: 'stand-in'}
  | {kind: 'unavailable'}
  | {kind: 'builtin'}

const contrib = (name: string, version: string): ExtensionSource => ({
  kind: 'pglite',
  load: {module: `@electric-sql/pglite/contrib/${name}`, export: name},
  version,
})
/** autoinc, insert_username, moddatetime and refint share PGlite's `spi` bundle, exported as moddatetime. */
const spi = contrib('moddatetime', '1.0')
const pkg = (module: string, exportName: string, version: string): ExtensionSource => ({
  kind: 'pglite',
  load: {module, export: exportName},
  version,
})
/**
 * PostGIS: `@electric-sql/pglite-postgis` 0.2.8 is built for PGlite 0.5.8 (PostgreSQL 18.3), a peer it declares.
 * Measured: on the default PGlite (0.5.14) merely loading its bundle breaks every later library load
 * (plpgsql.so: "missing magic block"); on 0.5.8 it works, also on a data directory 0.5.14 made, as do 0.5.8's own
 * contrib builds. pgvector, pgtap and pg_hashids (built for 0.5.14) break 0.5.8 the same way, so PostGIS is loaded
 * only without them (core/extensions/extension-plan.ts).
 */
const postgisPart = (): ExtensionSource => ({
  kind: 'pglite',
  load: {module: '@electric-sql/pglite-postgis', export: 'postgis'},
  version: '3.6.2',
  engine: 'postgis',
})
const standIn: ExtensionSource = {kind: 'stand-in'}
const unavailable: ExtensionSource = {kind: 'unavailable'}

export const SUPABASE_EXTENSIONS: Readonly<Record<string, ExtensionSource>> = {
  address_standardizer: unavailable,
  address_standardizer_data_us: unavailable,
  amcheck: contrib('amcheck', '1.5'),
  autoinc: spi,
  bloom: contrib('bloom', '1.0'),
  btree_gin: contrib('btree_gin', '1.3'),
  btree_gist: contrib('btree_gist', '1.8'),
  citext: contrib('citext', '1.8'),
  cube: contrib('cube', '1.5'),
  dblink: unavailable,
  dict_int: contrib('dict_int', '1.0'),
  dict_xsyn: contrib('dict_xsyn', '1.0'),
  earthdistance: contrib('earthdistance', '1.2'),
  fuzzystrmatch: contrib('fuzzystrmatch', '1.2'),
  hstore: contrib('hstore', '1.8'),
  http: standIn,
  hypopg: unavailable,
  index_advisor: unavailable,
  insert_username: spi,
  intagg: unavailable,
  intarray: contrib('intarray', '1.5'),
  isn: contrib('isn', '1.3'),
  lo: contrib('lo', '1.2'),
  ltree: contrib('ltree', '1.3'),
  moddatetime: spi,
  old_snapshot: unavailable,
  pageinspect: contrib('pageinspect', '1.13'),
  pg_buffercache: contrib('pg_buffercache', '1.6'),
  pg_cron: standIn,
  pg_freespacemap: contrib('pg_freespacemap', '1.3'),
  pg_graphql: standIn,
  pg_hashids: pkg('@electric-sql/pglite-pg_hashids', 'pg_hashids', '1.3'),
  pg_jsonschema: standIn,
  pg_net: standIn,
  pg_partman: unavailable,
  pg_prewarm: unavailable,
  pg_repack: unavailable,
  pg_stat_monitor: unavailable,
  pg_stat_statements: contrib('pg_stat_statements', '1.12'),
  pg_surgery: contrib('pg_surgery', '1.0'),
  pg_tle: unavailable,
  pg_trgm: contrib('pg_trgm', '1.6'),
  pg_visibility: contrib('pg_visibility', '1.2'),
  pg_walinspect: contrib('pg_walinspect', '1.1'),
  pgaudit: unavailable,
  pgcrypto: contrib('pgcrypto', '1.4'),
  pgjwt: standIn,
  pgmq: standIn,
  pgroonga: unavailable,
  pgroonga_database: unavailable,
  pgrouting: unavailable,
  pgrowlocks: unavailable,
  pgsodium: standIn,
  pgstattuple: unavailable,
  pgtap: pkg('@electric-sql/pglite-pgtap', 'pgtap', '1.3.5'),
  plcoffee: unavailable,
  plls: unavailable,
  plpgsql: {kind: 'builtin'},
  plpgsql_check: unavailable,
  plv8: unavailable,
  postgis: postgisPart(),
  // In the bundle, but creating it stops the embedded database without an error (measured): not offered.
  postgis_raster: unavailable,
  postgis_sfcgal: unavailable,
  postgis_tiger_geocoder: unavailable,
  postgis_topology: postgisPart(),
  postgres_fdw: unavailable,
  rum: unavailable,
  seg: contrib('seg', '1.4'),
  sslinfo: unavailable,
  supabase_vault: standIn,
  tablefunc: contrib('tablefunc', '1.0'),
  tcn: contrib('tcn', '1.0'),
  timescaledb: unavailable,
  tsm_system_rows: contrib('tsm_system_rows', '1.0'),
  tsm_system_time: contrib('tsm_system_time', '1.0'),
  unaccent: contrib('unaccent', '1.1'),
  'uuid-ossp': contrib('uuid_ossp', '1.1'),
  vector: pkg('@electric-sql/pglite-pgvector', 'vector', '0.8.7'),
  wrappers: standIn,
}

/** The PGlite releases sbx can start (package names to import); `default` is the one everything else is built for. */
export type EngineName = 'default' | 'postgis'

export const EMBEDDED_ENGINES: Readonly<Record<EngineName, {module: string; contrib: string}>> = {
  default: {module: '@electric-sql/pglite', contrib: '@electric-sql/pglite/contrib/'},
  postgis: {module: 'pglite-postgis-engine', contrib: 'pglite-postgis-engine/contrib/'},
}

/**
 * Created in the Supabase baseline, as on every new Supabase project (pg_graphql and Vault are enabled by
 * default there); their libraries load only when used.
 */
export const BASELINE_EXTENSIONS = ['pgcrypto', 'uuid-ossp', 'supabase_vault', 'pg_graphql'] as const

/**
 * Text showing that SQL may call into an extension the baseline already created, so that its library (or its
 * stand-in) must be there although no migration creates it. Loading a library costs start-up time (pgcrypto
 * alone ~0.2 s); a call the scan misses fails with missingLibrary(), and verify then runs again with it.
 */
export const BASELINE_USE: Readonly<Record<(typeof BASELINE_EXTENSIONS)[number], RegExp>> = {
  // Calls, not words: vault's decrypted_secrets is no call into pgcrypto. gen_random_uuid() is core PostgreSQL.
  pgcrypto:
    /pgcrypto|\b(?:crypt|gen_salt|digest|hmac|armor|dearmor|gen_random_bytes|(?:en|de)crypt(?:_iv)?|pgp_\w+)\s*\(/iu,
  'uuid-ossp': /uuid[-_]ossp|uuid_generate_v|uuid_nil|uuid_ns_/iu,
  supabase_vault: /\bvault\s*\./iu,
  pg_graphql: /\bgraphql\s*\./iu,
}

/**
 * Libraries loaded when nothing says which are needed (and the embedded push target's floor): the baseline's
 * own, and pg_trgm, which Supabase projects create in almost every search migration.
 */
export const DEFAULT_LIBRARIES = ['pg_trgm', 'pgcrypto', 'uuid-ossp'] as const
