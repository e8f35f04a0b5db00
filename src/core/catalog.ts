/**
 * The objects a database holds, read from its own catalogs (never from SQL text), and what changed between two
 * reads: the basis of `sbx plan` (per migration, on the replay database) and of push's post-deploy check (the
 * replay against the target). Pure: the SQL is a string run by the caller; rows in, decisions out.
 */

export type ObjectKind =
  | 'schema'
  | 'extension'
  | 'table'
  | 'view'
  | 'column'
  | 'function'
  | 'policy'
  | 'trigger'
  | 'index'

/** One catalog row. `classid`/`objid`/`subid` address it in pg_depend; `ext` marks an extension's own member. */
export interface CatalogRow {
  kind: ObjectKind
  schema: string
  name: string
  /** The table of a column, policy, trigger or index. */
  parent: string | null
  /** Changes when the object's definition changes (alters). */
  sig: string
  classid: number
  objid: number
  subid: number
  /** A table's row type (functions returning it depend on the type). */
  typid: number | null
  ext: boolean
}

/** An object as reports show it: `name` unqualified, `table` for columns, policies, triggers and indexes. */
export interface DbObject {
  kind: ObjectKind
  schema: string
  name: string
  table?: string
  /** `schema.name`, `schema.table.name`, or `schema.name(args)` for functions. */
  qualified: string
}

const USER_SCHEMAS = `select oid, nspname from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and nspname not like 'pg_temp%'
    and nspname not like 'pg_toast_temp%'`

/**
 * Every object sbx tracks outside the system schemas, one row each; the same SQL on PostgreSQL 15 to 18.
 * Extensions' own members are left out (the extension itself is listed): reports never show them, and
 * skipping them keeps a read between every pair of migrations cheap.
 */
export const CATALOG_SQL = `with ns as (${USER_SCHEMAS})
select 'schema' as kind, n.nspname as schema, n.nspname as name, null::text as parent, '' as sig,
  2615 as classid, n.oid::int8 as objid, 0 as subid, null::int8 as typid,
  false as ext
from ns n where not exists (select 1 from pg_depend d where d.classid = 2615 and d.objid = n.oid and d.objsubid = 0 and d.deptype = 'e')
union all
select 'extension', n.nspname, e.extname, null, e.extversion, 3079, e.oid::int8, 0, null, false
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
union all
select case when c.relkind in ('v', 'm') then 'view' else 'table' end, n.nspname, c.relname, null,
  case when c.relkind in ('v', 'm') then md5(pg_get_viewdef(c.oid)) else c.relkind::text || c.relrowsecurity::text end,
  1259, c.oid::int8, 0, c.reltype::int8,
  false
from pg_class c join ns n on n.oid = c.relnamespace where c.relkind in ('r', 'p', 'v', 'm') and not exists (select 1 from pg_depend d where d.classid = 1259 and d.objid = c.oid and d.objsubid = 0 and d.deptype = 'e')
union all
select 'column', n.nspname, a.attname, c.relname,
  format_type(a.atttypid, a.atttypmod) || a.attnotnull::text, 1259, c.oid::int8, a.attnum, null,
  false
from pg_attribute a join pg_class c on c.oid = a.attrelid join ns n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and not exists (select 1 from pg_depend d where d.classid = 1259 and d.objid = c.oid and d.objsubid = 0 and d.deptype = 'e')
union all
select 'function', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null,
  md5(coalesce(p.prosrc, '') || coalesce(array_to_string(p.proconfig, ','), '') || p.provolatile::text || p.prosecdef::text
    || pg_get_function_result(p.oid)),
  1255, p.oid::int8, 0, null, false
from pg_proc p join ns n on n.oid = p.pronamespace where not exists (select 1 from pg_depend d where d.classid = 1255 and d.objid = p.oid and d.objsubid = 0 and d.deptype = 'e')
union all
select 'policy', n.nspname, pol.polname, c.relname,
  md5(coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || '|' || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
    || pol.polcmd::text || pol.polpermissive::text || pol.polroles::text),
  3256, pol.oid::int8, 0, null, false
from pg_policy pol join pg_class c on c.oid = pol.polrelid join ns n on n.oid = c.relnamespace
union all
select 'trigger', n.nspname, t.tgname, c.relname, md5(pg_get_triggerdef(t.oid)), 2620, t.oid::int8, 0, null,
  false
from pg_trigger t join pg_class c on c.oid = t.tgrelid join ns n on n.oid = c.relnamespace where not t.tgisinternal and not exists (select 1 from pg_depend d where d.classid = 1259 and d.objid = c.oid and d.objsubid = 0 and d.deptype = 'e')
union all
select 'index', n.nspname, ic.relname, c.relname, md5(pg_get_indexdef(i.indexrelid)), 1259, ic.oid::int8, 0, null,
  false
from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_class c on c.oid = i.indrelid
  join ns n on n.oid = c.relnamespace where not exists (select 1 from pg_depend d where d.classid = 1259 and d.objid = c.oid and d.objsubid = 0 and d.deptype = 'e')`

/** What an object depends on, for the objects a migration created or altered (views through their rule). */
export const DEPENDS_SQL = `select d.refclassid::int8 as refclassid, d.refobjid::int8 as refobjid, d.refobjsubid as refobjsubid
from pg_depend d
where d.deptype in ('n', 'a')
  and ((d.classid::int8, d.objid::int8) in (select * from unnest($1::int8[], $2::int8[]))
    or (d.classid = 'pg_rewrite'::regclass and d.objid in (select oid from pg_rewrite where ev_class::int8 = any($3::int8[]))))`

/** Bodies of functions (plpgsql and sql bodies record no dependency on the tables they use). */
export const FUNCTION_BODIES_SQL = 'select prosrc from pg_proc where oid::int8 = any($1::int8[])'

export const PG_CLASS = 1259
export const PG_TYPE = 1247

export function objectKey(row: Pick<CatalogRow, 'kind' | 'schema' | 'name' | 'parent'>): string {
  return `${row.kind} ${qualifiedName(row)}`
}

function qualifiedName(row: Pick<CatalogRow, 'schema' | 'name' | 'parent'>): string {
  return row.parent === null ? `${row.schema}.${row.name}` : `${row.schema}.${row.parent}.${row.name}`
}

export function toObject(row: CatalogRow): DbObject {
  const paren = row.kind === 'function' ? row.name.indexOf('(') : -1
  return {
    kind: row.kind,
    schema: row.schema,
    name: paren >= 0 ? row.name.slice(0, paren) : row.name,
    ...(row.parent === null ? {} : {table: row.parent}),
    qualified: qualifiedName(row),
  }
}

/** Catalog rows as read by pg or PGlite (oids may arrive as strings), normalized. */
export function normalizeRows(rows: readonly Record<string, unknown>[]): CatalogRow[] {
  return rows.map((row) => ({
    kind: row.kind as ObjectKind,
    schema: String(row.schema),
    name: String(row.name),
    parent: row.parent === null || row.parent === undefined ? null : String(row.parent),
    sig: String(row.sig ?? ''),
    classid: Number(row.classid),
    objid: Number(row.objid),
    subid: Number(row.subid),
    typid: row.typid === null || row.typid === undefined ? null : Number(row.typid),
    ext: row.ext === true || row.ext === 't',
  }))
}

export type Catalog = Map<string, CatalogRow>

export function catalogOf(rows: readonly CatalogRow[]): Catalog {
  return new Map(rows.map((row) => [objectKey(row), row]))
}

export interface CatalogDiff {
  created: CatalogRow[]
  altered: CatalogRow[]
  dropped: CatalogRow[]
}

/** What one migration changed; an extension's own members are left out (the extension itself is listed). */
export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const created: CatalogRow[] = []
  const altered: CatalogRow[] = []
  const dropped: CatalogRow[] = []
  for (const [key, row] of after) {
    if (row.ext) continue
    const old = before.get(key)
    if (!old) created.push(row)
    else if (old.sig !== row.sig) altered.push(row)
  }
  for (const [key, row] of before) if (!row.ext && !after.has(key)) dropped.push(row)
  return {created, altered, dropped}
}

/** Objects `expected` holds that `actual` lacks (by name: definitions differ between PostgreSQL versions). */
export function missingObjects(expected: Iterable<CatalogRow>, actual: Catalog): CatalogRow[] {
  return [...expected].filter((row) => !actual.has(objectKey(row)))
}

const IDENTIFIER = /[a-z_][a-z0-9_$]*(?:\s*\.\s*[a-z_][a-z0-9_$]*)?/gu

/** Relation names a function body mentions, lowercased (`schema.name` and bare `name`). */
export function namesInBody(body: string): Set<string> {
  const text = body
    .toLowerCase()
    .replace(/--[^\n]*/gu, ' ')
    .replace(/"([^"]+)"/gu, '$1')
  const names = new Set<string>()
  for (const match of text.matchAll(IDENTIFIER)) {
    const name = match[0].replace(/\s+/gu, '')
    names.add(name)
    const dot = name.indexOf('.')
    if (dot >= 0) names.add(name.slice(dot + 1))
  }
  return names
}

const KIND_ORDER: ObjectKind[] = [
  'schema',
  'extension',
  'table',
  'view',
  'column',
  'function',
  'policy',
  'trigger',
  'index',
]

export function sortObjects<T extends DbObject>(objects: T[]): T[] {
  return objects.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.qualified < b.qualified ? -1 : a.qualified > b.qualified ? 1 : 0),
  )
}
