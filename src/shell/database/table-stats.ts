/**
 * The size of tables on a target, from its statistics only: pg_class.reltuples (the planner's row estimate),
 * pg_total_relation_size (heap, indexes, TOAST) and the number of indexes. No row is read.
 */

import type {TableStats} from '../../core/risk/risk.js'
import {estimatedRows} from '../../core/risk/risk-time.js'

export const TABLE_STATS_SQL = `select n.nspname || '.' || c.relname as relation, c.reltuples::pg_catalog.float8 as reltuples,
  pg_catalog.pg_relation_size(c.oid)::pg_catalog.int8 as heap, pg_catalog.pg_total_relation_size(c.oid)::pg_catalog.int8 as bytes,
  (select count(*) from pg_catalog.pg_index i where i.indrelid = c.oid)::pg_catalog.int4 as indexes
from unnest($1::pg_catalog.text[], $2::pg_catalog.text[]) as wanted(schema, name)
  join pg_catalog.pg_namespace n on n.nspname = wanted.schema
  join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = wanted.name`

interface Queryable {
  query<T>(sql: string, params?: unknown[]): Promise<{rows: T[]}>
}

/** Stats of the relations ("schema.name") the target has; those it lacks are left out. */
export async function readTableStats(db: Queryable, relations: readonly string[]): Promise<Map<string, TableStats>> {
  if (relations.length === 0) return new Map()
  const split = relations.map((r) => {
    const dot = r.indexOf('.')
    return [r.slice(0, dot), r.slice(dot + 1)] as const
  })
  const result = await db.query<{relation: string; reltuples: number; heap: string; bytes: string; indexes: number}>(
    TABLE_STATS_SQL,
    [split.map(([schema]) => schema), split.map(([, name]) => name)],
  )
  return new Map(
    result.rows.map((row) => [
      row.relation,
      {
        relation: row.relation,
        bytes: Number(row.bytes),
        rows: estimatedRows(Number(row.reltuples), Number(row.heap)),
        indexes: Number(row.indexes),
      },
    ]),
  )
}
