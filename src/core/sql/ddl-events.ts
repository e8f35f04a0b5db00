/**
 * What one migration touched, from the replay database's own DDL event triggers (ddl_command_end and sql_drop,
 * recorded by shell/replay/ddl-feed.ts), so that the catalog readers between files re-read only those objects.
 * Measured on the 200-migration bench project: reading the whole catalog after every file cost plan about 4 s of
 * its 7.6 s; a scoped read costs a few milliseconds. Anything whose effect reaches past the objects an event
 * names (schemas, extensions, renamed types, commands without an object) asks for a whole read instead.
 */

/** One row of the feed: pg_event_trigger_ddl_commands() (dropped: false) or pg_event_trigger_dropped_objects(). */
export interface DdlEvent {
  tag: string
  classid: number | null
  objid: number | null
  objsubid: number
  dropped: boolean
  /** A policy's or trigger's table (for one dropped: when the table still exists). */
  relid: number | null
  /** The transaction that ran the command: every catalog row it changed has this xmin. */
  xid: number
}

/** Where shell/replay/ddl-feed.ts keeps the events during a replay; every catalog reader leaves it out. */
export const FEED_SCHEMA = 'sbx_ddl_feed'

export const PG_CLASS = 1259
export const PG_PROC = 1255
export const PG_NAMESPACE = 2615
export const PG_EXTENSION = 3079
export const PG_POLICY = 3256
export const PG_TRIGGER = 2620

/** Commands that name no single object and change nothing the catalog readers compare but privileges. */
const PRIVILEGE_TAGS = new Set(['GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES'])

/** A type renamed changes how every column of that type is written (format_type). */
const TYPE_ALTERING_TAGS = new Set(['ALTER TYPE', 'ALTER DOMAIN'])

/** The objects to read again after one migration, by catalog; `whole` when only a whole read is exact. */
export interface CatalogScope {
  whole: boolean
  /** pg_class oids: tables, views, indexes (a table's scope covers its columns, policies, triggers, indexes). */
  relations: number[]
  functions: number[]
  policies: number[]
  triggers: number[]
  schemas: number[]
}

const WHOLE: CatalogScope = {whole: true, relations: [], functions: [], policies: [], triggers: [], schemas: []}

/** Scope for the plan's catalog (core/sql/catalog.ts): privileges are not part of it. */
export function catalogScope(events: readonly DdlEvent[]): CatalogScope {
  const sets = {
    relations: new Set<number>(),
    functions: new Set<number>(),
    policies: new Set<number>(),
    triggers: new Set<number>(),
    schemas: new Set<number>(),
  }
  for (const event of events) {
    if (event.classid === null || event.objid === null) {
      if (PRIVILEGE_TAGS.has(event.tag)) continue
      return WHOLE
    }
    if (event.classid === PG_EXTENSION || TYPE_ALTERING_TAGS.has(event.tag)) return WHOLE
    if (event.classid === PG_NAMESPACE) {
      if (event.dropped || event.tag !== 'CREATE SCHEMA') return WHOLE
      sets.schemas.add(event.objid)
    } else if (event.classid === PG_CLASS) sets.relations.add(event.objid)
    else if (event.classid === PG_PROC) sets.functions.add(event.objid)
    else if (event.classid === PG_POLICY) sets.policies.add(event.objid)
    else if (event.classid === PG_TRIGGER) sets.triggers.add(event.objid)
  }
  return {
    whole: false,
    relations: [...sets.relations],
    functions: [...sets.functions],
    policies: [...sets.policies],
    triggers: [...sets.triggers],
    schemas: [...sets.schemas],
  }
}

/** What one file did to the objects the advisors' ledger follows (relations, functions, extensions), by oid. */
export interface LedgerTouches {
  /** Only a whole snapshot can tell (schemas renamed or dropped, extensions with their members). */
  whole: boolean
  /** Created or altered: relations, functions, and the tables of policies created, altered or dropped. */
  named: number[]
  dropped: number[]
  /** Transactions that granted or revoked: the objects whose rows they changed were altered. */
  grants: number[]
}

/** Commands that change no signature the advisors read. */
const NOT_ALTERING_TAGS = new Set(['COMMENT', 'SECURITY LABEL'])

/** The ledger's view of one file's events (core/verify/advisors.ts ObjectLedger.touch). */
export function ledgerTouches(events: readonly DdlEvent[]): LedgerTouches {
  const named = new Set<number>()
  const dropped = new Set<number>()
  const grants = new Set<number>()
  const whole: LedgerTouches = {whole: true, named: [], dropped: [], grants: []}
  for (const event of events) {
    if (event.classid === null || event.objid === null) {
      if (!PRIVILEGE_TAGS.has(event.tag)) return whole
      grants.add(event.xid)
    } else if (event.classid === PG_EXTENSION) return whole
    else if (event.classid === PG_NAMESPACE) {
      if (event.dropped || event.tag !== 'CREATE SCHEMA') return whole
    } else if (event.classid === PG_POLICY) {
      if (event.relid !== null) named.add(event.relid)
    } else if ((event.classid === PG_CLASS || event.classid === PG_PROC) && event.objsubid === 0) {
      if (event.dropped) dropped.add(event.objid)
      else if (!NOT_ALTERING_TAGS.has(event.tag)) named.add(event.objid)
    } else if (event.classid === PG_CLASS && !NOT_ALTERING_TAGS.has(event.tag)) {
      named.add(event.objid) // a column added, altered or dropped alters its table
    }
  }
  for (const oid of dropped) named.delete(oid)
  return {whole: false, named: [...named], dropped: [...dropped], grants: [...grants]}
}
