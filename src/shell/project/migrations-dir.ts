/** Reading and writing the migrations folder. Nothing here ever overwrites a file. */
import {createHash} from 'node:crypto'
import {createReadStream, createWriteStream, readFileSync} from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import {ExitCode, SbxError} from '../../core/errors.js'
import {classifyEntries, escapeNameBytes, type MigrationFolder} from '../../core/migrations/migration-file.js'
import {isAlive} from './processes.js'

/**
 * Node's stream modules, loaded when a stream is copied: `migration new` with stdin /dev/null (an agent's, a CI
 * step's) writes an empty file without them, and loading them cost about 1.4 ms of its start-up (measured).
 */
const streams = () => import('node:stream/promises')

export async function readMigrationFolder(dir: string): Promise<MigrationFolder> {
  // Names as bytes: a name that is not UTF-8 would otherwise arrive with U+FFFD in place of its bytes.
  const entries = await fs
    .readdir(dir, {withFileTypes: true, encoding: 'buffer'})
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    })
  return classifyEntries(entries.map((entry) => ({...escapeNameBytes(entry.name), isDirectory: entry.isDirectory()})))
}

/** Versions of the migration files in a folder (a missing folder has none). */
export async function versionsIn(dir: string): Promise<string[]> {
  const folder = await readMigrationFolder(dir)
  return folder.migrations.map((migration) => migration.version)
}

/** File names of the migrations in a folder (a missing folder has none). */
export async function migrationFilesIn(dir: string): Promise<string[]> {
  const folder = await readMigrationFolder(dir)
  return folder.migrations.map((migration) => migration.file)
}

/**
 * Writes the new file's content to a private temp file first (`supabase/.temp/sbx/tmp`, same file system),
 * so the migrations folder only ever sees a complete file, linked in under its final name in one step.
 */
export async function stageContent(tempDir: string, source: NodeJS.ReadableStream | undefined): Promise<string> {
  const dir = path.join(tempDir, 'tmp')
  await fs.mkdir(dir, {recursive: true})
  await removeAbandonedTempFiles(dir)
  const tmp = path.join(dir, `new-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.sql`)
  try {
    if (source) await (await streams()).pipeline(source, createWriteStream(tmp, {flags: 'wx', mode: 0o644}))
    else await fs.writeFile(tmp, '', {flag: 'wx', mode: 0o644})
    const handle = await fs.open(tmp, 'r+')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    return tmp
  } catch (error) {
    // A failed read of stdin must not leave a partial file behind, even in sbx's own temp folder.
    await fs.unlink(tmp).catch(() => undefined)
    throw error
  }
}

/**
 * Publishes `tmp` as `dir/file`. link(2) fails with EEXIST instead of replacing, which is what makes the
 * create no-clobber even against writers that do not take sbx's lock. Returns false if the name is taken.
 */
export async function publishNoClobber(tmp: string, dir: string, file: string): Promise<boolean> {
  try {
    await fs.link(tmp, path.join(dir, file))
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code === 'EXDEV') {
      throw new SbxError(
        `${path.dirname(tmp)} and ${dir} are on different file systems, so a file cannot be linked in atomically: keep supabase/.temp beside supabase/migrations.`,
        {code: 'EXDEV', exitCode: ExitCode.Usage},
      )
    }
    throw error
  }
}

/**
 * Renames inside one folder without ever replacing a file: link the new name (fails if it exists), then
 * unlink the old one. A crash in between leaves two names for one inode, which `repairTornRenames` finishes.
 */
export async function renameNoClobber(dir: string, from: string, to: string): Promise<boolean> {
  if (!(await publishNoClobber(path.join(dir, from), dir, to))) return false
  await fs.unlink(path.join(dir, from))
  return true
}

const STAT_BATCH = 32

/**
 * Finishes renames that a crash interrupted between link and unlink: two migration names for one inode.
 * sbx only ever renames a file forward, so the lower version is the old name.
 */
export async function repairTornRenames(
  dir: string,
  files: readonly string[],
): Promise<Array<{from: string; to: string}>> {
  const byInode = new Map<string, string[]>()
  // A few stats at a time: 10,000 at once cost `sbx watch` ≈ 57 MiB of RSS (measured), for no gain in time.
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    await Promise.all(
      files.slice(i, i + STAT_BATCH).map(async (file) => {
        const stat = await fs.stat(path.join(dir, file)).catch(() => undefined)
        if (!stat || stat.nlink < 2) return
        const key = `${stat.dev}:${stat.ino}`
        byInode.set(key, [...(byInode.get(key) ?? []), file])
      }),
    )
  }
  const repaired: Array<{from: string; to: string}> = []
  for (const names of byInode.values()) {
    if (names.length < 2) continue
    const [from, ...rest] = [...names].sort()
    const to = rest.at(-1) as string
    await fs.unlink(path.join(dir, from as string))
    repaired.push({from: from as string, to})
  }
  return repaired
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  await (await streams()).pipeline(createReadStream(file), hash)
  return hash.digest('hex')
}

/** Last modification time in ms (a rename keeps it). */
export async function modifiedAt(file: string): Promise<number> {
  return (await fs.stat(file)).mtimeMs
}

export async function readBytes(file: string): Promise<Buffer> {
  return fs.readFile(file)
}

export async function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8')
}

/**
 * Many small files, read one after another on the calling thread; a file that cannot be read is undefined. From
 * the page cache (a push's snapshot has just copied them) 200 migrations take ~2 ms this way, against ~19 ms
 * through the thread pool in batches of 64 (measured), and no file descriptor is held past its read.
 */
export function readTextsNow(files: readonly string[]): Array<string | undefined> {
  return files.map((file) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return undefined
    }
  })
}

/**
 * readTextsNow's way, for a caller that fails on the first file that cannot be read (with the error fs gives).
 * verify reads every file of a project this way: 1,005 files took 10–18 ms against 62–164 ms through the thread
 * pool (measured, 2 cores), and ~250 ms there while the worker thread started beside it.
 */
export function readTextsOrThrow(files: readonly string[]): string[] {
  return files.map((file) => readFileSync(file, 'utf8'))
}

async function removeAbandonedTempFiles(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[])
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(/^new-(\d+)-/.exec(name)?.[1])
      if (!pid || pid === process.pid || isAlive(pid)) return
      await fs.unlink(path.join(dir, name)).catch(() => undefined)
    }),
  )
}

/** A file's bytes and the identity of what was read, so it is removed later only if nobody wrote to it since. */
export interface FileSnapshot {
  bytes: Buffer
  ino: number
  size: number
  mtimeMs: number
}

/** Reads a whole file through one handle (content and identity of the same inode); undefined if it is gone. */
export async function readSnapshot(file: string): Promise<FileSnapshot | undefined> {
  const handle = await fs.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (!handle) return undefined
  try {
    const bytes = await handle.readFile()
    const stat = await handle.stat()
    // A write between the read and the stat makes the size disagree: the caller's removal then refuses.
    return {bytes, ino: stat.ino, size: bytes.length, mtimeMs: stat.mtimeMs}
  } finally {
    await handle.close()
  }
}

/**
 * Replaces `file`'s content (returns its sha256) in one step: the new bytes are written and fsynced in sbx's temp folder (same
 * file system), then renamed over the file, so a reader sees the old content or the new, never a part.
 */
export async function replaceContent(tempDir: string, file: string, content: Uint8Array): Promise<{sha256: string}> {
  const {Readable} = await import('node:stream')
  const tmp = await stageContent(tempDir, Readable.from([Buffer.from(content)]))
  try {
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined)
    throw error
  }
  return {sha256: createHash('sha256').update(content).digest('hex')}
}

/** Removes `file` only if it is still the inode read, unchanged; false (and kept) otherwise. */
export async function removeIfUnchanged(file: string, snapshot: FileSnapshot): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => undefined)
  if (!stat) return true
  if (stat.ino !== snapshot.ino || stat.size !== snapshot.size || stat.mtimeMs !== snapshot.mtimeMs) return false
  await fs.unlink(file)
  return true
}
