/**
 * What a running `sbx push` deploys: a copy of the migrations folder (and supabase's config and link files) taken
 * under the repository lock in a few milliseconds, so that verify and `supabase db push` work on the copy while
 * `migration new`, `fix` and `watch` go on in the real folder. A pin file beside the repository lock lists the
 * snapshotted names: `fix` and `watch` leave those files where they are while the push (or its guardian) lives.
 */
import {randomBytes} from 'node:crypto'
import {constants as fsConstants} from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {parseMigrationFile} from '../../core/migrations/migration-file.js'
import {isAlive} from '../project/processes.js'

export interface Snapshot {
  id: string
  /** The folder to give supabase as --workdir: it holds supabase/migrations, config and .temp files. */
  workdir: string
  migrationsDir: string
  pinFile: string
}

interface Pin {
  pids: number[]
  host: string
  files: string[]
}

const CONFIG_FILES = ['config.toml', 'config.json', 'config.jsonc']

/** Copies the project's migrations and supabase's own files into a private folder; call under the lock. */
export async function takeSnapshot(project: {workdir: string; tempDir: string; lockHome: string}): Promise<Snapshot> {
  const root = path.join(project.tempDir, 'push')
  await removeAbandoned(root, project.lockHome)
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`
  const workdir = path.join(root, id)
  const source = path.join(project.workdir, 'supabase')
  const target = path.join(workdir, 'supabase')
  const migrationsDir = path.join(target, 'migrations')
  await fs.mkdir(migrationsDir, {recursive: true})
  // Names as bytes, so that a name that is not UTF-8 is copied as it is (preflight then refuses it by name).
  const files = await copyFiles(path.join(source, 'migrations'), migrationsDir)
  for (const name of CONFIG_FILES) await copyIfPresent(path.join(source, name), path.join(target, name))
  // The linked project's ref and pooler URL live in supabase/.temp; sbx's own state there is not copied.
  await fs.mkdir(path.join(target, '.temp'), {recursive: true})
  await copyFiles(path.join(source, '.temp'), path.join(target, '.temp'))
  const pinFile = path.join(project.lockHome, 'pushes', `${id}.json`)
  await writePin(pinFile, {pids: [process.pid], host: os.hostname(), files})
  return {id, workdir, migrationsDir, pinFile}
}

/** Adds the guardian's pid: the snapshot stays pinned while either process lives. */
export async function addPinnedPid(snapshot: Snapshot, pid: number): Promise<void> {
  const pin = await readPin(snapshot.pinFile)
  if (pin) await writePin(snapshot.pinFile, {...pin, pids: [...pin.pids, pid]})
}

/**
 * Copies into the snapshot the live folder's files whose version is in `versions` (versions the target has applied
 * that the snapshot lacks: another push applied them between this push's snapshot and its deploy lock) and pins
 * them. Read without the repository lock: files appear in the folder whole (staged, then linked), and an applied
 * version's file is never renamed while the deploy lock is held. Returns the names copied.
 */
export async function addAppliedFiles(
  snapshot: Snapshot,
  project: {workdir: string},
  versions: ReadonlySet<string>,
): Promise<string[]> {
  if (versions.size === 0) return []
  const from = path.join(project.workdir, 'supabase', 'migrations')
  const entries = await fs.readdir(from, {withFileTypes: true}).catch(() => [])
  const present = new Set(await fs.readdir(snapshot.migrationsDir))
  const wanted = entries.filter((entry) => {
    const version = parseMigrationFile(entry.name)?.version
    return entry.isFile() && version !== undefined && versions.has(version) && !present.has(entry.name)
  })
  const copied: string[] = []
  for (const entry of wanted) {
    const copiedOne = await fs
      .copyFile(path.join(from, entry.name), path.join(snapshot.migrationsDir, entry.name), fsConstants.COPYFILE_EXCL)
      .then(() => true)
      .catch((error: NodeJS.ErrnoException) => {
        // Gone since the listing (a rename finishing elsewhere): the refusal that follows names what is missing.
        if (error.code === 'ENOENT') return false
        throw error
      })
    if (copiedOne) copied.push(entry.name)
  }
  const pin = await readPin(snapshot.pinFile)
  if (pin && copied.length > 0) await writePin(snapshot.pinFile, {...pin, files: [...pin.files, ...copied]})
  return copied
}

export async function removeSnapshot(snapshot: Snapshot): Promise<void> {
  await fs.rm(snapshot.pinFile, {force: true})
  await fs.rm(snapshot.workdir, {recursive: true, force: true})
}

/** Names of migrations that a live push on this machine has snapshotted; stale pins are removed. */
export async function pinnedFiles(lockHome: string): Promise<Set<string>> {
  const dir = path.join(lockHome, 'pushes')
  const names = await fs.readdir(dir).catch(() => [] as string[])
  const pinned = new Set<string>()
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const pin = await readPin(path.join(dir, name))
    if (!pin) continue
    if (!pinIsLive(pin)) {
      await fs.rm(path.join(dir, name), {force: true})
      continue
    }
    for (const file of pin.files) pinned.add(file)
  }
  return pinned
}

function pinIsLive(pin: Pin): boolean {
  return pin.host !== os.hostname() || pin.pids.some((pid) => isAlive(pid))
}

async function readPin(file: string): Promise<Pin | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Pin
  } catch {
    return undefined
  }
}

async function writePin(file: string, pin: Pin): Promise<void> {
  await fs.mkdir(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.tmp`
  await fs.writeFile(tmp, JSON.stringify(pin))
  await fs.rename(tmp, file)
}

/** Regular files directly inside `from`, copied to `to`; returns their names (a missing folder has none). */
async function copyFiles(from: string, to: string): Promise<string[]> {
  const entries = await fs.readdir(from, {withFileTypes: true, encoding: 'buffer'}).catch(() => [])
  const names: string[] = []
  await Promise.all(
    entries.map(async (entry) => {
      if (!entry.isFile()) return
      const name = entry.name
      await fs.copyFile(Buffer.concat([Buffer.from(`${from}/`), name]), Buffer.concat([Buffer.from(`${to}/`), name]))
      names.push(name.toString('utf8'))
    }),
  )
  return names
}

async function copyIfPresent(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}

/** Snapshots whose push and guardian are both gone (killed) are removed by the next push. */
async function removeAbandoned(root: string, lockHome: string): Promise<void> {
  const names = await fs.readdir(root).catch(() => [] as string[])
  await Promise.all(
    names.map(async (name) => {
      const pin = await readPin(path.join(lockHome, 'pushes', `${name}.json`))
      if (pin && pinIsLive(pin)) return
      const pid = Number(name.split('-')[0])
      if (!pin && pid && isAlive(pid)) return
      await fs.rm(path.join(root, name), {recursive: true, force: true})
      await fs.rm(path.join(lockHome, 'pushes', `${name}.json`), {force: true})
    }),
  )
}
