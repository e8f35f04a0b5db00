/**
 * `sbx rebase --onto REF`: renumber this branch's new migrations so they sort after everything REF has (the
 * branch's history is the ref's folder), as fix does against a database. Under the repository lock; with
 * `--commit`, the renames and the audit file in one commit.
 */

import {UsageError} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {planRebase} from '../core/migrations/rename-plan.js'
import {commitPaths} from '../shell/project/git.js'
import {withLock} from '../shell/project/lock.js'
import {gitMigrationsDir} from '../shell/project/workspace.js'
import type {FixReport} from './fix.js'
import {applyRenames} from './steps/apply-renames.js'
import {openProject} from './steps/open-project.js'
import {branchHistory, readProjectState} from './steps/project-state.js'

export interface RebaseOptions {
  workdir?: string
  onto: string
  dryRun: boolean
  lockTimeoutSeconds: number
  /** Commit the renumbering (the migrations folder and the audit file) with a message listing the renames. */
  commit?: boolean
}

export async function rebase(options: RebaseOptions): Promise<FixReport> {
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx rebase',
  })
  const plan = async () => {
    const history = await branchHistory(workspace, options.onto)
    const state = await readProjectState(workspace, {})
    return planRebase({migrations: state.folder.migrations, history})
  }
  if (options.dryRun) return {dryRun: true, renames: await plan(), remaining: []}
  const command = `sbx rebase --onto ${options.onto}`
  const lock = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command}
  const renames = await withLock(lock, async () => applyRenames(workspace, await plan(), command))
  if (!options.commit || renames.length === 0) return {dryRun: false, renames, remaining: []}
  if (!workspace.git) throw new UsageError('--commit needs a git repository.')
  const rel = workspace.git.relWorkdir ? `${workspace.git.relWorkdir}/` : ''
  const message = [
    `sbx rebase --onto ${options.onto}: renumber ${renames.length} migration${renames.length === 1 ? '' : 's'}`,
    '',
    ...renames.map((r) => `${r.from} -> ${r.to}`),
  ].join('\n')
  const commit = await commitPaths(
    workspace.git.toplevel,
    [gitMigrationsDir(workspace), `${rel}supabase/${AUDIT_FILE}`],
    message,
  )
  return {dryRun: false, renames, remaining: [], commit}
}
