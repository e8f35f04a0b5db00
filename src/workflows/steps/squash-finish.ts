/**
 * Finishing a squash's write (sbx squash, and any later sbx command that finds a killed squash's journal): the
 * squashed file in place of the newest original, the other originals removed, git staged, the audit written.
 * POSIX has no way to replace several files in one step (Linux's renameat2 RENAME_EXCHANGE, which could swap
 * whole folders, is not reachable from Node), so between the first and the last of these steps another reader
 * could see the squash beside originals; the removals run at once to keep that window to one batch of unlinks,
 * and every sbx command rolls a journaled squash forward before it reads the folder (openProject).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type {AuditEntry} from '../../core/migrations/audit.js'
import {appendAudit, readAudit} from '../../shell/project/audit-log.js'
import {stagePaths, trackedFiles} from '../../shell/project/git.js'
import {currentActor} from '../../shell/project/processes.js'
import {gitMigrationsDir, type Workspace} from '../../shell/project/workspace.js'
import {
  clearJournal,
  readJournal,
  type SquashJournal,
  stagedContentPath,
  syncDir,
} from '../../shell/squash/squash-journal.js'

/**
 * Called under the repository lock by squash and push before they read the folder: a journal left by a killed
 * squash is finished; staged content without a journal (killed before the commit point) is discarded.
 * Returns the squashed file when it finished one.
 */
export async function finishInterruptedSquash(workspace: Workspace): Promise<string | undefined> {
  const journal = await readJournal(workspace.tempDir).catch(() => undefined)
  if (!journal) {
    await clearJournal(workspace.tempDir)
    return undefined
  }
  await rollForward(workspace, journal)
  return journal.target
}

/** Every step can run again: a kill anywhere in here is finished by the next call. */
export async function rollForward(workspace: Workspace, journal: SquashJournal): Promise<boolean> {
  const dir = workspace.migrationsDir
  const targetPath = path.join(dir, journal.target)
  const staged = stagedContentPath(workspace.tempDir)
  if ((await sha256Of(targetPath).catch(() => undefined)) !== journal.sha256) {
    // Copy, then rename over the newest original: the staged content stays until the journal goes.
    const tmp = path.join(workspace.tempDir, 'squash', 'target.tmp')
    await fs.copyFile(staged, tmp)
    await fs.rename(tmp, targetPath)
    await syncDir(dir)
  }
  await pauseForTest('replaced')
  const others = journal.files.filter((file) => file !== journal.target)
  await Promise.all(others.map((file) => fs.rm(path.join(dir, file), {force: true})))
  await syncDir(dir)
  const staged_ = await stageInGit(workspace, journal)
  await writeAudit(workspace, journal)
  await pauseForTest('audited')
  await clearJournal(workspace.tempDir)
  return staged_
}

async function stageInGit(workspace: Workspace, journal: SquashJournal): Promise<boolean> {
  if (!workspace.git) return false
  const rel = gitMigrationsDir(workspace)
  const tracked = await trackedFiles(workspace.git.toplevel, rel)
  const paths = journal.files.map((file) => `${rel}/${file}`).filter((p) => tracked.has(p))
  await stagePaths(workspace.git.toplevel, paths)
  return paths.length > 0
}

/** One line per squashed file; lines a killed run already wrote (same `at`) are not written twice. */
async function writeAudit(workspace: Workspace, journal: SquashJournal): Promise<void> {
  const log = await readAudit(workspace.workdir)
  const written = new Set(
    log.entries
      .filter((e) => e.reason === 'squashed' && e.at === journal.at && e.to === journal.target)
      .map((e) => e.from),
  )
  const by = {...currentActor(journal.command)}
  const entries: AuditEntry[] = journal.files
    .filter((file) => !written.has(file))
    .map((from) => ({at: journal.at, from, to: journal.target, reason: 'squashed', sha256: journal.sha256, by}))
  await appendAudit(workspace.workdir, entries)
}

export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex')
}

/**
 * Test hook: with SBX_SQUASH_PAUSE=<point>, the process says so on stderr and waits to be killed there. Points:
 * staged, journaled, replaced, audited.
 */
export async function pauseForTest(point: string): Promise<void> {
  if (process.env.SBX_SQUASH_PAUSE !== point) return
  process.stderr.write(`sbx-squash-paused ${point} pid ${process.pid}\n`)
  await new Promise(() => undefined)
}
