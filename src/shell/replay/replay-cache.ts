/**
 * The replay cache on disk (core/verify/replay-cache.ts decides what goes in and out): one file `<key>.entry` per stored
 * state, in `<git common dir>/sbx/replay-cache` (shared by every worktree of the repository), or outside a
 * repository in `<cache>/replay-cache`. An entry is written to a temp file of its own and renamed into place, so
 * no reader ever sees part of one; two runs storing the same key both write a whole entry and the last rename
 * wins. A file's modification time is its last use (set again when loaded): least recently used entries go first
 * once the folder is over its size. An entry that fails its checksum or names another key is never used.
 *
 * Measured (2 cores, PGlite 0.5.14, a data directory of 67 MB holding 300 tables, all but 16 MB of it WAL):
 * starting from this raw format (read, checksum, write the files to tmpfs, boot) took 565 ms, against 570 ms to
 * copy the folder and boot, 1.2 s for `loadDataDir` from `dumpDataDir('none')` and 1.9 s from its gzip (which
 * also takes 1.3 s to make). Only the WAL a start needs is kept (core/verify/replay-cache.ts walToKeep).
 */
import {createHash, randomBytes} from 'node:crypto'
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import {
  type CacheEntry,
  type CacheEntryStat,
  type Digest,
  decodeEntry,
  type EntryFile,
  encodeEntry,
  entriesToEvict,
  walToKeep,
} from '../../core/verify/replay-cache.js'
import {cacheRoot} from '../embedded/embedded-db.js'
import {locateRepository} from '../project/git.js'
import {isAlive} from '../project/processes.js'

type Queryable = {query<T>(sql: string): Promise<{rows: T[]}>}

const SUFFIX = '.entry'
const TEMP = /^\.tmp-(\d+)-/u
/** Written by a running server, meaningless in a copy. */
const LEFT_OUT = new Set(['postmaster.pid', 'postmaster.opts'])

export const sha256: Digest = (parts) => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}

/** Where the WAL stood after the CHECKPOINT before a capture (read from the database by the caller). */
export interface WalPosition {
  redoFile: string
  currentFile: string
  insertOffset: number
  blockSize: number
}

export interface Snapshot {
  dirs: string[]
  files: EntryFile[]
}

export interface ReplayCacheStore {
  readonly dir: string
  readonly budgetBytes: number
  /** Keys stored now. */
  keys(): Promise<Set<string>>
  /**
   * Writes entry `key` into `dataDir` (which must not exist yet) and returns what it carries; undefined, with
   * nothing left at `dataDir`, when the entry is gone, damaged or not for this key.
   */
  load<State>(key: string, dataDir: string): Promise<{position: number; state: State} | undefined>
  /** The files of an idle data directory right after CHECKPOINT, read into memory. */
  capture(dataDir: string, wal: WalPosition): Promise<Snapshot>
  /** Writes the entry and renames it into place, then removes least recently used entries over the size. */
  publish(entry: CacheEntry): Promise<void>
}

/** sbx's version (package.json): a release may replay differently, so entries are per version. */
export async function sbxVersion(): Promise<string> {
  const manifest = await fs.readFile(new URL('../../../package.json', import.meta.url), 'utf8').catch(() => '{}')
  return String((JSON.parse(manifest) as {version?: unknown}).version ?? 'unknown')
}

/** The cache folder for the project in `workdir`. */
export async function replayCacheDir(workdir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const location = await locateRepository(workdir).catch(() => undefined)
  if (location) return path.join(location.commonDir, 'sbx', 'replay-cache')
  return path.join(cacheRoot(env), 'replay-cache')
}

export function openReplayCache(dir: string, budgetBytes: number): ReplayCacheStore {
  const file = (key: string) => path.join(dir, `${key}${SUFFIX}`)
  /** What this process wrote or loaded: never evicted by it. */
  const kept = new Set<string>()
  return {
    dir,
    budgetBytes,
    async keys() {
      const names = await fs.readdir(dir).catch(() => [] as string[])
      return new Set(names.filter((name) => name.endsWith(SUFFIX)).map((name) => name.slice(0, -SUFFIX.length)))
    },
    async load<State>(key: string, dataDir: string) {
      // On this thread, as writeSnapshot writes: an 85 MB entry read in 78 ms against 120 ms through the pool (measured).
      const bytes = readNow(file(key))
      if (!bytes) return undefined
      const decoded = decodeEntry<State>(bytes, key, sha256)
      if (!decoded.ok) return undefined
      const {entry} = decoded
      try {
        await writeSnapshot(dataDir, entry)
      } catch {
        await fs.rm(dataDir, {recursive: true, force: true})
        return undefined
      }
      kept.add(`${key}${SUFFIX}`)
      const now = new Date()
      await fs.utimes(file(key), now, now).catch(() => undefined)
      return {position: entry.position, state: entry.state}
    },
    capture: (dataDir, wal) => readSnapshot(dataDir, wal),
    async publish(entry) {
      await fs.mkdir(dir, {recursive: true})
      const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
      try {
        const handle = await fs.open(tmp, 'w')
        try {
          await handle.writev(encodeEntry(entry, sha256))
        } finally {
          await handle.close()
        }
        await fs.rename(tmp, file(entry.key))
      } finally {
        await fs.rm(tmp, {force: true})
      }
      kept.add(`${entry.key}${SUFFIX}`)
      await evict(dir, budgetBytes, kept)
    },
  }
}

function readNow(entryFile: string): Buffer | undefined {
  try {
    return fsSync.readFileSync(entryFile)
  } catch {
    return undefined
  }
}

/**
 * Synchronous on purpose: thousands of small files (a 1,000-table database has 7,000) are written 4× faster one
 * after another than through the thread pool (measured on 2 cores: 233 ms against 1,011 ms), and the worker
 * imports PGlite on its own thread meanwhile.
 */
async function writeSnapshot(dataDir: string, entry: CacheEntry): Promise<void> {
  fsSync.mkdirSync(dataDir)
  for (const dir of entry.dirs) fsSync.mkdirSync(path.join(dataDir, dir), {recursive: true})
  for (const item of entry.files) {
    const target = path.join(dataDir, item.path)
    fsSync.writeFileSync(target, item.bytes)
    // The unused tail of a WAL segment: zeros (sparse where the file system allows).
    if (item.size > item.bytes.byteLength) fsSync.truncateSync(target, item.size)
  }
}

async function readSnapshot(dataDir: string, wal: WalPosition): Promise<Snapshot> {
  const dirs: string[] = []
  const paths: string[] = []
  const walk = async (relative: string) => {
    const entries = await fs.readdir(path.join(dataDir, relative), {withFileTypes: true})
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        dirs.push(child)
        await walk(child)
      } else if (entry.isFile() && !LEFT_OUT.has(child)) paths.push(child)
    }
  }
  await walk('')
  const segments = paths.filter((p) => /^pg_wal\/[0-9A-F]{24}$/u.test(p)).map((p) => p.slice('pg_wal/'.length))
  const keep = walToKeep(segments, wal)
  const wanted = paths.filter((p) => !p.startsWith('pg_wal/') || !segments.includes(p.slice(7)) || keep.has(p.slice(7)))
  // One after another, as writeSnapshot writes them: the replay waits for this, and nothing else runs meanwhile.
  const files = wanted.map((relative): EntryFile => {
    const bytes = fsSync.readFileSync(path.join(dataDir, relative))
    const kept = keep.get(relative.slice('pg_wal/'.length))
    if (!relative.startsWith('pg_wal/') || kept === undefined || kept === 'all') {
      return {path: relative, size: bytes.byteLength, bytes}
    }
    return {path: relative, size: bytes.byteLength, bytes: bytes.subarray(0, Math.min(kept, bytes.byteLength))}
  })
  return {dirs, files}
}

async function evict(dir: string, budgetBytes: number, kept: ReadonlySet<string>): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[])
  const stats: CacheEntryStat[] = []
  for (const name of names) {
    const pid = Number(TEMP.exec(name)?.[1])
    if (pid && pid !== process.pid && !isAlive(pid)) {
      await fs.rm(path.join(dir, name), {force: true})
      continue
    }
    if (!name.endsWith(SUFFIX)) continue
    const stat = await fs.stat(path.join(dir, name)).catch(() => undefined)
    if (stat) stats.push({name, bytes: stat.size, usedAt: stat.mtimeMs})
  }
  for (const name of entriesToEvict(stats, budgetBytes, kept)) await fs.rm(path.join(dir, name), {force: true})
}

export async function walPosition(db: Queryable): Promise<WalPosition> {
  const result = await db.query<Record<string, unknown>>(
    `select pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_insert_lsn()) as current_file,
       ((pg_catalog.pg_current_wal_insert_lsn() - '0/0'::pg_catalog.pg_lsn)
         % (select setting::pg_catalog.int8 from pg_catalog.pg_settings where name = 'wal_segment_size'))::pg_catalog.int8
         as insert_offset,
       (select setting::pg_catalog.int4 from pg_catalog.pg_settings where name = 'wal_block_size') as block_size,
       (select redo_wal_file from pg_catalog.pg_control_checkpoint()) as redo_file`,
  )
  const row = result.rows[0] ?? {}
  return {
    currentFile: String(row.current_file),
    insertOffset: Number(row.insert_offset),
    blockSize: Number(row.block_size),
    redoFile: String(row.redo_file),
  }
}
