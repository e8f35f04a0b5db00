/** `sbx fix`: plan renames purely, then carry them out under the repository lock (rebase: workflows/rebase.ts). */
import type {Finding} from '../core/migrations/findings.js'
import {findIssues} from '../core/migrations/findings.js'
import {type FixPlan, folderAfterRenames, type NoRoom, planFix, type Rename} from '../core/migrations/rename-plan.js'
import type {Reservation} from '../core/registry/registry.js'
import {pinnedFiles} from '../shell/deploy/push-snapshot.js'
import {withLock} from '../shell/project/lock.js'
import {readMigrationFolder} from '../shell/project/migrations-dir.js'
import type {Workspace} from '../shell/project/workspace.js'
import {type AppliedRename, applyRenames, completeInterruptedRenames} from './steps/apply-renames.js'
import {openProject} from './steps/open-project.js'
import {type HistorySource, type ProjectState, readProjectState, withProvenance} from './steps/project-state.js'
import {repairWithRegistry} from './steps/registry-check.js'

export interface FixOptions extends HistorySource {
  workdir?: string
  dryRun: boolean
  lockTimeoutSeconds: number
}

export interface FixReport {
  dryRun: boolean
  renames: Array<Rename | AppliedRename>
  /** Blocking findings a rename cannot solve (missing files, edits after apply, skipped names). */
  remaining: Finding[]
  /** With a registry: files written offline whose versions are now reserved. */
  reserved?: string[]
  /** With a registry: leaked reservations (holder gone before writing its file, or lease expired), released. */
  reclaimed?: Reservation[]
  /** rebase --commit: the commit holding the renames. */
  commit?: string
}

export async function fix(options: FixOptions): Promise<FixReport> {
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx fix',
  })
  const plan = async (): Promise<FixPlan> => {
    const state = await readProjectState(workspace, options)
    const migrations = await withProvenance(workspace, state.folder)
    const pinned = await pinnedFiles(workspace.lockHome)
    return planFix({migrations, history: state.history, localStatements: state.localStatements, pinned})
  }
  if (options.dryRun) {
    // The verdict fix would reach: the findings of the folder as it would be after these renames.
    const state = await readProjectState(workspace, options)
    const {renames, unsolvable} = await plan()
    const after = {...state, folder: folderAfterRenames(state.folder, renames)}
    return {dryRun: true, renames, remaining: remainingFindings(after, unsolvable)}
  }
  const done = await locked(workspace, options.lockTimeoutSeconds, 'sbx fix', async () => {
    const {migrations} = await readMigrationFolder(workspace.migrationsDir)
    await completeInterruptedRenames(
      workspace,
      migrations.map((m) => m.file),
      'sbx fix',
    )
    const planned = await plan()
    const local = await applyRenames(workspace, planned.renames, 'sbx fix')
    const registry = await repairWithRegistry(workspace, 'sbx fix')
    return {
      renames: [...local, ...(registry?.renames ?? [])],
      reserved: registry?.reserved,
      reclaimed: registry?.reclaimed,
      unsolvable: planned.unsolvable,
    }
  })
  const remaining = remainingFindings(await readProjectState(workspace, options), done.unsolvable)
  return {
    dryRun: false,
    renames: done.renames,
    ...(done.reserved ? {reserved: done.reserved} : {}),
    ...(done.reclaimed ? {reclaimed: done.reclaimed} : {}),
    remaining,
  }
}

/** A file with no free version still shares its version: say why no rename solved it, not only that it collides. */
function remainingFindings(state: ProjectState, unsolvable: readonly NoRoom[]): Finding[] {
  const unsolved = new Set(unsolvable.map((u) => u.file))
  return [
    ...unsolvable.map(noFreeVersion),
    ...findIssues(state).filter(
      (finding) => finding.blocking && !('files' in finding && finding.files.some((f) => unsolved.has(f))),
    ),
  ]
}

function noFreeVersion({file, after}: {file: string; after: string}): Finding {
  return {kind: 'no-free-version', blocking: true, file, after}
}

function locked<T>(workspace: Workspace, timeoutSeconds: number, command: string, fn: () => Promise<T>): Promise<T> {
  return withLock({lockHome: workspace.lockHome, timeoutSeconds, command}, fn)
}
