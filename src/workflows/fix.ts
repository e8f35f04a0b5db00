/** `sbx fix` and `sbx rebase`: plan renames purely, then carry them out under the repository lock. */
import type {Finding} from '../core/findings.js'
import {findIssues} from '../core/findings.js'
import {planRebase, planRenames, type Rename} from '../core/rename-plan.js'
import {withLock} from '../shell/lock.js'
import {readMigrationFolder} from '../shell/migrations-dir.js'
import {openWorkspace, type Workspace} from '../shell/workspace.js'
import {type AppliedRename, applyRenames, completeInterruptedRenames} from './apply-renames.js'
import {branchHistory, type HistorySource, readProjectState, withProvenance} from './project-state.js'
import {repairWithRegistry} from './registry-check.js'

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
}

export async function fix(options: FixOptions): Promise<FixReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  const plan = async () => {
    const state = await readProjectState(workspace, options)
    const migrations = await withProvenance(workspace, state.folder)
    return planRenames({migrations, history: state.history, localStatements: state.localStatements})
  }
  if (options.dryRun) return {dryRun: true, renames: await plan(), remaining: []}
  const {renames, reserved} = await locked(workspace, options.lockTimeoutSeconds, 'sbx fix', async () => {
    const {migrations} = await readMigrationFolder(workspace.migrationsDir)
    await completeInterruptedRenames(
      workspace,
      migrations.map((m) => m.file),
      'sbx fix',
    )
    const local = await applyRenames(workspace, await plan(), 'sbx fix')
    const registry = await repairWithRegistry(workspace, 'sbx fix')
    return {renames: [...local, ...(registry?.renames ?? [])], reserved: registry?.reserved}
  })
  const after = await readProjectState(workspace, options)
  const remaining = findIssues(after).filter((finding) => finding.blocking)
  return {dryRun: false, renames, remaining, ...(reserved ? {reserved} : {})}
}

export interface RebaseOptions {
  workdir?: string
  onto: string
  dryRun: boolean
  lockTimeoutSeconds: number
}

export async function rebase(options: RebaseOptions): Promise<FixReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  const plan = async () => {
    const history = await branchHistory(workspace, options.onto)
    const state = await readProjectState(workspace, {})
    return planRebase({migrations: state.folder.migrations, history})
  }
  if (options.dryRun) return {dryRun: true, renames: await plan(), remaining: []}
  const renames = await locked(workspace, options.lockTimeoutSeconds, `sbx rebase --onto ${options.onto}`, async () =>
    applyRenames(workspace, await plan(), `sbx rebase --onto ${options.onto}`),
  )
  return {dryRun: false, renames, remaining: []}
}

function locked<T>(workspace: Workspace, timeoutSeconds: number, command: string, fn: () => Promise<T>): Promise<T> {
  return withLock({lockHome: workspace.lockHome, timeoutSeconds, command}, fn)
}
