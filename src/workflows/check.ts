/** `sbx check`: findings only, nothing written. */
import {type Finding, findIssues} from '../core/findings.js'
import {classifyEntries} from '../core/migration-file.js'
import {stagedFiles} from '../shell/git.js'
import {gitMigrationsDir, openWorkspace} from '../shell/workspace.js'
import {type HistorySource, readHistorySource, readProjectState} from './project-state.js'
import {registryFindings} from './registry-check.js'

export interface CheckOptions extends HistorySource {
  workdir?: string
  /** Judge what is staged in git rather than the working folder (the pre-commit hook). */
  staged?: boolean
}

export interface CheckReport {
  migrations: number
  findings: Finding[]
  blocking: boolean
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  const state =
    options.staged && workspace.git
      ? {
          folder: classifyEntries(await stagedEntries(workspace.git.toplevel, gitMigrationsDir(workspace))),
          history: await readHistorySource(workspace, options),
        }
      : await readProjectState(workspace, options)
  const findings = [...findIssues(state), ...(await registryFindings(workspace, state.folder))]
  return {migrations: state.folder.migrations.length, findings, blocking: findings.some((f) => f.blocking)}
}

async function stagedEntries(toplevel: string, relDir: string) {
  const names = await stagedFiles(toplevel, relDir)
  const entries = new Map<string, boolean>()
  for (const name of names) {
    const [first, ...rest] = name.split('/')
    entries.set(first as string, rest.length > 0)
  }
  return [...entries].map(([name, isDirectory]) => ({name, isDirectory}))
}
