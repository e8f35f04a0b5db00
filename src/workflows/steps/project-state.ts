/**
 * The read step shared by check, fix, rebase and watch: the migrations folder, what is applied (database
 * or base branch) and, only when a plan needs them, the facts that decide who keeps a contested version.
 */

import fs from 'node:fs/promises'
import path from 'node:path'
import {assertDatabaseUrl} from '../../core/database-url.js'
import {UsageError} from '../../core/errors.js'
import {withIntendedSkips} from '../../core/migrations/check-config.js'
import {
  type AppliedMigration,
  databaseOrigin,
  type History,
  type HistoryOrigin,
  type LocalMigration,
} from '../../core/migrations/history.js'
import {groupByVersion, type MigrationFolder, parseMigrationFile} from '../../core/migrations/migration-file.js'
import {migrationStatements} from '../../core/sql/sql-statements.js'
import type {TargetChoice} from '../../shell/deploy/push-target.js'
import {loadConfig} from '../../shell/project/config-file.js'
import {filesAtCommit, firstCommitTimes, mergeBase, resolveRef} from '../../shell/project/git.js'
import {readMigrationFolder} from '../../shell/project/migrations-dir.js'
import {gitMigrationsDir, type Workspace} from '../../shell/project/workspace.js'

export interface HistorySource {
  /** Read applied versions from this database. */
  dbUrl?: string
  /** Or compare with the migrations on this git ref. */
  against?: string
}

export interface ProjectState {
  folder: MigrationFolder
  history?: History
  localStatements?: Map<string, string[]>
}

export async function readProjectState(workspace: Workspace, source: HistorySource): Promise<ProjectState> {
  const [read, history] = await Promise.all([
    readMigrationFolder(workspace.migrationsDir),
    readHistorySource(workspace, source),
  ])
  const folder = withIntendedSkips(read, (await loadConfig(workspace.workdir)).check?.ignore ?? [])
  const localStatements = history ? await readAppliedStatements(workspace, folder, history) : undefined
  return {folder, history, localStatements}
}

export async function readHistorySource(workspace: Workspace, source: HistorySource): Promise<History | undefined> {
  if (source.dbUrl && source.against) {
    throw new UsageError('Pass either --db-url or --against, not both.', 'EUSAGE')
  }
  if (source.dbUrl) {
    assertDatabaseUrl(source.dbUrl)
    const {readHistoryAt} = await import('../../shell/database/database.js')
    return databaseHistory(await readHistoryAt(source.dbUrl), databaseOrigin(source.dbUrl))
  }
  if (source.against) return branchHistory(workspace, source.against)
  return undefined
}

/** Where a target's history came from, as the user named it: advice repeats the flag or variable, never the URL. */
export function targetOrigin(target: TargetChoice): HistoryOrigin {
  if (target.kind === 'linked') return {kind: 'linked'}
  if (target.kind === 'embedded') return {kind: 'embedded'}
  return databaseOrigin(target.url, target.env ? {env: target.env} : {flag: '--db-url'})
}

export function databaseHistory(applied: readonly AppliedMigration[], origin: HistoryOrigin): History {
  return {origin, applied: new Map(applied.map((a) => [a.version, a]))}
}

/**
 * REF's migrations play the part of "applied"; the files this branch added since the merge base are the
 * only ones that can be out of order. REF's tip is compared, not the merge base: what matters is where
 * the branch will land.
 */
export async function branchHistory(workspace: Workspace, ref: string): Promise<History> {
  if (!workspace.git)
    throw new UsageError(`--against ${ref} needs a git repository, and ${workspace.workdir} is not in one.`)
  const {toplevel} = workspace.git
  const relDir = gitMigrationsDir(workspace)
  const tip = await resolveRef(toplevel, ref)
  const base = await mergeBase(toplevel, 'HEAD', tip)
  const [refFiles, baseFiles, folder] = await Promise.all([
    filesAtCommit(toplevel, tip, relDir),
    base ? filesAtCommit(toplevel, base, relDir) : Promise.resolve([]),
    readMigrationFolder(workspace.migrationsDir),
  ])
  const applied = refFiles.flatMap((file) => {
    const migration = parseMigrationFile(file)
    return migration ? [{version: migration.version, name: migration.name}] : []
  })
  const known = new Set([...refFiles, ...baseFiles])
  const added = new Set(folder.migrations.map((m) => m.file).filter((file) => !known.has(file)))
  return {origin: {kind: 'branch', ref}, applied: new Map(applied.map((a) => [a.version, a])), added}
}

/** Statements of the local files whose version the database recorded statements for. */
export async function readAppliedStatements(
  workspace: {migrationsDir: string},
  folder: MigrationFolder,
  history: History,
): Promise<Map<string, string[]>> {
  const files = folder.migrations.filter((m) => history.applied.get(m.version)?.statements)
  const entries = await Promise.all(
    files.map(async (m) => {
      const text = await fs.readFile(path.join(workspace.migrationsDir, m.file), 'utf8')
      return [m.file, migrationStatements(text).statements] as const
    }),
  )
  return new Map(entries)
}

/**
 * Adds what decides who keeps a contested version, but only for files that share one: `git log` and
 * `stat` cost time on a folder of thousands. `seen` (from a watcher) overrides birth times.
 */
export async function withProvenance(
  workspace: Workspace,
  folder: MigrationFolder,
  seen?: ReadonlyMap<string, number>,
): Promise<LocalMigration[]> {
  const contested = new Set(
    [...groupByVersion(folder.migrations).values()]
      .filter((group) => group.length > 1)
      .flat()
      .map((m) => m.file),
  )
  if (contested.size === 0) return folder.migrations
  const commitTimes = workspace.git
    ? await firstCommitTimes(workspace.git.toplevel, gitMigrationsDir(workspace))
    : new Map<string, number>()
  const relDir = gitMigrationsDir(workspace)
  return Promise.all(
    folder.migrations.map(async (migration) => {
      if (!contested.has(migration.file)) return migration
      const committedAt = commitTimes.get(`${relDir}/${migration.file}`)
      const firstSeen =
        seen?.get(migration.file) ?? (await birthTime(path.join(workspace.migrationsDir, migration.file)))
      return {
        ...migration,
        ...(committedAt !== undefined ? {committedAt} : {}),
        ...(firstSeen !== undefined ? {firstSeen} : {}),
      }
    }),
  )
}

async function birthTime(file: string): Promise<number | undefined> {
  const stat = await fs.stat(file).catch(() => undefined)
  if (!stat) return undefined
  // Some file systems report no birth time (0); the modification time is the next best witness.
  return stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs
}
