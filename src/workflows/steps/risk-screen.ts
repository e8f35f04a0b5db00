/**
 * The screen of a high-only risk trace (RiskTracer with `highOnly`: what verify and push print under
 * `[verify] risk = "report"`). A file comes out high only when it rewrites or scans a table that existed before it:
 * a changed filenode, an index built on it, or an ALTER TABLE that validates. A file that may do so is probed after
 * each statement from the start; any other file gets one query after its last one, before its Sync, that both reads
 * the relations the file made (as the full trace's read after a step does) and fails when the file did rewrite or
 * index an existing table after all (through a function, a name the prediction did not resolve). The failure rolls
 * the file back (the Sync ends its implicit transaction), and the file runs again, probed in full.
 *
 * Measured on the 200-file bench (620 statements; 40 files index an earlier table and are probed from the start,
 * 160 are screened): the replay (the report's elapsedMs, medians of 10 interleaved runs) took 1.80 s traced in full,
 * 1.73 s high-only and 1.59 s untraced. A probe or a screen costs 0.05–0.2 ms of the server's time each; most of a
 * query's cost in the pipeline is its Bind/Execute, so the gain is in sending fewer, not in cheaper SQL.
 */
import {stripComments, validationReason} from '../../core/risk/risk.js'

export const SCREEN_STATEMENT = 'sbx_risk_screen'

/**
 * `relations`: the tracer's read of relations newer than `known`, whose oid and filenode every relation older than
 * the file has at or below it (all that the file makes gets a new one from the same counter, above it). The failing
 * cast goes through concat(), which is stable: a constant would be folded, and fail, when the statement is prepared.
 * Each test is an index scan (pg_class by filenode; pg_index by oid, then pg_class by the table's oid: a range
 * on pg_class's own oid made the planner scan every old relation for each new index, 0.23 ms a screen against
 * 0.085 ms, measured), and together they are one one-time filter.
 */
export function screenSql(relations: string, known: string, oldSchemas: (alias: string) => string): string {
  return `${relations}
  and pg_catalog.int8(case when exists (
    select from pg_catalog.pg_class o join pg_catalog.pg_namespace s on s.oid = o.relnamespace
    where o.reltablespace = 0 and o.relfilenode > ${known} and o.oid <= ${known} and o.oid >= '16384'::pg_catalog.oid
      and o.relkind in ('r', 'm') and ${oldSchemas('s')}
  ) or exists (
    select from pg_catalog.pg_index x join pg_catalog.pg_class o on o.oid = x.indrelid
      join pg_catalog.pg_namespace s on s.oid = o.relnamespace
    where x.indexrelid > ${known} and x.indrelid <= ${known} and x.indrelid >= '16384'::pg_catalog.oid
      and o.relkind in ('r', 'm', 'p') and ${oldSchemas('s')}
  ) then pg_catalog.concat('sbx: the file rewrote or indexed an existing table; replaying it traced') else '0' end) = 0`
}

/**
 * Statements a screened file may hold: DDL and plain DML, which run in the file's transaction. Not SELECT, DO,
 * CALL, COPY or anything else that runs code of unknown effect; not DEALLOCATE or DISCARD (they may drop the prepared
 * screen); not an ALTER TABLE that validates (its scan shows in no catalog).
 */
const SCREENABLE =
  /^\s*(create|alter|drop|comment|grant|revoke|set|reset|insert|update|delete|analyze|security\s+label)\b/iu
const DML = /^\s*(insert|update|delete)\b/iu

/**
 * A file that may drop the session's prepared statements (DEALLOCATE, DISCARD ALL, even inside a function body):
 * the full trace probes it by the query's text and prepares its statements again after it.
 */
export const DROPS_PREPARED = /\b(deallocate|discard)\b/iu

const NAME = String.raw`((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)`
/** An index build on an existing table is a scan: a file with one is high, so it is probed from the start. */
const INDEXES = new RegExp(
  String.raw`^\s*create\s+(?:unique\s+)?index\s+(?:if\s+not\s+exists\s+)?(?:(?:"[^"]+"|[\w$]+)\s+)?on\s+(?:only\s+)?${NAME}`,
  'iu',
)
const ALTERS = new RegExp(
  String.raw`^\s*alter\s+(?:table|materialized\s+view)\s+(?:if\s+exists\s+)?(?:only\s+)?${NAME}`,
  'iu',
)

/**
 * Whether a file can go by with the screen (`exists`: whether a name is a table that existed before the file). A
 * file that fails its screen runs twice, and what is not transactional then happens twice: a sequence's nextval in
 * an INSERT. So a file with DML is screened only when none of its statements names an existing table it could
 * rewrite or index, and one without DML unless it builds an index on one (an ALTER TABLE mostly only locks: its
 * rare rewrite costs the second run). A wrong "yes" costs a second run of the file; a wrong "no" a probe after
 * each statement.
 */
export function screenable(statements: readonly string[], exists: (name: string) => boolean): boolean {
  const bare = statements.map(stripComments)
  const dml = bare.some((sql) => DML.test(sql))
  return bare.every((sql, index) => {
    const statement = statements[index] as string
    if (!SCREENABLE.test(sql) || DROPS_PREPARED.test(statement) || validationReason(statement)) return false
    const touched = INDEXES.exec(sql)?.[1] ?? (dml ? ALTERS.exec(sql)?.[1] : undefined)
    return touched === undefined || !exists(touched)
  })
}

/** The screen compares filenodes of the default tablespace only: from a file naming one on, every file is probed. */
export const NAMES_TABLESPACE = /\btablespace\b/iu

/** Above every oid and filenode of the known relations: the screen's `known`. */
export function watermarkOf(known: ReadonlyMap<number, {filenode: number}>): number {
  let mark = 0
  for (const [oid, relation] of known) mark = Math.max(mark, oid, relation.filenode)
  return mark
}
