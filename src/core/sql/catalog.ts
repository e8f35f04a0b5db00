/**
 * The objects a database holds, read from its own catalogs (never from SQL text), and what changed between two
 * reads: the basis of `sbx plan` (per migration, on the replay database) and of push's post-deploy check (the
 * replay against the target). Pure: the SQL is a string run by the caller; rows in, decisions out.
 */

import {type CatalogScope, FEED_SCHEMA} from './ddl-events.js'

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
  /** The relation a table, view, column, policy, trigger or index belongs to (itself for tables and views). */
  relid: number | null
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

/** Schemas outside the system's (and outside the replay's DDL feed). */
const userSchema = (n: string) =>
  `${n}.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', '${FEED_SCHEMA}') and ${n}.nspname not like 'pg_temp%'
    and ${n}.nspname not like 'pg_toast_temp%'`

const NOT_EXTENSION_MEMBER = (classid: number, oid: string) =>
  `not exists (select 1 from pg_depend d where d.classid = ${classid} and d.objid = ${oid} and d.objsubid = 0 and d.deptype = 'e')`

/**
 * Every object sbx tracks outside the system schemas, one row each; the same SQL on PostgreSQL 15 to 18.
 * The first branch casts to text: a UNION takes its column types from it, and `name` (63 bytes) would cut
 * every function's `name(identity arguments)` there, merging long overloads into one.
 * Extensions' own members are left out (the extension itself is listed): reports never show them, and
 * skipping them keeps a read between every pair of migrations cheap.
 *
 * `scoped` limits it to a CatalogScope (core/sql/ddl-events.ts), parameters $1 relations, $2 functions,
 * $3 policies, $4 triggers, $5 schemas: it reads every part of the relations named, of the tables of the indexes,
 * policies and triggers named, and of the views that depend on the relations named (their text can change with a
 * renamed column). The relation branches start from that short list (materialized as rc): measured on the
 * embedded database, a generic plan over whole catalogs took 24 ms per read, this one about 2 ms.
 */
function catalogSql(scoped: boolean): string {
  // Materialized, by index: the planner misjudges the schema filter (one row) and would scan pg_class once per
  // schema.
  const relations = scoped ? 'rc c' : 'pg_class c'
  const relCte = scoped
    ? `rel as (select unnest($1::oid[]) as oid
  union select indrelid from pg_index where indexrelid = any($1::oid[])
  union select polrelid from pg_policy where oid = any($3::oid[])
  union select tgrelid from pg_trigger where oid = any($4::oid[])
  union select r.ev_class from pg_rewrite r join pg_depend d on d.classid = 2618 and d.objid = r.oid
  where d.refclassid = 1259 and d.refobjid = any($1::oid[])),
rc as materialized (select c.oid, c.relname, c.relkind, c.relnamespace, c.relrowsecurity, c.reltype
  from pg_class c where c.oid = any(array(select oid from rel)))`
    : ''
  return `${scoped ? 'with ' : ''}${relCte}
select 'schema' as kind, n.nspname::text as schema, n.nspname::text as name, null::text as parent, '' as sig,
  2615 as classid, n.oid::int8 as objid, 0 as subid, null::int8 as typid, null::int8 as relid, false as ext
from pg_namespace n where ${userSchema('n')} and ${NOT_EXTENSION_MEMBER(2615, 'n.oid')}${scoped ? ' and n.oid = any($5::oid[])' : ''}
union all
select 'extension', n.nspname, e.extname, null, e.extversion, 3079, e.oid::int8, 0, null, null, false
from pg_extension e join pg_namespace n on n.oid = e.extnamespace${scoped ? ' where false' : ''}
union all
select case when c.relkind in ('v', 'm') then 'view' else 'table' end, n.nspname, c.relname, null,
  case when c.relkind in ('v', 'm') then md5(pg_get_viewdef(c.oid)) else c.relkind::text || c.relrowsecurity::text
    || coalesce((select string_agg(con.oid::text, ',' order by con.oid) from pg_constraint con where con.conrelid = c.oid), '') end,
  1259, c.oid::int8, 0, c.reltype::int8, c.oid::int8, false
from ${relations} join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm') and ${userSchema('n')} and ${NOT_EXTENSION_MEMBER(1259, 'c.oid')}
union all
select 'column', n.nspname, a.attname, c.relname,
  format_type(a.atttypid, a.atttypmod) || a.attnotnull::text, 1259, c.oid::int8, a.attnum, null, c.oid::int8, false
from ${relations} join pg_attribute a on a.attrelid = c.oid join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and ${userSchema('n')} and a.attnum > 0 and not a.attisdropped and ${NOT_EXTENSION_MEMBER(1259, 'c.oid')}
union all
select 'function', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null,
  md5(coalesce(p.prosrc, '') || coalesce(array_to_string(p.proconfig, ','), '') || p.provolatile::text || p.prosecdef::text
    || pg_get_function_result(p.oid)),
  1255, p.oid::int8, 0, null, null, false
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where ${userSchema('n')} and ${NOT_EXTENSION_MEMBER(1255, 'p.oid')}${scoped ? ' and p.oid = any($2::oid[])' : ''}
union all
select 'policy', n.nspname, pol.polname, c.relname,
  md5(coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || '|' || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
    || pol.polcmd::text || pol.polpermissive::text || pol.polroles::text),
  3256, pol.oid::int8, 0, null, c.oid::int8, false
from ${relations} join pg_policy pol on pol.polrelid = c.oid join pg_namespace n on n.oid = c.relnamespace
where ${userSchema('n')}
union all
select 'trigger', n.nspname, t.tgname, c.relname, md5(pg_get_triggerdef(t.oid)), 2620, t.oid::int8, 0, null,
  c.oid::int8, false
from ${relations} join pg_trigger t on t.tgrelid = c.oid join pg_namespace n on n.oid = c.relnamespace
where not t.tgisinternal and ${userSchema('n')} and ${NOT_EXTENSION_MEMBER(1259, 'c.oid')}
union all
select 'index', n.nspname, ic.relname, c.relname, md5(pg_get_indexdef(i.indexrelid)), 1259, ic.oid::int8, 0, null,
  c.oid::int8, false
from ${relations} join pg_index i on i.indrelid = c.oid join pg_class ic on ic.oid = i.indexrelid
  join pg_namespace n on n.oid = c.relnamespace
where ${userSchema('n')} and ${NOT_EXTENSION_MEMBER(1259, 'c.oid')}`
}

export const CATALOG_SQL = catalogSql(false)

/** CATALOG_SQL limited to a CatalogScope: parameters are scopedCatalogParams(scope). */
export const SCOPED_CATALOG_SQL = catalogSql(true)

export function scopedCatalogParams(scope: CatalogScope): number[][] {
  return [scope.relations, scope.functions, scope.policies, scope.triggers, scope.schemas]
}

/** Whether a scoped read re-reads `row`: what the scope names, and every part of a named relation. */
function inScope(row: CatalogRow, sets: ScopeSets): boolean {
  switch (row.kind) {
    case 'schema':
      return sets.schemas.has(row.objid)
    case 'extension':
      return false
    case 'function':
      return sets.functions.has(row.objid)
    case 'policy':
      return sets.policies.has(row.objid) || (row.relid !== null && sets.relations.has(row.relid))
    case 'trigger':
      return sets.triggers.has(row.objid) || (row.relid !== null && sets.relations.has(row.relid))
    default:
      // table, view, column (objid is its table), index (objid is the index, relid its table)
      return sets.relations.has(row.objid) || (row.relid !== null && sets.relations.has(row.relid))
  }
}

interface ScopeSets {
  relations: Set<number>
  functions: Set<number>
  policies: Set<number>
  triggers: Set<number>
  schemas: Set<number>
}

/** `current` with what `scope` names replaced by a scoped read's rows (dependent views arrive as extra rows). */
export function applyScopedRead(current: Catalog, scope: CatalogScope, rows: readonly CatalogRow[]): Catalog {
  const sets: ScopeSets = {
    relations: new Set(scope.relations),
    functions: new Set(scope.functions),
    policies: new Set(scope.policies),
    triggers: new Set(scope.triggers),
    schemas: new Set(scope.schemas),
  }
  const next: Catalog = new Map()
  for (const [key, row] of current) if (!inScope(row, sets)) next.set(key, row)
  for (const row of rows) next.set(objectKey(row), row)
  return next
}

/**
 * What an object depends on, for the objects a migration created or altered ($1 classids, $2 objids): views
 * through their rule ($3), the columns it created or altered ($4 tables, $5 column numbers, pairwise)
 * through their defaults and the constraints on them (a foreign key), and the constraints of the tables it
 * altered ($6: a table's signature holds its constraints' oids, so a foreign key dropped and added again, or
 * added by ALTER TABLE … ADD CONSTRAINT alone, alters the table and depends on the table it references).
 */
export const DEPENDS_SQL = `select d.refclassid::int8 as refclassid, d.refobjid::int8 as refobjid, d.refobjsubid as refobjsubid
from unnest($1::oid[], $2::oid[]) as o(classid, objid)
  join pg_depend d on d.classid = o.classid and d.objid = o.objid
where d.deptype in ('n', 'a')
union all
select d.refclassid::int8, d.refobjid::int8, d.refobjsubid
from pg_rewrite r join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
where r.ev_class = any($3::oid[]) and d.deptype in ('n', 'a')
union all
select d.refclassid::int8, d.refobjid::int8, d.refobjsubid
from unnest($4::oid[], $5::int4[]) as col(relid, attnum)
  join pg_constraint c on c.conrelid = col.relid and col.attnum = any(c.conkey)
  join pg_depend d on d.classid = 'pg_constraint'::regclass and d.objid = c.oid
where d.deptype in ('n', 'a')
union all
select d.refclassid::int8, d.refobjid::int8, d.refobjsubid
from unnest($4::oid[], $5::int4[]) as col(relid, attnum)
  join pg_attrdef a on a.adrelid = col.relid and a.adnum = col.attnum
  join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = a.oid
where d.deptype in ('n', 'a')
union all
select d.refclassid::int8, d.refobjid::int8, d.refobjsubid
from pg_constraint c join pg_depend d on d.classid = 'pg_constraint'::regclass and d.objid = c.oid
where c.conrelid = any($6::oid[]) and d.deptype in ('n', 'a')`

/** Bodies of functions (plpgsql and sql bodies record no dependency on the tables they use). */
export const FUNCTION_BODIES_SQL = 'select prosrc from pg_proc where oid = any($1::oid[])'

export const PG_TYPE = 1247

export function objectKey(row: Pick<CatalogRow, 'kind' | 'schema' | 'name' | 'parent'>): string {
  return `${row.kind} ${qualifiedName(row)}`
}

function qualifiedName(row: Pick<CatalogRow, 'kind' | 'schema' | 'name' | 'parent'>): string {
  // A schema is its own name (never `basejump.basejump`).
  if (row.kind === 'schema') return row.name
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
    relid: row.relid === null || row.relid === undefined ? null : Number(row.relid),
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
