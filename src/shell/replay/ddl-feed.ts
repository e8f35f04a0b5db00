/**
 * The replay database's DDL, as its own event triggers see it: each command's objects (ddl_command_end) and every
 * object dropped, cascades included (sql_drop), appended to a table inside the same transaction as the migration
 * (so a file that fails and rolls back leaves nothing). Lets the catalog readers between files re-read only what a
 * file touched. Installed for one replay and removed before anything else (the advisors) looks at the database.
 * Event triggers need a superuser: where installing fails (a shadow server's restricted role), callers read
 * whole catalogs as before.
 */
import {type DdlEvent, FEED_SCHEMA} from '../../core/sql/ddl-events.js'
import type {ReplayDatabase} from './migration-replay.js'
import type {PreparedSession} from './prepared-query.js'

const SCHEMA = FEED_SCHEMA

// ENABLE ALWAYS: a migration that sets session_replication_role = replica must not hide its DDL.
const INSTALL = `
create schema ${SCHEMA};
create table ${SCHEMA}.events (
  n bigserial primary key, tag text not null, classid oid, objid oid, objsubid int, dropped boolean not null,
  relid oid);
create function ${SCHEMA}.on_command_end() returns event_trigger language plpgsql security definer
  set search_path = '' as $$
begin
  insert into ${SCHEMA}.events (tag, classid, objid, objsubid, dropped, relid)
  select command_tag, classid, objid, objsubid, false,
    case classid
      when 'pg_catalog.pg_policy'::pg_catalog.regclass then (select polrelid from pg_catalog.pg_policy where oid = objid)
      when 'pg_catalog.pg_trigger'::pg_catalog.regclass then (select tgrelid from pg_catalog.pg_trigger where oid = objid)
    end
  from pg_catalog.pg_event_trigger_ddl_commands();
end $$;
create function ${SCHEMA}.on_drop() returns event_trigger language plpgsql security definer
  set search_path = '' as $$
begin
  insert into ${SCHEMA}.events (tag, classid, objid, objsubid, dropped, relid)
  select tg_tag, classid, objid, objsubid, true,
    case when object_type in ('policy', 'trigger') and cardinality(address_names) = 3
      then pg_catalog.to_regclass(pg_catalog.format('%I.%I', address_names[1], address_names[2])) end
  from pg_catalog.pg_event_trigger_dropped_objects();
end $$;
create event trigger ${SCHEMA}_command_end on ddl_command_end execute function ${SCHEMA}.on_command_end();
create event trigger ${SCHEMA}_drop on sql_drop execute function ${SCHEMA}.on_drop();
alter event trigger ${SCHEMA}_command_end enable always;
alter event trigger ${SCHEMA}_drop enable always;`

export interface DdlFeed {
  /** The events since the last call, oldest first. */
  take(): Promise<DdlEvent[]>
  remove(): Promise<void>
}

/** undefined when the database refuses event triggers (not a superuser). */
export async function openDdlFeed(db: ReplayDatabase, session: PreparedSession): Promise<DdlFeed | undefined> {
  try {
    // One simple-protocol message: one implicit transaction, so a refusal leaves nothing behind.
    await db.exec(INSTALL)
  } catch {
    return undefined
  }
  const taken = session.query<Record<'tag' | 'classid' | 'objid' | 'objsubid' | 'dropped' | 'relid' | 'xid', unknown>>(
    'sbx_ddl_feed_take',
    // xmin: the transaction of the command, which is also the xmin of every catalog row it changed.
    `with taken as (delete from ${SCHEMA}.events returning *, xmin)
     select n, tag, classid::int8 as classid, objid::int8 as objid, objsubid, dropped, relid::int8 as relid,
       xmin::text::int8 as xid
     from taken order by n`,
    [],
  )
  return {
    async take() {
      const id = (value: unknown) => (value === null || value === undefined ? null : Number(value))
      return (await taken.run([])).map((row) => ({
        tag: String(row.tag),
        classid: id(row.classid),
        objid: id(row.objid),
        objsubid: Number(row.objsubid ?? 0),
        dropped: row.dropped === true || row.dropped === 't',
        relid: id(row.relid),
        xid: Number(row.xid),
      }))
    },
    async remove() {
      await db.exec(`drop schema if exists ${SCHEMA} cascade`)
    },
  }
}
