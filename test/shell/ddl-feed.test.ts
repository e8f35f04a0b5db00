/**
 * The replay's DDL feed on the real embedded database: events arrive per file, vanish with a rolled-back file,
 * and the feed leaves nothing behind. The advisors ledger built from its events attributes every object as
 * whole catalog snapshots after every file do.
 */
import {describe, expect, it, onTestFinished} from 'vitest'
import {ledgerTouches} from '../../src/core/sql/ddl-events.js'
import {ObjectLedger} from '../../src/core/verify/advisors.js'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'
import {catalogSnapshot, changedObjects} from '../../src/shell/replay/catalog.js'
import {openDdlFeed} from '../../src/shell/replay/ddl-feed.js'
import {preparedSession} from '../../src/shell/replay/prepared-query.js'
import {DDL_EDGE_MIGRATIONS} from '../helpers/ddl-edge-migrations.js'

async function replayDatabase() {
  const database = await freshDatabaseFromBaseline({extensions: ['pg_trgm']})
  onTestFinished(() => database.close())
  const session = preparedSession(database.db)
  const feed = await openDdlFeed(database.db, session)
  if (!feed) throw new Error('the embedded database refused event triggers')
  return {db: database.db, session, feed}
}

describe('DDL feed', () => {
  it('delivers each file its events, none from a rolled-back file, and leaves nothing behind', async () => {
    const {db, session, feed} = await replayDatabase()
    await db.exec('begin; create table public.kept (id int); commit;')
    await session.genericPlans()
    const kept = await feed.take()
    expect(kept.map((e) => e.tag)).toEqual(['CREATE TABLE'])
    expect(await feed.take()).toEqual([])

    await db.exec('begin; create table public.undone (id int);')
    await db.exec('rollback')
    expect(await feed.take()).toEqual([])

    await feed.remove()
    await session.close()
    const left = await db.query<{n: number}>(
      `select (select count(*) from pg_event_trigger where evtname like 'sbx%')::int
        + (select count(*) from pg_namespace where nspname = 'sbx_ddl_feed')::int
        + (select count(*) from pg_prepared_statements)::int as n`,
    )
    expect(left.rows[0]?.n).toBe(0)
    expect((await db.query<{plan_cache_mode: string}>('show plan_cache_mode')).rows[0]?.plan_cache_mode).toBe('auto')
  })

  it('a role that may not create event triggers gets no feed, and nothing of it is left', async () => {
    const database = await freshDatabaseFromBaseline({extensions: []})
    onTestFinished(() => database.close())
    await database.db.exec(
      'create role sbx_no_super nosuperuser; grant create on database postgres to sbx_no_super; set role sbx_no_super;',
    )
    const session = preparedSession(database.db)
    expect(await openDdlFeed(database.db, session)).toBeUndefined()
    await database.db.exec('reset role')
    const left = await database.db.query<{n: number}>(
      `select (select count(*) from pg_namespace where nspname = 'sbx_ddl_feed')::int
        + (select count(*) from pg_event_trigger where evtname like 'sbx%')::int as n`,
    )
    expect(left.rows[0]?.n).toBe(0)
  })

  it('the ledger from events attributes every object as whole snapshots after every file do', async () => {
    const {db, session, feed} = await replayDatabase()
    const changed = changedObjects(session)
    const baseline = await catalogSnapshot(db)
    const fromEvents = new ObjectLedger(baseline)
    const fromSnapshots = new ObjectLedger(baseline)
    for (const [file, sql] of Object.entries(DDL_EDGE_MIGRATIONS)) {
      // As supabase runs them: in one transaction, but CREATE INDEX CONCURRENTLY cannot be in one.
      await db.exec(/concurrently/i.test(sql) ? sql : `begin;\n${sql}\ncommit;`)
      const touches = ledgerTouches(await feed.take())
      if (touches.whole) fromEvents.record(file, await catalogSnapshot(db))
      else
        fromEvents.touch(
          file,
          [...touches.named.map(String), ...(await changed(touches.grants))],
          touches.dropped.map(String),
        )
      fromSnapshots.record(file, await catalogSnapshot(db))
    }
    await feed.remove()
    const final = await catalogSnapshot(db)
    fromEvents.settle(final)
    const created = final.filter((object) => !baseline.some((b) => b.oid === object.oid))
    expect(created.length).toBeGreaterThan(5)
    for (const object of final) {
      const named = {schema: object.schema, name: object.name, type: object.kind === 'relation' ? 'table' : object.kind}
      const byEvents = fromEvents.find(named)
      const bySnapshots = fromSnapshots.find(named)
      expect(byEvents?.introducedBy, object.name).toBe(bySnapshots?.introducedBy)
      // A file whose DDL named an object without changing what the advisors read is an alteration too.
      expect(byEvents?.alteredBy, object.name).toEqual(expect.arrayContaining(bySnapshots?.alteredBy ?? []))
    }
    const t = fromEvents.find({schema: 'public', name: 't', type: 'table'})
    expect(t?.alteredBy.some((file) => file.endsWith('_grants.sql'))).toBe(true)
  })
})
