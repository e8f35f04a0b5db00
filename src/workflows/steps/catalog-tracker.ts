/**
 * Follows the replay database's catalogs from file to file: what each migration created, altered and dropped,
 * and which earlier migrations it depends on (it uses an object they created: the database's own pg_depend,
 * plus relation names mentioned in function bodies, which record no dependency). Used by `sbx plan` and by
 * push's post-deploy check (the objects the whole replay leaves behind).
 */
import {
  applyScopedRead,
  CATALOG_SQL,
  type Catalog,
  type CatalogDiff,
  type CatalogRow,
  catalogOf,
  DEPENDS_SQL,
  diffCatalogs,
  FUNCTION_BODIES_SQL,
  namesInBody,
  normalizeRows,
  objectKey,
  PG_TYPE,
  SCOPED_CATALOG_SQL,
  scopedCatalogParams,
} from '../../core/sql/catalog.js'
import {catalogScope, type DdlEvent} from '../../core/sql/ddl-events.js'
import {dmlTarget} from '../../core/verify/missing-object.js'
import type {PreparedSession} from '../../shell/replay/prepared-query.js'
import type {ReplayObserver} from '../verify.js'

export interface TrackedMigration extends CatalogDiff {
  file: string
  version: string
  statements: readonly string[]
  transactionMode: string
  /** Earlier files this one uses objects of, in apply order. */
  dependsOn: string[]
  replayMs: number
}

/** What the tracker knows between files, as plain data (the replay cache keeps it with the database state). */
export interface TrackerState {
  initial: Array<[string, CatalogRow]>
  current: Array<[string, CatalogRow]>
  migrations: TrackedMigration[]
  creators: Array<[string, string]>
  relations: Array<[string, string]>
  keyCreators: Array<[string, string]>
}

export interface CatalogTracker extends ReplayObserver {
  /** `saved`: what save() gave for the database the replay resumes on (the replay cache). */
  start(db: Db, session: PreparedSession, saved?: TrackerState): Promise<void>
  save(): TrackerState
  readonly migrations: TrackedMigration[]
  /** Before the first migration: the baseline and its extensions. */
  readonly initial: Catalog
  /** After the last migration that applied. */
  readonly final: Catalog
}

type Db = Parameters<ReplayObserver['start']>[0]

async function readCatalog(db: Db): Promise<Catalog> {
  const result = await db.query<Record<string, unknown>>(CATALOG_SQL)
  return catalogOf(normalizeRows(result.rows))
}

type Row = Record<string, unknown>

/** The queries run after every file, prepared once per database. */
function prepareQueries(session: PreparedSession) {
  const oids = (count: number) => Array.from({length: count}, () => 'oid[]')
  return {
    scoped: session.query<Row>('sbx_catalog_scoped', SCOPED_CATALOG_SQL, oids(5)),
    depends: session.query<{refclassid: unknown; refobjid: unknown; refobjsubid: unknown}>(
      'sbx_catalog_depends',
      DEPENDS_SQL,
      [...oids(4), 'int4[]', 'oid[]'],
    ),
    bodies: session.query<{prosrc: string | null}>('sbx_catalog_bodies', FUNCTION_BODIES_SQL, oids(1)),
  }
}

type Queries = ReturnType<typeof prepareQueries>

/** The catalog after a file: `current` with what its DDL events name read again, or all of it read again. */
async function readAfter(
  db: Db,
  queries: Queries,
  current: Catalog,
  events: readonly DdlEvent[] | undefined,
): Promise<Catalog> {
  const scope = events && catalogScope(events)
  if (!scope || scope.whole) return readCatalog(db)
  if (Object.values(scope).every((ids) => Array.isArray(ids) && ids.length === 0)) return current
  return applyScopedRead(current, scope, normalizeRows(await queries.scoped.run(scopedCatalogParams(scope))))
}

const address = (classid: number, objid: number, subid = 0) => `${classid}:${objid}:${subid}`

export function trackCatalog(): CatalogTracker {
  let initial: Catalog = new Map()
  let current: Catalog = new Map()
  let migrations: TrackedMigration[] = []
  /** pg_depend address → the file that created the object. */
  let creators = new Map<string, string>()
  /** Relation name (bare and schema-qualified) → the file that created it. */
  let relations = new Map<string, string>()
  /** Object key → the file that created it. */
  let keyCreators = new Map<string, string>()
  let queries: Queries | undefined
  return {
    get migrations() {
      return migrations
    },
    get initial() {
      return initial
    },
    get final() {
      return current
    },
    cacheName: 'catalog-tracker',
    save: () => savedTracker({initial, current, migrations, creators, relations, keyCreators}),
    async start(db, session, saved) {
      queries = prepareQueries(session)
      if (saved) {
        ;({initial, current, migrations, creators, relations, keyCreators} = restoredTracker(saved))
        return
      }
      initial = await readCatalog(db)
      current = initial
      migrations = []
      creators = new Map()
      relations = new Map()
      keyCreators = new Map()
    },
    async replayed(db, migration, replayMs, events) {
      if (!queries) throw new Error('trackCatalog: replayed() before start()')
      const after = await readAfter(db, queries, current, events)
      const diff = diffCatalogs(current, after)
      const file = migration.file
      const uses = new Set<string>()
      const used = (creator: string | undefined) => {
        if (creator !== undefined && creator !== file) uses.add(creator)
      }
      // Altering or dropping an object, or adding a column or policy to a table, uses whoever created it.
      for (const row of [...diff.altered, ...diff.dropped]) used(keyCreators.get(objectKey(row)))
      for (const row of [...diff.created, ...diff.altered]) {
        if (row.parent !== null) used(keyCreators.get(`table ${row.schema}.${row.parent}`))
      }
      const changed = [...diff.created, ...diff.altered]
      if (changed.length > 0) {
        const objects = changed.filter((row) => row.kind !== 'column')
        const columns = changed.filter((row) => row.kind === 'column')
        const deps = await queries.depends.run([
          objects.map((row) => row.classid),
          objects.map((row) => row.objid),
          objects.filter((row) => row.kind === 'view').map((row) => row.objid),
          columns.map((row) => row.objid),
          columns.map((row) => row.subid),
          diff.altered.filter((row) => row.kind === 'table').map((row) => row.objid),
        ])
        for (const dep of deps) {
          const classid = Number(dep.refclassid)
          const objid = Number(dep.refobjid)
          used(creators.get(address(classid, objid, Number(dep.refobjsubid))) ?? creators.get(address(classid, objid)))
        }
        const functions = changed.filter((row) => row.kind === 'function').map((row) => row.objid)
        if (functions.length > 0 && relations.size > 0) {
          const bodies = await queries.bodies.run([functions])
          for (const body of bodies) for (const name of namesInBody(body.prosrc ?? '')) used(relations.get(name))
        }
      }
      // Filling or changing a table (INSERT, UPDATE, DELETE, MERGE, TRUNCATE) uses whoever created it.
      for (const statement of migration.statements) {
        const target = dmlTarget(statement)
        if (target) used(relations.get((target.schema ? `${target.schema}.${target.name}` : target.name).toLowerCase()))
      }
      for (const row of diff.created) {
        keyCreators.set(objectKey(row), file)
        creators.set(address(row.classid, row.objid, row.subid), file)
        if (row.kind === 'table' || row.kind === 'view') {
          if (row.typid !== null) creators.set(address(PG_TYPE, row.typid), file)
          relations.set(row.name.toLowerCase(), file)
          relations.set(`${row.schema}.${row.name}`.toLowerCase(), file)
        }
      }
      const order = new Map(migrations.map((m, index) => [m.file, index]))
      migrations.push({
        file,
        version: migration.version,
        statements: migration.statements,
        transactionMode: migration.transactionMode,
        ...diff,
        dependsOn: [...uses].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
        replayMs,
      })
      current = after
    },
    async finished(db) {
      // The scoped reads miss what a change reaches indirectly (a function renamed inside a trigger's text):
      // what is left behind comes from one whole read.
      current = await readCatalog(db)
      queries = undefined
    },
  }
}

interface TrackerMaps {
  initial: Catalog
  current: Catalog
  migrations: TrackedMigration[]
  creators: Map<string, string>
  relations: Map<string, string>
  keyCreators: Map<string, string>
}

function savedTracker(maps: TrackerMaps): TrackerState {
  const {initial, current, migrations, creators, relations, keyCreators} = maps
  return structuredClone({
    initial: [...initial],
    current: [...current],
    migrations,
    creators: [...creators],
    relations: [...relations],
    keyCreators: [...keyCreators],
  })
}

function restoredTracker(state: TrackerState): TrackerMaps {
  const saved = structuredClone(state)
  return {
    initial: new Map(saved.initial),
    current: new Map(saved.current),
    migrations: saved.migrations,
    creators: new Map(saved.creators),
    relations: new Map(saved.relations),
    keyCreators: new Map(saved.keyCreators),
  }
}

const CHECKED_KINDS = new Set(['table', 'view', 'column', 'function', 'policy', 'index', 'trigger'])

/**
 * Objects the migrations leave behind that the baseline did not have: tables, views, columns, functions, policies,
 * indexes and triggers (extensions' members excluded; schemas and extensions are where stand-ins differ).
 */
export function objectsLeftBehind(tracker: CatalogTracker): CatalogRow[] {
  return [...tracker.final.entries()]
    .filter(([key, row]) => !row.ext && CHECKED_KINDS.has(row.kind) && !tracker.initial.has(key))
    .map(([, row]) => row)
}
