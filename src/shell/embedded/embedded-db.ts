/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) with the Supabase baseline and the
 * extensions SQL will use (PGlite's builds or sbx's stand-ins, shell/embedded/extension-bundles.ts), so sbx needs
 * nothing but `npm install`. PGlite and its socket server are imported lazily: a command that never opens a
 * database does not pay their start-up cost.
 *
 * Start-up is the cost that matters (measured on 2 cores, PGlite 0.5): initdb takes ~5 s, so it runs once per
 * machine into a cached *baseline* data directory. Every database after that is a copy of it: ~45 ms to copy
 * into tmpfs plus ~0.5 s to boot, against ~0.9 s to boot from a `loadDataDir` tarball in memory and ~0.35 s
 * just to copy into a temp dir on disk.
 */
import {createHash, randomBytes} from 'node:crypto'
import {constants as fsConstants} from 'node:fs'
import fs from 'node:fs/promises'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type {PGlite} from '@electric-sql/pglite'
import {emulationSql} from '../../core/embedded/major-emulation.js'
import {PGLITE_LINES, type PgliteLine, type ReplayMajor, replayMajor} from '../../core/embedded/postgres-major.js'
import {SUPABASE_BASELINE_SQL, SUPABASE_SEARCH_PATH} from '../../core/embedded/supabase-baseline.js'
import {liftoffOnlyFor} from '../../core/embedded/wasm-tiers.js'
import {ExternalError} from '../../core/errors.js'
import {
  BASELINE_EXTENSIONS,
  DEFAULT_LIBRARIES,
  EMBEDDED_ENGINES,
  type EngineName,
} from '../../core/extensions/extension-catalog.js'
import {type ExtensionNeeds, engineFor} from '../../core/extensions/extension-plan.js'
import {STAND_INS} from '../../core/extensions/extension-stand-ins.js'
import {isAlive} from '../project/processes.js'
import type {PipelineOptions} from '../replay/replay-pipeline.js'
import {removeDetached} from './detached-removal.js'
import {startWorkerDatabase, type WorkerDatabase} from './embedded-worker.js'
import {pgliteExtensions} from './extension-bundles.js'

/** Bump when the way a baseline is built changes in a way the SQL text does not show. */
const BASELINE_LAYOUT = 2
const MARKER_FILE = 'sbx-baseline.json'
/** tmpfs is used for scratch copies only when it has room for a few databases (Docker gives 64 MB). */
const MIN_TMPFS_FREE_BYTES = 512 * 1024 * 1024

export interface EmbeddedDatabase {
  db: PGlite
  dataDir: string
  /** Stops the database (a second call does nothing); a scratch database's files are removed as well. */
  close(): Promise<void>
}

export interface BaselineOptions {
  env?: NodeJS.ProcessEnv
  /** Called before a baseline is built (~5 s, once per machine and baseline version). */
  onBuild?: (cacheDir: string) => void
  /** The project's major and the PGlite line that replays it (default: the newest line). */
  major?: ReplayMajor
}

const NEWEST = replayMajor((PGLITE_LINES.at(-1) as PgliteLine).major)

export interface Baseline {
  dir: string
  /** True when this call built it. */
  built: boolean
}

export interface ServedDatabase {
  /** postgresql://…@127.0.0.1:<port>/postgres?sslmode=disable */
  url: string
  port: number
  close(): Promise<void>
}

/** `$SBX_CACHE_DIR`, else `$XDG_CACHE_HOME/sbx`, else `~/.cache/sbx`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SBX_CACHE_DIR) return path.resolve(env.SBX_CACHE_DIR)
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sbx')
}

/** The cached baseline's folder name: a new PGlite or a new baseline SQL never reuses an old directory. */
export async function baselineName(major: ReplayMajor = NEWEST): Promise<string> {
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        BASELINE_LAYOUT,
        BASELINE_EXTENSIONS,
        BASELINE_EXTENSIONS.map((name) => STAND_INS[name] ?? null),
        SUPABASE_SEARCH_PATH,
        SUPABASE_BASELINE_SQL,
        major.emulates ? emulationSql(major.emulates) : null,
      ]),
    )
    .digest('hex')
  return `baseline-${await pgliteVersion(major.line)}-${hash.slice(0, 12)}`
}

/**
 * The cached, initialized baseline data directory, built if missing. Two processes may build at once: each
 * builds in its own temp folder and renames it into place; the loser discards its copy and uses the winner's.
 */
export async function ensureBaseline(options: BaselineOptions = {}): Promise<Baseline> {
  const root = cacheRoot(options.env)
  const major = options.major ?? NEWEST
  const dir = path.join(root, await baselineName(major))
  const marker = path.join(dir, MARKER_FILE)
  if (await exists(marker)) return {dir, built: false}
  if (await exists(dir)) {
    // A build is renamed into place with its marker already inside, so the directory may have appeared
    // complete since the first look. Without the marker it is damaged: move it aside, then delete it.
    if (await exists(marker)) return {dir, built: false}
    const damaged = `${dir}.damaged-${process.pid}-${randomBytes(4).toString('hex')}`
    await fs.rename(dir, damaged).catch(() => undefined)
    await fs.rm(damaged, {recursive: true, force: true})
  }
  options.onBuild?.(dir)
  await fs.mkdir(root, {recursive: true}).catch((error) => {
    throw new ExternalError(
      `Cannot create the cache folder ${root}: ${(error as Error).message}`,
      'ECACHE',
      ['Set SBX_CACHE_DIR to a writable folder.'],
      error,
    )
  })
  await removeAbandoned(root, /^\.building-(\d+)-/)
  const tmp = path.join(root, `.building-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    const db = await startPglite(tmp, BASELINE_EXTENSIONS, root, major.line)
    try {
      await db.exec(SUPABASE_BASELINE_SQL)
      // A project on an older major than the line: the functions added since are removed (core/embedded/major-emulation.ts).
      if (major.emulates) await db.exec(emulationSql(major.emulates))
    } catch (error) {
      throw new ExternalError(
        `The Supabase baseline failed to apply: ${(error as Error).message}`,
        'EBASELINE',
        ['This is a bug in sbx: please report it.'],
        error,
      )
    } finally {
      await db.close()
    }
    const built = {pglite: await pgliteVersion(major.line), layout: BASELINE_LAYOUT, builtAt: new Date().toISOString()}
    await fs.writeFile(path.join(tmp, MARKER_FILE), `${JSON.stringify(built)}\n`)
    try {
      await fs.rename(tmp, dir)
      return {dir, built: true}
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(marker))) {
        return {dir, built: false}
      }
      throw error
    }
  } finally {
    await fs.rm(tmp, {recursive: true, force: true})
  }
}

export interface FreshDatabaseOptions extends BaselineOptions {
  /**
   * Extensions to load, by catalog name, or with the versions migrations pin (default: DEFAULT_LIBRARIES).
   * Each costs start-up time; an unloaded one fails when SQL calls it. May be a promise, so that the caller
   * can decide while the baseline is copied.
   */
  extensions?: Extensions | Promise<Extensions>
  /** Milliseconds one statement (one pipeline) may run before the database is stopped; 0: no limit. */
  timeoutMs?: number
  /**
   * Fills the (absent) data directory instead of the baseline copy, e.g. from the replay cache; false (or a
   * failure, with nothing left behind) falls back to the baseline.
   */
  seed?: (dataDir: string) => Promise<boolean>
  /**
   * How many statements the database will run, asked once its data directory is filled (a seed may have skipped
   * files): a short run compiles PGlite with V8's baseline compiler only (core/embedded/wasm-tiers.ts).
   */
  statements?: () => number | undefined
}

/** A throwaway replay database: PGlite in a worker thread (shell/embedded/embedded-worker.ts). */
export interface FreshDatabase {
  db: WorkerDatabase
  dataDir: string
  /**
   * Stops the database (a second call does nothing) and starts the removal of its folder, without waiting for it
   * (shell/embedded/detached-removal.ts).
   */
  close(): Promise<void>
  /** Settles once the removal started by close() has ended (shell/embedded/detached-removal.ts). */
  removed(): Promise<void>
}

export type Extensions = readonly string[] | ExtensionNeeds

/**
 * A throwaway database holding exactly the baseline, for `sbx verify`. It lives in tmpfs when there is room
 * and is deleted once closed (without close() waiting for it); copies left by a killed process are removed by the
 * next call.
 */
export async function freshDatabaseFromBaseline(options: FreshDatabaseOptions = {}): Promise<FreshDatabase> {
  const major = options.major ?? NEWEST
  const root = await scratchRoot()
  const dataDir = path.join(root, `sbx-db-${process.pid}-${randomBytes(4).toString('hex')}`)
  const remove = () => fs.rm(dataDir, {recursive: true, force: true})
  // The worker starts (and imports PGlite) while the baseline is found and copied.
  const copied = (async () => {
    const abandoned = removeAbandoned(root, /^sbx-db-(\d+)-/)
    const seeded = options.seed ? await options.seed(dataDir).catch(() => false) : false
    if (!seeded) {
      await remove()
      const [baseline] = await Promise.all([ensureBaseline(options), abandoned])
      await copyDir(baseline.dir, dataDir)
    } else await abandoned
    return dataDir
  })()
  const needs = Promise.resolve(options.extensions ?? DEFAULT_LIBRARIES)
  try {
    const db = await startWorkerDatabase({
      dataDir: copied,
      needs,
      cacheDir: cacheRoot(options.env),
      line: major.line,
      liftoffOnly: () => liftoffOnlyFor(options.statements?.()),
    })
    db.timeoutMs = options.timeoutMs ?? 0
    let removal: Promise<void> | undefined
    const close = closeThenRemove(db, async () => {
      removal = removeDetached(dataDir).removed
    })
    return {db, dataDir, close, removed: async () => removal}
  } catch (error) {
    await copied.catch(() => undefined)
    await remove()
    throw startFailure(dataDir, error)
  }
}

/** A throwaway database's close: the database first, then its folder, whatever the first does; once. */
function closeThenRemove(db: {close(): Promise<void>}, remove: () => Promise<unknown>): () => Promise<void> {
  return once(async () => {
    try {
      await db.close()
    } finally {
      await remove()
    }
  })
}

/**
 * The same throwaway baseline copy, with PGlite in this thread: for work that needs the PGlite object itself
 * (the WebAssembly pg_dump of `sbx squash`). No statement limit: nothing here can stop a WebAssembly call.
 */
export async function freshInProcessDatabase(options: FreshDatabaseOptions = {}): Promise<InProcessDatabase> {
  const major = options.major ?? NEWEST
  const root = await scratchRoot()
  const dataDir = path.join(root, `sbx-db-${process.pid}-${randomBytes(4).toString('hex')}`)
  const remove = () => fs.rm(dataDir, {recursive: true, force: true})
  try {
    const [baseline] = await Promise.all([ensureBaseline(options), removeAbandoned(root, /^sbx-db-(\d+)-/)])
    await copyDir(baseline.dir, dataDir)
    const needs = await Promise.resolve(options.extensions ?? DEFAULT_LIBRARIES)
    const db = await startPglite(dataDir, needs, cacheRoot(options.env), major.line)
    const replay = {
      exec: (sql: string) => db.exec(sql),
      query: <T>(sql: string, params?: unknown[]) => db.query<T>(sql, params),
      isInTransaction: () => db.isInTransaction(),
      // Copied out: the answer is a view of WebAssembly memory that the next call overwrites.
      pipeline: async (chunks: readonly Uint8Array[], options?: PipelineOptions) => {
        const answers: Uint8Array[] = []
        if (options?.reset) await db.exec('RESET ALL')
        for (const chunk of chunks) answers.push((await db.execProtocolRaw(chunk, {syncToFs: false})).slice())
        return Buffer.concat(answers)
      },
    }
    return {db, replay, dataDir, close: closeThenRemove(db, remove)}
  } catch (error) {
    await remove()
    throw startFailure(dataDir, error)
  }
}

export interface InProcessDatabase extends EmbeddedDatabase {
  /** The same database as the replay sends to it (shell/replay/migration-replay.ts's ReplayDatabase). */
  replay: {
    exec(sql: string): Promise<unknown>
    query<T>(sql: string, params?: unknown[]): Promise<{rows: T[]}>
    isInTransaction(): boolean
    pipeline(chunks: readonly Uint8Array[], options?: PipelineOptions): Promise<Uint8Array>
  }
}

/**
 * The project's persisted database (e.g. supabase/.temp/sbx/db), created from the baseline when missing.
 * PGlite allows one process per data directory: callers hold the project lock while it is open.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: BaselineOptions & {extensions?: Extensions} = {},
): Promise<EmbeddedDatabase & {created: boolean}> {
  let created = false
  const existing = await dataDirMajor(dataDir)
  if (existing === undefined) {
    const baseline = await ensureBaseline(options)
    await fs.mkdir(path.dirname(dataDir), {recursive: true})
    const tmp = `${dataDir}.creating-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await copyDir(baseline.dir, tmp)
      created = await publishDir(tmp, dataDir)
    } finally {
      await fs.rm(tmp, {recursive: true, force: true})
    }
  }
  const db = await startPglite(
    dataDir,
    options.extensions ?? DEFAULT_LIBRARIES,
    cacheRoot(options.env),
    PGLITE_LINES.find((line) => line.major === existing) ?? (options.major ?? NEWEST).line,
  )
  return {db, dataDir, created, close: once(() => db.close())}
}

/**
 * The major of an existing data directory (undefined where there is none yet). Only a build of the same major
 * can open it (another fails with "PGlite failed to initialize properly"), so a target made on 17 stays on 17
 * when the project's migrations later load an extension that moves the replay to 18.
 */
async function dataDirMajor(dataDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => undefined)
  return text === undefined ? undefined : Number.parseInt(text.trim(), 10)
}

/**
 * Serves `db` over the Postgres wire protocol on 127.0.0.1 and an ephemeral port, for clients such as the
 * real supabase binary. Several connections may be open at once; PGlite runs their queries one at a time and
 * keeps an open transaction's queries together. Session settings are shared between connections.
 */
export async function serveDatabase(
  db: PGlite | WorkerDatabase,
  options: {maxConnections?: number} = {},
): Promise<ServedDatabase> {
  if ('serve' in db) return db.serve()
  const {PGLiteSocketServer} = await import('@electric-sql/pglite-socket')
  const server = new PGLiteSocketServer({db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 16})
  try {
    await server.start()
  } catch (error) {
    throw new ExternalError(
      `Cannot serve the embedded database: ${(error as Error).message}`,
      'EEMBEDDEDDB',
      undefined,
      error,
    )
  }
  const port = Number(server.getServerConn().split(':').at(-1))
  // PGlite has no authentication; the password only satisfies clients that insist on one. sslmode=disable
  // stops clients from trying TLS first (supabase would otherwise print a warning).
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`
  return {url, port, close: () => server.stop()}
}

// ---------------------------------------------------------------------------------------------------------

const pgliteModules = new Map<string, Promise<typeof import('@electric-sql/pglite')>>()

/**
 * A line's PGlite, imported on first use (each line is its own npm alias, core/embedded/postgres-major.ts); on the newest
 * line, PostGIS's release (core/extensions/extension-catalog.ts) when the extensions need it.
 */
function loadPglite(line: PgliteLine, engine: EngineName = 'default'): Promise<typeof import('@electric-sql/pglite')> {
  const module = engine !== 'default' ? EMBEDDED_ENGINES[engine].module : line.module
  let loaded = pgliteModules.get(module)
  if (!loaded) {
    loaded = import(module) as Promise<typeof import('@electric-sql/pglite')>
    pgliteModules.set(module, loaded)
  }
  return loaded
}

/** Imports a line's PGlite ahead of startPglite (the worker does it while its data directory is copied). */
export async function preloadPglite(line: PgliteLine): Promise<void> {
  await loadPglite(line)
}

export async function startPglite(
  dataDir: string,
  needs: Extensions,
  cacheDir: string,
  line: PgliteLine,
): Promise<PGlite> {
  const {load, versions} = 'load' in needs ? needs : {load: needs, versions: {}}
  const engine = line.major === NEWEST.line.major ? engineFor(load) : 'default'
  const [{PGlite}, extensions] = await Promise.all([
    loadPglite(line, engine),
    pgliteExtensions(load, cacheDir, versions, line),
  ])
  // PGlite starts every session with search_path=public and ignores ALTER DATABASE … SET; Supabase's
  // search_path has to be a start parameter so that RESET ALL (run by supabase before each file) keeps it.
  const startParams = PGlite.defaultStartParams.map((param) =>
    param === 'search_path=public' ? `search_path=${SUPABASE_SEARCH_PATH}` : param,
  )
  try {
    return await PGlite.create({dataDir, extensions, startParams})
  } catch (error) {
    throw startFailure(dataDir, error)
  }
}

function startFailure(dataDir: string, error: unknown): Error {
  if (error instanceof ExternalError) return error
  return new ExternalError(
    `The embedded database (PGlite) failed to start in ${dataDir}: ${(error as Error).message}`,
    'EEMBEDDEDDB',
    ['If the folder was made by another PGlite version or major, delete it: sbx recreates it from the baseline.'],
    error,
  )
}

export async function pgliteVersion(line: PgliteLine): Promise<string> {
  // The package's exports hide package.json; find it next to the resolved entry point.
  const entry = createRequire(import.meta.url).resolve(line.module)
  for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = await fs.readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined)
    if (manifest === undefined) continue
    const {name, version} = JSON.parse(manifest) as {name?: string; version?: string}
    if (name === '@electric-sql/pglite' && version) return version
  }
  return 'unknown'
}

/** /dev/shm when it exists and has room (copies and writes there cost no disk I/O), else the temp dir. */
async function scratchRoot(): Promise<string> {
  if (process.platform === 'linux') {
    try {
      await fs.access('/dev/shm', fsConstants.W_OK)
      const stats = await fs.statfs('/dev/shm')
      if (stats.bavail * stats.bsize >= MIN_TMPFS_FREE_BYTES) return '/dev/shm'
    } catch {
      // No usable tmpfs: fall through.
    }
  }
  return os.tmpdir()
}

/** Copies a data directory; clones (reflinks) where the file system supports it. */
async function copyDir(from: string, to: string): Promise<void> {
  await fs.mkdir(to, {recursive: true})
  const entries = await fs.readdir(from, {withFileTypes: true})
  await Promise.all(
    entries.map((entry) => {
      const source = path.join(from, entry.name)
      const target = path.join(to, entry.name)
      if (entry.isDirectory()) return copyDir(source, target)
      return fs.copyFile(source, target, fsConstants.COPYFILE_FICLONE)
    }),
  )
}

/**
 * Renames a complete data directory into place. Returns false when another process got there first. A
 * folder there without PG_VERSION is not a database (an interrupted copy by an older sbx, or a stray
 * folder): it is moved aside, never deleted, and never replaces a database another process may have open.
 */
async function publishDir(tmp: string, dataDir: string): Promise<boolean> {
  try {
    await fs.rename(tmp, dataDir)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
  }
  if (await exists(path.join(dataDir, 'PG_VERSION'))) return false
  await fs.rename(dataDir, `${dataDir}.invalid-${Date.now()}`)
  await fs.rename(tmp, dataDir)
  return true
}

/** Removes `<root>/<name>` entries whose name carries the pid of a process that no longer runs. */
async function removeAbandoned(root: string, pattern: RegExp): Promise<void> {
  const names = await fs.readdir(root).catch(() => [] as string[])
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(pattern.exec(name)?.[1])
      if (!pid || pid === process.pid || isAlive(pid)) return
      await fs.rm(path.join(root, name), {recursive: true, force: true}).catch(() => undefined)
    }),
  )
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => {
    done ??= fn()
    return done
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  )
}
