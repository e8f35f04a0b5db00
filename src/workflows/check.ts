/** `sbx check`: findings only, nothing written. */
import {withIntendedSkips} from '../core/check-config.js'
import {type Finding, findIssues} from '../core/findings.js'
import {classifyEntries} from '../core/migration-file.js'
import {DEFAULT_LINT_SETTINGS} from '../core/verify-config.js'
import {loadConfig} from '../shell/config-file.js'
import {stagedFiles} from '../shell/git.js'
import {gitMigrationsDir, openWorkspace} from '../shell/workspace.js'
import {type LintReport, lintFiles} from './lint.js'
import {type HistorySource, readHistorySource, readProjectState} from './project-state.js'
import {registryFindings} from './registry-check.js'

export interface CheckOptions extends HistorySource {
  workdir?: string
  /** Judge what is staged in git rather than the working folder (the pre-commit hook). */
  staged?: boolean
  /** Also lint (squawk) the files the history has not applied. */
  lint?: boolean
}

export interface CheckReport {
  migrations: number
  findings: Finding[]
  blocking: boolean
  /** With `lint`: the lock-safety lint of the unapplied files. */
  lint?: LintReport
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  const state =
    options.staged && workspace.git
      ? {
          folder: withIntendedSkips(
            classifyEntries(await stagedEntries(workspace.git.toplevel, gitMigrationsDir(workspace))),
            loadConfig(workspace.workdir).check?.ignore ?? [],
          ),
          history: await readHistorySource(workspace, options),
        }
      : await readProjectState(workspace, options)
  const findings = [...findIssues(state), ...(await registryFindings(workspace, state.folder))]
  const lint = options.lint ? await lintUnappliedFiles(workspace, state) : undefined
  const blocking = findings.some((f) => f.blocking) || (lint?.findings.some((f) => f.blocking) ?? false)
  return {migrations: state.folder.migrations.length, findings, blocking, ...(lint ? {lint} : {})}
}

async function lintUnappliedFiles(
  workspace: {workdir: string; migrationsDir: string},
  state: {
    folder: {migrations: ReadonlyArray<{file: string; version: string}>}
    history?: {applied: ReadonlyMap<string, unknown>}
  },
): Promise<LintReport> {
  const settings = loadConfig(workspace.workdir).lint ?? DEFAULT_LINT_SETTINGS
  const files = state.folder.migrations.filter((m) => !state.history?.applied.has(m.version)).map((m) => m.file)
  return lintFiles({
    dir: workspace.migrationsDir,
    files,
    settings,
    pending: state.history !== undefined,
    level: settings.level === 'off' ? 'report' : settings.level,
  })
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
