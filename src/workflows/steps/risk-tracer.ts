/**
 * Watches the replay for risk: after each statement that leaves a transaction open, one query of pg_locks (the
 * relation locks the replaying backend holds, with each relation's current relfilenode); after the last statement
 * of each step, one read of pg_class for the relations made since the newest known one. Relations that existed
 * before the file are known by oid: a lock on anything else is on an object the file created (nobody else can be
 * using it). A known table whose relfilenode changed was rewritten; a new index on a known table was built by
 * scanning it. Statements that run outside any transaction (CREATE INDEX CONCURRENTLY…) release their locks
 * before anything can look: their locks are PostgreSQL's documented ones. Measured on the embedded database: the
 * pg_locks query takes about 0.45 ms sent as text, 0.1 ms prepared. A table's relfilenode changes only under
 * AccessExclusiveLock (every rewrite takes it: ALTER … TYPE, TRUNCATE, REFRESH MATERIALIZED VIEW…), so only those
 * rows read it, through pg_relation_filenode rather than a join with pg_class (a fifth less per probe, measured:
 * 0.27 against 0.33 ms through PGlite's query path). A relation the statement dropped keeps its lock until commit
 * but has no filenode any more: null, as for the rows that do not read it.
 */

import {
  type LockMode,
  lockStrength,
  type MigrationTrace,
  type StatementObservation,
  stripComments,
} from '../../core/risk/risk.js'
import {FEED_SCHEMA} from '../../core/sql/ddl-events.js'
import type {ReplayDatabase, StatementProbe} from '../../shell/replay/migration-replay.js'
import type {PreparedSession} from '../../shell/replay/prepared-query.js'
import {DROPS_PREPARED, NAMES_TABLESPACE, SCREEN_STATEMENT, screenable, screenSql, watermarkOf} from './risk-screen.js'

/**
 * The relation locks the replaying backend holds, except those on relations this file created and an earlier
 * probe already returned. A step holds every lock it took until it commits, so without that filter a file of
 * 1,625 statements (a squash) returned ~1,500 rows per probe and traced in 11 s against 1.7 s untraced
 * (measured). Relations made by the file have oids above every known one (`newestKnown`); the newest oid
 * already returned is kept in a transaction-local setting, so the query stays one fixed text in the pipeline.
 */
export function locksSql(newestKnown: number): string {
  return locksQuery(`'${Math.trunc(newestKnown)}'::pg_catalog.oid`)
}

/** The same query prepared once in the session, `newestKnown` its one parameter (see StatementProbe.prepared). */
const LOCKS_STATEMENT = 'sbx_risk_locks'

function locksQuery(known: string): string {
  return `with l as materialized (
  select relation, mode from pg_catalog.pg_locks
  where locktype = 'relation' and pid = pg_catalog.pg_backend_pid() and granted and relation >= '16384'::pg_catalog.oid
    and (relation <= ${known}
      or relation::pg_catalog.int8 > coalesce(nullif(pg_catalog.current_setting('${SEEN_SETTING}', true), '')::pg_catalog.int8, 0))
), seen as materialized (
  select pg_catalog.set_config('${SEEN_SETTING}', pg_catalog.max(relation::pg_catalog.int8)::pg_catalog.text, true) from l
  where relation > ${known} having pg_catalog.count(*) > 0
)
select l.relation::pg_catalog.int4 as oid, l.mode,
  case when l.mode = 'AccessExclusiveLock' then pg_catalog.pg_relation_filenode(l.relation)::pg_catalog.int4 end as filenode
from l cross join (select pg_catalog.count(*) from seen) s`
}

const SEEN_SETTING = 'sbx.risk_newest_seen'

const oldSchemas = (alias: string) => `${alias}.nspname not in ('pg_toast', 'supabase_migrations', '${FEED_SCHEMA}')`

const RELATIONS_SQL = `select c.oid::pg_catalog.int4 as oid, n.nspname as schema, c.relname as name,
  c.relkind::pg_catalog.text as kind, c.relfilenode::pg_catalog.int4 as filenode, i.indrelid::pg_catalog.int4 as table_oid
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_index i on i.indexrelid = c.oid
where c.oid >= '16384'::pg_catalog.oid and c.relkind in ('r', 'p', 'm', 'v', 'f', 'i', 'I')
  and ${oldSchemas('n')}`

/**
 * The relations made since the newest known one: read in the pipeline after a step's last statement (one round
 * trip to the embedded database's worker less a file), or after the file where no pipeline could hold it.
 */
const NEW_RELATIONS_STATEMENT = 'sbx_risk_new_relations'
const newRelationsSql = (newest: string) => `${RELATIONS_SQL} and c.oid > ${newest}`
const screenOf = (known: string) => screenSql(newRelationsSql(known), known, oldSchemas)

export interface Relation {
  relation: string
  name: string
  kind: string
  filenode: number
  table?: number
}

/** Kinds a lock on which other sessions feel: tables, partitioned tables, materialized views, views, foreign tables. */
const LOCKED_KINDS = new Set(['r', 'p', 'm', 'v', 'f'])
const STORED_KINDS = new Set(['r', 'm'])

export interface RiskTracer {
  /** Names what the replay cache keeps of it: a high-only trace's state is no full trace's. */
  readonly cacheName: string
  /**
   * `session`: where the read after each file is prepared once (its plan is most of its cost, measured). `saved`:
   * what save() gave for the database the replay resumes on (the replay cache): the tracer goes on from it, as if
   * the files before had been traced here, instead of reading every relation (57 ms on 1,000 tables, measured).
   */
  start(db: ReplayDatabase, session?: PreparedSession, saved?: TracerState): Promise<void>
  /** The probe for one file's replay. */
  probe(file: string, statements: readonly string[]): StatementProbe
  /** After the file applied. */
  replayed(db: ReplayDatabase, file: string): Promise<void>
  readonly traces: ReadonlyMap<string, MigrationTrace>
  /** Between files: what the tracer knows, as plain data (the replay cache keeps it with the database state). */
  save(): TracerState
}

export interface TracerState {
  known: Array<[number, Relation]>
  traces: Array<[string, MigrationTrace]>
  /** High-only: a file named a tablespace, which the screen cannot see into; every file after it is probed. */
  unscreened?: boolean
}

export interface TraceOptions {
  /**
   * Trace in full only the files that come out high risk (a rewrite or a scan of an existing table: all that verify
   * and push print under `[verify] risk = "report"`). Any other file that runs as one transaction gets one screen
   * query before its Sync instead of a probe after each statement (steps/risk-screen.ts).
   */
  highOnly?: boolean
}

type Row = Record<string, unknown>
type Observation = StatementObservation & {indexBuilt: Array<StatementObservation['indexBuilt'][number]>}

/** A file probed after each statement, while it replays. */
interface TracedFile {
  file: string
  statements: readonly string[]
  observed: Map<number, Observation>
  created: Map<number, number>
  skipped: Set<number>
  dropsPrepared: boolean
  /** The relations the file made, when the last step's pipeline read them. */
  fresh?: Map<number, Relation>
}

export function traceRisk(options: TraceOptions = {}): RiskTracer {
  let known = new Map<number, Relation>()
  let traces = new Map<string, MigrationTrace>()
  let current: TracedFile | undefined
  /** High-only: whether files may still go by with a screen, and the file now replayed under one. */
  let unscreened = !options.highOnly
  let screened: {file: string; fresh?: Map<number, Relation>} | undefined

  let prepared: PreparedSession | undefined
  const prepare = async (recheck?: boolean) => {
    await prepared?.statement(LOCKS_STATEMENT, locksQuery('$1'), ['pg_catalog.oid'], recheck)
    await prepared?.statement(NEW_RELATIONS_STATEMENT, newRelationsSql('$1'), ['pg_catalog.oid'], recheck)
    if (options.highOnly) await prepared?.statement(SCREEN_STATEMENT, screenOf('$1'), ['pg_catalog.oid'], recheck)
  }

  /** The probe after each statement. */
  const fullProbe = (file: string, statements: readonly string[]): StatementProbe => {
    screened = undefined
    const observed = new Map<number, Observation>()
    const created = new Map<number, number>()
    const skipped = new Set<number>()
    const dropsPrepared = statements.some((statement) => DROPS_PREPARED.test(statement))
    const traced: TracedFile = {file, statements, observed, created, skipped, dropsPrepared}
    current = traced
    const newest = newestOid(known)
    const byName = prepared !== undefined && !dropsPrepared
    return {
      sql: [locksSql(newest)],
      ...(byName ? {prepared: [{name: LOCKS_STATEMENT, params: [newest]}]} : {}),
      step: {
        sql: newRelationsSql(`'${newest}'::pg_catalog.oid`),
        ...(byName ? {prepared: {name: NEW_RELATIONS_STATEMENT, params: [newest]}} : {}),
        collect(rows) {
          traced.fresh = new Map(rows.map((row) => [Number(row.oid), relationOf(row)] as const))
        },
      },
      wants(statement) {
        const lockless = LOCKLESS.test(stripComments(statements[statement] ?? ''))
        if (lockless) skipped.add(statement)
        return !lockless
      },
      collect(statement, [rows = []]) {
        observed.set(statement, observeLocks(statement, rows, known, created))
      },
    }
  }

  /** One query at the end of the file instead (StatementProbe.screen); the full probe if it fails. */
  const screenProbe = (file: string, statements: readonly string[]): StatementProbe => {
    current = undefined
    const watching: NonNullable<typeof screened> = {file}
    screened = watching
    const mark = watermarkOf(known)
    return {
      sql: [],
      wants: () => false,
      collect: () => undefined,
      screen: {
        sql: screenOf(`'${mark}'::pg_catalog.oid`),
        ...(prepared ? {prepared: {name: SCREEN_STATEMENT, params: [mark]}} : {}),
        collect(rows) {
          watching.fresh = new Map(rows.map((row) => [Number(row.oid), relationOf(row)] as const))
        },
        full: async () => fullProbe(file, statements),
      },
    }
  }

  return {
    cacheName: options.highOnly ? 'risk-high' : 'risk',
    get traces() {
      return traces
    },
    save: () => structuredClone({known: [...known], traces: [...traces], ...(unscreened ? {unscreened} : {})}),
    async start(db, session, saved) {
      prepared = session
      await prepare()
      known = new Map(saved ? structuredClone(saved.known) : await relationsIn(db))
      traces = new Map(saved ? structuredClone(saved.traces) : [])
      if (saved) unscreened = !options.highOnly || saved.unscreened === true
    },
    probe(file, statements) {
      if (statements.some((statement) => NAMES_TABLESPACE.test(statement))) unscreened = true
      const exists = (name: string) => lookup(name, known) !== undefined
      if (unscreened || !screenable(statements, exists)) return fullProbe(file, statements)
      return screenProbe(file, statements)
    },
    async replayed(db, file) {
      if (screened?.file === file) {
        // Passed its screen: nothing to report; what it made is known from here on.
        for (const [oid, relation] of screened.fresh ?? []) known.set(oid, relation)
        screened = undefined
        return
      }
      if (!current || current.file !== file) return
      const {statements, observed, created, skipped, dropsPrepared} = current
      const fresh = current.fresh ?? new Map(created.size > 0 ? await relationsIn(db, newestOid(known)) : [])
      current = undefined
      if (dropsPrepared) await prepare(true)
      attributeIndexBuilds(created, fresh, known, observed)
      const {outside, observations} = observationsOf(statements, observed, skipped, known)
      traces.set(file, {statements, observations})
      if (outside) known = new Map(await relationsIn(db))
      else for (const [oid, relation] of fresh) known.set(oid, relation)
    },
  }
}

/**
 * The file's observations in statement order, with what no probe saw: a statement not probed (it locks nothing)
 * still runs under the locks taken before it; one outside any transaction has PostgreSQL's documented locks
 * (`outside`: the relations must then be read again).
 */
function observationsOf(
  statements: readonly string[],
  observed: Map<number, Observation>,
  skipped: ReadonlySet<number>,
  known: ReadonlyMap<number, Relation>,
): {outside: boolean; observations: Observation[]} {
  let outside = false
  for (const [index, statement] of statements.entries()) {
    if (observed.has(index)) continue
    if (skipped.has(index)) {
      const before = observed.get(index - 1)
      if (before && !before.documented)
        observed.set(index, {statement: index, locks: before.locks, rewritten: [], indexBuilt: []})
      continue
    }
    outside = true
    const documented = documentedLocks(statement, known)
    if (documented) {
      observed.set(index, {statement: index, ...documented, indexBuilt: [...documented.indexBuilt], documented: true})
    }
  }
  const observations = [...observed.values()]
    .filter((o) => o.locks.length > 0 || o.rewritten.length > 0 || o.indexBuilt.length > 0)
    .sort((a, b) => a.statement - b.statement)
  return {outside, observations}
}

/** What one probe's rows say: the strongest lock per known relation, the relations rewritten, those created. */
function observeLocks(
  statement: number,
  rows: readonly Row[],
  known: ReadonlyMap<number, Relation>,
  created: Map<number, number>,
): Observation {
  const strongest = new Map<string, LockMode>()
  const rewritten: string[] = []
  for (const row of rows) {
    const oid = Number(row.oid)
    const relation = known.get(oid)
    if (!relation) {
      if (!created.has(oid)) created.set(oid, statement)
      continue
    }
    const mode = row.mode as LockMode
    if (LOCKED_KINDS.has(relation.kind)) {
      const held = strongest.get(relation.relation)
      if (!held || lockStrength(mode) > lockStrength(held)) strongest.set(relation.relation, mode)
    }
    // Null: not read (a mode weaker than AccessExclusiveLock cannot rewrite), or dropped by the statement.
    const filenode = row.filenode === null ? relation.filenode : Number(row.filenode)
    if (filenode !== relation.filenode) {
      if (STORED_KINDS.has(relation.kind) && !rewritten.includes(relation.relation)) rewritten.push(relation.relation)
      relation.filenode = filenode
    }
  }
  // By name: pg_locks returns them in its hash table's order, which differs between two databases.
  const locks = [...strongest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([relation, mode]) => ({relation, mode}))
  return {statement, locks, rewritten: rewritten.sort(), indexBuilt: []}
}

/** An index the file made on a known table was built by scanning it: charged to the statement that made it. */
function attributeIndexBuilds(
  created: ReadonlyMap<number, number>,
  fresh: ReadonlyMap<number, Relation>,
  known: ReadonlyMap<number, Relation>,
  observed: ReadonlyMap<number, Observation>,
) {
  for (const [oid, statement] of created) {
    const index = fresh.get(oid)
    const table = index?.table === undefined ? undefined : known.get(index.table)
    if (!index || !table || (!STORED_KINDS.has(table.kind) && table.kind !== 'p')) continue
    const observation = observed.get(statement)
    // A rewrite builds the table's indexes again: part of the rewrite, not a scan of its own.
    if (observation && !observation.rewritten.includes(table.relation)) {
      observation.indexBuilt.push({table: table.relation, concurrently: false})
    }
  }
}

/** Every relation of the migrations, or those made since the relation `newerThan`. */
async function relationsIn(db: ReplayDatabase, newerThan?: number) {
  const sql = newerThan === undefined ? RELATIONS_SQL : newRelationsSql(`'${Math.trunc(newerThan)}'::pg_catalog.oid`)
  const {rows} = await db.query<Row>(sql)
  return rows.map((row) => [Number(row.oid), relationOf(row)] as const)
}

function newestOid(known: ReadonlyMap<number, Relation>): number {
  let newest = 0
  for (const oid of known.keys()) if (oid > newest) newest = oid
  return newest
}

function relationOf(row: Row): Relation {
  const table = row.table_oid === null || row.table_oid === undefined ? undefined : Number(row.table_oid)
  return {
    relation: `${row.schema}.${row.name}`,
    name: String(row.name),
    kind: String(row.kind),
    filenode: Number(row.filenode),
    ...(table === undefined ? {} : {table}),
  }
}

/**
 * Statements that take no lock on an existing relation other sessions would feel (a function's body is only
 * parsed): not probed, to keep the trace cheap. Measured: 620 statements of the 200-file bench, about 0.3 ms each.
 */
const LOCKLESS =
  /^\s*(create\s+(or\s+replace\s+)?(function|procedure|schema|type|domain|role)\b|comment\s+on\s+(function|procedure|schema|type|role)\b|(grant|revoke)\b[\s\S]*\bon\s+(function|functions|procedure|schema|all\s+functions)\b|set\b|reset\b)/iu

const NAME = String.raw`((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)`

/**
 * PostgreSQL's documented locks for the statements that cannot run in a transaction block (supabase runs them
 * on their own): CREATE INDEX CONCURRENTLY, DROP/REINDEX … CONCURRENTLY, VACUUM, CLUSTER. Relations the file
 * created are not known yet and so do not count.
 */
function documentedLocks(
  statement: string,
  known: ReadonlyMap<number, Relation>,
): Omit<StatementObservation, 'statement' | 'documented'> | undefined {
  const sql = stripComments(statement).trim()
  const find = (name: string | undefined) => (name === undefined ? undefined : lookup(name, known))
  let match = new RegExp(
    String.raw`^create\s+(?:unique\s+)?index\s+concurrently\b[\s\S]*?\bon\s+(?:only\s+)?${NAME}`,
    'iu',
  ).exec(sql)
  if (match) {
    const table = find(match[1])
    if (!table) return undefined
    return {
      locks: [{relation: table.relation, mode: 'ShareUpdateExclusiveLock'}],
      rewritten: [],
      indexBuilt: [{table: table.relation, concurrently: true}],
    }
  }
  match = new RegExp(
    String.raw`^(?:drop\s+index|reindex\s+(?:\([^)]*\)\s*)?(?:index|table))\s+concurrently\s+(?:if\s+exists\s+)?${NAME}`,
    'iu',
  ).exec(sql)
  if (match) {
    const relation = find(match[1])
    const table = relation?.table === undefined ? relation : known.get(relation.table)
    if (!table) return undefined
    return {locks: [{relation: table.relation, mode: 'ShareUpdateExclusiveLock'}], rewritten: [], indexBuilt: []}
  }
  match = new RegExp(
    String.raw`^(vacuum|cluster)\b\s*(?:\(([^)]*)\))?\s*((?:full|verbose|analyze|freeze)\s+)*${NAME}?`,
    'iu',
  ).exec(sql)
  if (match) {
    const table = find(match[4])
    if (!table) return undefined
    const full = match[1]?.toLowerCase() === 'cluster' || /\bfull\b/iu.test(`${match[2] ?? ''} ${match[3] ?? ''}`)
    return full
      ? {locks: [{relation: table.relation, mode: 'AccessExclusiveLock'}], rewritten: [table.relation], indexBuilt: []}
      : {locks: [{relation: table.relation, mode: 'ShareUpdateExclusiveLock'}], rewritten: [], indexBuilt: []}
  }
  return undefined
}

/** A relation by the name a statement gives: schema-qualified, or (unqualified) in public first. */
function lookup(raw: string, known: ReadonlyMap<number, Relation>): Relation | undefined {
  const parts = raw.split('.').map((part) => {
    const trimmed = part.trim()
    return trimmed.startsWith('"') ? trimmed.slice(1, -1) : trimmed.toLowerCase()
  })
  const relations = [...known.values()]
  if (parts.length === 2) return relations.find((r) => r.relation === `${parts[0]}.${parts[1]}`)
  return relations.find((r) => r.relation === `public.${parts[0]}`) ?? relations.find((r) => r.name === parts[0])
}
