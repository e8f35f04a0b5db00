/**
 * The catalog tracker reads only what each file's DDL events name. It must report exactly what reading the whole
 * catalog after every file reports, including where a change reaches past the objects a statement names.
 */
import {describe, expect, it} from 'vitest'
import {type CatalogRow, objectKey} from '../../src/core/sql/catalog.js'
import {type CatalogTracker, trackCatalog} from '../../src/workflows/steps/catalog-tracker.js'
import {type ReplayObserver, verify} from '../../src/workflows/verify.js'
import {DDL_EDGE_MIGRATIONS} from '../helpers/ddl-edge-migrations.js'
import {INCIDENT_MIGRATIONS} from '../helpers/incident-migrations.js'
import {tmpProject} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'

/** The same tracker given no events: it reads the whole catalog after every file. */
function readingWholeCatalogs(tracker: CatalogTracker): ReplayObserver {
  return {
    start: (db, session) => tracker.start(db, session),
    replayed: (db, migration, replayMs) => tracker.replayed(db, migration, replayMs, undefined),
    finished: (db) => tracker.finished(db),
  }
}

function summary(tracker: CatalogTracker) {
  const keys = (rows: CatalogRow[]) => rows.map((row) => objectKey(row)).sort()
  return {
    migrations: tracker.migrations.map((m) => ({
      file: m.file,
      created: keys(m.created),
      altered: keys(m.altered),
      dropped: keys(m.dropped),
      dependsOn: m.dependsOn,
    })),
    final: [...tracker.final.keys()].sort(),
  }
}

async function bothWays(files: Record<string, string>) {
  const workdir = tmpProject(files)
  const scoped = trackCatalog()
  const whole = trackCatalog()
  let withEvents = 0
  const counting: ReplayObserver = {
    ...scoped,
    start: (db, session) => scoped.start(db, session),
    replayed: (db, migration, replayMs, events) => {
      if (events) withEvents++
      return scoped.replayed(db, migration, replayMs, events)
    },
    finished: (db) => scoped.finished(db),
  }
  const first = await verify({workdir, observer: counting})
  // The embedded database runs event triggers: every file's reads were scoped by its events.
  expect(withEvents).toBe(scoped.migrations.length)
  const second = await verify({workdir, observer: readingWholeCatalogs(whole)})
  expect(first.failure, JSON.stringify(first.failure)).toBeUndefined()
  expect(second.failure).toBeUndefined()
  return {scoped: summary(scoped), whole: summary(whole)}
}

describe('catalog tracker: scoped reads from DDL events', () => {
  it('renames, cascades, dynamic DDL, grants, an extension and DEALLOCATE ALL: the same as whole reads', async () => {
    const {scoped, whole} = await bothWays(DDL_EDGE_MIGRATIONS)
    expect(scoped).toEqual(whole)
    const step = (name: string) => scoped.migrations.find((m) => m.file.endsWith(`_${name}.sql`))
    // What the scoped reads had to see beyond the named objects:
    expect(step('rename_column')?.altered).toContain('view app.v')
    expect(step('rename_table')?.created).toContain('column app.b.xx')
    expect(step('drop_column')?.dropped).toEqual(['column app.b.y', 'index app.b.a_y'])
    expect(step('dynamic_drop')?.dropped).toEqual(
      expect.arrayContaining(['table app.b', 'view app.v', 'policy app.b.q']),
    )
    expect(step('deallocate')?.created).toContain('table public.after_deallocate')
    expect(step('last')?.dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/_type\.sql$/)]))
  })

  it('the realistic and the incident projects: the same as whole reads', async () => {
    for (const files of [REALISTIC_MIGRATIONS, INCIDENT_MIGRATIONS]) {
      const {scoped, whole} = await bothWays(files)
      expect(scoped).toEqual(whole)
      expect(scoped.migrations.length).toBeGreaterThan(3)
    }
  })
})
