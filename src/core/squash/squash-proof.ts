/**
 * The proof that a squash changes nothing: the catalog and the rows of two replays, read from the databases'
 * own catalogs (not from pg_dump, which wrote the squash), compared key by key. Pure: SQL strings run by the
 * caller, rows in, the first difference out.
 */
import {SQL_ASSETS} from '../sql/sql-assets.generated.js'

/**
 * Schemas outside the comparison: the system's, supabase's history, the replay's DDL feed (the same list is
 * written out in src/sql/squash/catalog-fingerprint.sql).
 */
const SKIPPED = `('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed')`
const USER_NS = (n: string) =>
  `${n}.nspname not in ${SKIPPED} and ${n}.nspname not like 'pg\\_temp%' and ${n}.nspname not like 'pg\\_toast%'`

/**
 * One row per catalog object: `key` names it, `def` is everything compared about it. Objects: schemas,
 * relations (kind, options, RLS, grants, view definitions), columns (type, default, not null, identity,
 * generated, collation, grants), constraints, indexes, policies, triggers, functions (the whole definition:
 * body, language, volatility, security, settings), types (enum labels, domains), sequences' parameters,
 * extensions, publications' tables, default privileges, event triggers, comments on all of them. The query
 * is src/sql/squash/catalog-fingerprint.sql.
 */
export const CATALOG_FINGERPRINT_SQL = SQL_ASSETS['squash/catalog-fingerprint.sql'] as string

/** Ordinary tables whose rows are compared, with the columns compared (storage.buckets: not its timestamps). */
export const TABLES_SQL = `
select n.nspname as schema, c.relname as name,
  (select array_agg(quote_ident(a.attname) order by a.attnum) from pg_attribute a
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      and not (n.nspname = 'storage' and c.relname = 'buckets' and a.attname in ('created_at', 'updated_at'))) as columns
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where ${USER_NS('n')} and c.relkind in ('r', 'p')
order by 1, 2`

export interface TableRef {
  schema: string
  name: string
  columns: string[] | null
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

/** The count and a digest of one table's rows (as text, sorted), over the compared columns. */
export function tableRowsSql(table: TableRef): string {
  const columns = (table.columns ?? []).join(', ')
  const row = table.columns && table.columns.length > 0 ? `row(${columns})::text` : `''`
  return `select count(*)::int as count, md5(coalesce(string_agg(r, E'\\n' order by r), '')) as digest
    from (select ${row} as r from ${ident(table.schema)}.${ident(table.name)}) t`
}

/** Every sequence's value, the data a `setval` in a migration leaves. */
export const SEQUENCE_VALUES_SQL = `
select 'sequence value ' || schemaname || '.' || sequencename as key, coalesce(last_value::text, 'not called') as def
from pg_sequences where schemaname not in ${SKIPPED}`

export interface Fingerprint {
  /** key → definition, for catalog objects. */
  catalog: Map<string, string>
  /** `rows schema.table` and `sequence value …` → count and digest / value. */
  data: Map<string, string>
}

export interface Difference {
  /** What differs: `catalog` (an object) or `data` (a table's rows, a sequence's value). */
  kind: 'catalog' | 'data'
  key: string
  original?: string
  squashed?: string
}

/** The first key (in sorted order) whose value differs between the two, catalog before data. */
export function firstDifference(original: Fingerprint, squashed: Fingerprint): Difference | undefined {
  return (
    differenceIn('catalog', original.catalog, squashed.catalog) ?? differenceIn('data', original.data, squashed.data)
  )
}

/** Every data key whose value differs (the volatile tables of two replays of the same files). */
export function dataDifferences(a: Fingerprint, b: Fingerprint): string[] {
  const keys = [...new Set([...a.data.keys(), ...b.data.keys()])].sort()
  return keys.filter((key) => a.data.get(key) !== b.data.get(key))
}

function differenceIn(
  kind: Difference['kind'],
  a: ReadonlyMap<string, string>,
  b: ReadonlyMap<string, string>,
): Difference | undefined {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort()
  for (const key of keys) {
    const original = a.get(key)
    const squashed = b.get(key)
    if (original === squashed) continue
    return {kind, key, ...(original === undefined ? {} : {original}), ...(squashed === undefined ? {} : {squashed})}
  }
  return undefined
}

/** How a report says what differs. */
export function describeDifference(difference: Difference): string {
  if (difference.original === undefined) return `${difference.key} exists only after the squash`
  if (difference.squashed === undefined) return `${difference.key} is missing after the squash`
  if (difference.kind === 'data') {
    return `${difference.key} differ: ${difference.original} originally, ${difference.squashed} after the squash`
  }
  const [original, squashed] = fromFirstDifference(difference.original, difference.squashed)
  return `${difference.key} differs: ${original} originally, ${squashed} after the squash`
}

/** Both texts from a little before the first character where they differ, each cut to a readable length. */
function fromFirstDifference(a: string, b: string): [string, string] {
  const flatA = a.replace(/\s+/gu, ' ')
  const flatB = b.replace(/\s+/gu, ' ')
  let at = 0
  while (at < flatA.length && flatA[at] === flatB[at]) at++
  const start = Math.max(0, at - 40)
  const cut = (text: string) => {
    const part = text.slice(start, start + 120)
    return `${start > 0 ? '…' : ''}${part}${start + 120 < text.length ? '…' : ''}`
  }
  return [cut(flatA), cut(flatB)]
}

/**
 * The files among `files` that write to `table` (`schema.name`): INSERT INTO, UPDATE, DELETE FROM, MERGE INTO,
 * COPY, or a call of cron.schedule / storage bucket helpers. Names the migration behind rows that differ
 * between two replays (now(), random(), gen_random_uuid() in seed data).
 */
export function filesWritingTo(
  table: string,
  files: ReadonlyArray<{file: string; statements: readonly string[]}>,
): string[] {
  const [schema, name] = table.split('.') as [string, string]
  const target = `(?:"?${escapeRegExp(schema)}"?\\s*\\.\\s*)?"?${escapeRegExp(name)}"?`
  const optionalSchema =
    schema === 'public' ? target : `"?${escapeRegExp(schema)}"?\\s*\\.\\s*"?${escapeRegExp(name)}"?`
  const write = new RegExp(
    `\\b(?:insert\\s+into|update(?:\\s+only)?|delete\\s+from(?:\\s+only)?|merge\\s+into|copy)\\s+${optionalSchema}\\b`,
    'iu',
  )
  const cron = schema === 'cron' && name === 'job' ? /\bcron\s*\.\s*schedule/iu : undefined
  return files
    .filter(({statements}) => statements.some((sql) => write.test(sql) || (cron?.test(sql) ?? false)))
    .map(({file}) => file)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')
}
