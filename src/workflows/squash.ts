/**
 * `sbx squash [--up-to VERSION] [--dry-run]`: replace the oldest migrations by one file that builds the same
 * schema and data, proven equivalent before anything is written (workflows/steps/squash-proof.ts), then written all
 * or nothing under the repository lock (shell/squash/squash-journal.ts): one file carrying the version and name of
 * the newest squashed one, the others removed (staged in git when tracked), one audit line per file.
 * Databases that applied the originals are repaired by their next `sbx push` (workflows/steps/squash-repair.ts).
 */

import {createHash} from 'node:crypto'
import path from 'node:path'
import {UsageError} from '../core/errors.js'
import {groupByVersion} from '../core/migrations/migration-file.js'
import {migrationStatements} from '../core/sql/sql-statements.js'
import type {SquashReport} from '../core/squash/squash-report.js'
import {withLock} from '../shell/project/lock.js'
import {readMigrationFolder, readText} from '../shell/project/migrations-dir.js'
import {openWorkspace} from '../shell/project/workspace.js'
import {commitJournal, type SquashJournal, stageSquash} from '../shell/squash/squash-journal.js'
import {finishInterruptedSquash, pauseForTest, rollForward, sha256Of} from './steps/squash-finish.js'
import {type LoadedMigration, proveSquash, SquashRefusedError} from './steps/squash-proof.js'
import {releaseSquashedReservations} from './steps/squash-registry.js'

export type {SquashReport} from '../core/squash/squash-report.js'

export interface SquashOptions {
  workdir?: string
  upTo?: string
  dryRun?: boolean
  lockTimeoutSeconds?: number
  env?: NodeJS.ProcessEnv
  onProgress?: (line: string) => void
}

const COMMAND = 'sbx squash'

export async function squash(options: SquashOptions = {}): Promise<SquashReport> {
  const started = performance.now()
  const workspace = await openWorkspace({workdir: options.workdir})
  const progress = options.onProgress ?? (() => undefined)
  const lock = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds ?? 30, command: COMMAND}
  const recovered = await withLock(lock, () => finishInterruptedSquash(workspace))
  if (recovered) progress(`Finished an interrupted squash into ${recovered}.`)

  const folder = await readMigrationFolder(workspace.migrationsDir)
  const unreadable = folder.skipped.find((entry) => entry.unreadableName)
  if (unreadable) {
    throw new SquashRefusedError(`Cannot squash: ${unreadable.file} ${unreadable.reason}.`, 'ESQUASHFOLDER', [
      'Run sbx check and sbx fix first.',
    ])
  }
  const duplicate = [...groupByVersion(folder.migrations).values()].find((group) => group.length > 1)
  if (duplicate) {
    throw new SquashRefusedError(
      `Cannot squash: ${duplicate.map((m) => m.file).join(' and ')} share version ${duplicate[0]?.version}.`,
      'ESQUASHFOLDER',
      ['Run sbx fix first.'],
    )
  }
  const count = countUpTo(folder.migrations, options.upTo)
  const base = {before: folder.migrations.length, ...(recovered ? {recovered} : {})}
  if (count < 2) {
    return {
      status: 'nothing-to-squash',
      squashed: [],
      kept: folder.migrations.length,
      after: folder.migrations.length,
      ...base,
      elapsedMs: Math.round(performance.now() - started),
    }
  }
  const migrations: LoadedMigration[] = await Promise.all(
    folder.migrations.map(async (m) => ({
      ...m,
      ...migrationStatements(await readText(path.join(workspace.migrationsDir, m.file))),
    })),
  )
  const files = migrations.slice(0, count).map((m) => m.file)
  const shas = await Promise.all(files.map((file) => sha256Of(path.join(workspace.migrationsDir, file))))
  const proven = await proveSquash({migrations, count, env: options.env, onProgress: progress})
  const {text, ...proof} = proven
  const target = files.at(-1) as string
  const report = {
    file: target,
    squashed: files,
    kept: migrations.length - count,
    after: migrations.length - count + 1,
    proof,
    ...base,
  }
  if (options.dryRun) return {status: 'dry-run', ...report, elapsedMs: Math.round(performance.now() - started)}

  const staged = await withLock(lock, async () => {
    // The proof is of the bytes read before it: a file changed since would be squashed unproven.
    const now = await Promise.all(files.map((file) => sha256Of(path.join(workspace.migrationsDir, file))))
    const changed = files.find((_, i) => now[i] !== shas[i])
    if (changed) {
      throw new SquashRefusedError(`Cannot squash: ${changed} changed while the squash was proven.`, 'ESQUASHCHANGED', [
        'Run sbx squash again.',
      ])
    }
    await stageSquash(workspace.tempDir, text)
    await pauseForTest('staged')
    const journal: SquashJournal = {
      at: new Date().toISOString(),
      target,
      files,
      sha256: createHash('sha256').update(text).digest('hex'),
      command: COMMAND,
    }
    await commitJournal(workspace.tempDir, journal)
    await pauseForTest('journaled')
    return rollForward(workspace, journal)
  })
  const registry = await releaseSquashedReservations(workspace, files.slice(0, -1), options.env)
  if (registry.warning) progress(registry.warning)
  return {
    status: 'squashed',
    ...report,
    staged,
    ...(registry.released.length > 0 ? {released: registry.released} : {}),
    elapsedMs: Math.round(performance.now() - started),
  }
}

/** The number of first migrations up to VERSION (default: all); VERSION must be a file's version. */
function countUpTo(migrations: ReadonlyArray<{version: string}>, upTo: string | undefined): number {
  if (upTo === undefined) return migrations.length
  if (!/^\d+$/u.test(upTo)) throw new UsageError(`--up-to takes a migration version (digits), not "${upTo}".`)
  const index = migrations.findIndex((m) => m.version === upTo)
  if (index < 0) {
    throw new UsageError(`--up-to ${upTo}: no migration has that version.`, 'EUSAGE', [
      'Pass the version of one of the files in supabase/migrations (sbx check lists them).',
    ])
  }
  return index + 1
}
