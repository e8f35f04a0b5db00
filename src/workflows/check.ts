/** `sbx check`: findings only, nothing written. */
import {withIntendedSkips} from '../core/migrations/check-config.js'
import {type Finding, findIssues} from '../core/migrations/findings.js'
import type {History} from '../core/migrations/history.js'
import {classifyEntries, type MigrationFolder} from '../core/migrations/migration-file.js'
import {DEFAULT_LINT_SETTINGS} from '../core/verify/verify-config.js'
import {loadConfig} from '../shell/project/config-file.js'
import {stagedFiles} from '../shell/project/git.js'
import {gitMigrationsDir} from '../shell/project/workspace.js'
import {type LintReport, lintFiles} from './lint.js'
import {openProject} from './steps/open-project.js'
import {type HistorySource, readHistorySource, readProjectState} from './steps/project-state.js'
import {registryFindings} from './steps/registry-check.js'
import {planHistoryRepair} from './steps/squash-repair.js'

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
  const workspace = await openProject({workdir: options.workdir, command: 'sbx check'})
  const state =
    options.staged && workspace.git
      ? {
          folder: withIntendedSkips(
            classifyEntries(await stagedEntries(workspace.git.toplevel, gitMigrationsDir(workspace))),
            (await loadConfig(workspace.workdir)).check?.ignore ?? [],
          ),
          history: await readHistorySource(workspace, options),
        }
      : await readProjectState(workspace, options)
  const squashed = options.dbUrl && state.history ? await squashFindings(workspace, state) : []
  const findings = [...squashed, ...findIssues(state), ...(await registryFindings(workspace, state.folder))]
  const lint = options.lint ? await lintUnappliedFiles(workspace, state) : undefined
  const blocking = findings.some((f) => f.blocking) || (lint?.findings.some((f) => f.blocking) ?? false)
  return {migrations: state.folder.migrations.length, findings, blocking, ...(lint ? {lint} : {})}
}

/**
 * A history that holds a squash's originals (sbx squash): judged as the push's repair stage would leave it, with a
 * note; one holding only part of them is a blocking finding. `state.history` becomes the repaired one.
 */
async function squashFindings(
  workspace: {workdir: string; migrationsDir: string},
  state: {folder: MigrationFolder; history?: History},
): Promise<Finding[]> {
  const {plan, history} = await planHistoryRepair(
    workspace.workdir,
    workspace.migrationsDir,
    state.folder,
    state.history as History,
  )
  if (plan.kind === 'partial') {
    const {squash, applied} = plan
    return [
      {
        kind: 'partly-squashed',
        blocking: true,
        file: squash.target,
        applied: applied.length,
        total: squash.versions.length,
      },
    ]
  }
  if (plan.kind === 'none') return []
  state.history = history
  return plan.rows.map((row) => ({
    kind: 'squashed-history',
    blocking: false,
    file: row.file,
    versions: row.replaces.length,
  }))
}

async function lintUnappliedFiles(
  workspace: {workdir: string; migrationsDir: string},
  state: {
    folder: {migrations: ReadonlyArray<{file: string; version: string}>}
    history?: {applied: ReadonlyMap<string, unknown>}
  },
): Promise<LintReport> {
  const settings = (await loadConfig(workspace.workdir)).lint ?? DEFAULT_LINT_SETTINGS
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
