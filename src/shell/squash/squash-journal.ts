/**
 * The journal that makes `sbx squash` all-or-nothing across a kill: `supabase/.temp/sbx/squash/` holds the
 * squashed file's content (fsynced) and `journal.json`, written by rename only once that content is on disk.
 * Without a journal the folder holds the originals (anything else in the folder is an unfinished build,
 * removed); with one, the squash is decided and the next sbx squash or push finishes it: the content renamed
 * over the newest original, the other originals removed, git staged, audit lines appended, journal removed.
 */
import fs from 'node:fs/promises'
import path from 'node:path'

export interface SquashJournal {
  /** ISO-8601 UTC: when the squash was decided (every audit line of it carries this). */
  at: string
  /** The squashed file: version and name of the newest original. */
  target: string
  /** Every original, oldest first (the target's name among them). */
  files: string[]
  sha256: string
  /** `command` of the process that decided it (for the audit lines a recovery writes). */
  command: string
}

export function journalDir(tempDir: string): string {
  return path.join(tempDir, 'squash')
}

export function stagedContentPath(tempDir: string): string {
  return path.join(journalDir(tempDir), 'squashed.sql')
}

const journalFile = (tempDir: string) => path.join(journalDir(tempDir), 'journal.json')

/** Writes the content and fsyncs it; nothing is decided yet. Any earlier unfinished build is replaced. */
export async function stageSquash(tempDir: string, text: string): Promise<void> {
  const dir = journalDir(tempDir)
  await fs.mkdir(dir, {recursive: true})
  await writeSynced(stagedContentPath(tempDir), text)
}

/** The commit point: from here on the squash is finished by whoever finds the journal. */
export async function commitJournal(tempDir: string, journal: SquashJournal): Promise<void> {
  const tmp = `${journalFile(tempDir)}.tmp`
  await writeSynced(tmp, `${JSON.stringify(journal)}\n`)
  await fs.rename(tmp, journalFile(tempDir))
  await syncDir(journalDir(tempDir))
}

export async function readJournal(tempDir: string): Promise<SquashJournal | undefined> {
  const text = await fs.readFile(journalFile(tempDir), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  return JSON.parse(text) as SquashJournal
}

/** Removes the journal and the staged content (a squash finished, or one never committed). */
export async function clearJournal(tempDir: string): Promise<void> {
  await fs.rm(journalFile(tempDir), {force: true})
  await fs.rm(journalDir(tempDir), {recursive: true, force: true})
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'w')
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Whether a killed squash left its journal (one stat: every sbx command asks before it reads the folder). */
export async function hasJournal(tempDir: string): Promise<boolean> {
  return fs.access(journalFile(tempDir)).then(
    () => true,
    () => false,
  )
}
