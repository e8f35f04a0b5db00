/**
 * `sbx sync`: adopt the versions a database assigned to migrations applied outside the repository.
 * Under the repository lock: read the target's history and every local file → plan (src/core/sync/sync-plan.ts)
 * → rename adopted files, write fetched ones (no-clobber), then the rename planner's out-of-order moves,
 * each with an audit line. A dry run reads and plans only.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import {Readable} from 'node:stream'
import {assertDatabaseUrl} from '../core/database-url.js'
import {SbxError} from '../core/errors.js'
import type {AuditEntry} from '../core/migrations/audit.js'
import {type Finding, findIssues} from '../core/migrations/findings.js'
import {type MigrationFolder, parseMigrationFile} from '../core/migrations/migration-file.js'
import type {Rename} from '../core/migrations/rename-plan.js'
import {migrationStatements} from '../core/sql/sql-statements.js'
import {type FetchedFile, planSync, type SyncConflict} from '../core/sync/sync-plan.js'
import {type DatabaseTargetChoice, openDatabaseTarget} from '../shell/deploy/push-target.js'
import {appendAudit} from '../shell/project/audit-log.js'
import {withLock} from '../shell/project/lock.js'
import {publishNoClobber, readMigrationFolder, stageContent} from '../shell/project/migrations-dir.js'
import {currentActor} from '../shell/project/processes.js'
import type {Workspace} from '../shell/project/workspace.js'
import {type AppliedRename, applyRenames, completeInterruptedRenames} from './steps/apply-renames.js'
import {openProject} from './steps/open-project.js'
import {databaseHistory, targetOrigin, withProvenance} from './steps/project-state.js'
import {recordSyncedInRegistry} from './steps/sync-registry.js'

export interface SyncOptions {
  workdir?: string
  target: DatabaseTargetChoice
  dryRun: boolean
  lockTimeoutSeconds: number
}

export interface SyncReport {
  /** How the target is named; never holds a password. */
  target: string
  dryRun: boolean
  /** Local files renamed to the version the database recorded for their SQL. */
  adopted: Array<Rename | AppliedRename>
  /** Files written from the recorded statements. */
  fetched: Array<{file: string; version: string; sha256?: string}>
  /** Then: unapplied files moved after the newest applied version, duplicate versions split. */
  renames: Array<Rename | AppliedRename>
  /** What sync refused to decide (ambiguous matches, histories without statements): exit 3. */
  conflicts: SyncConflict[]
  /** Blocking findings left afterwards (not computed on a dry run). */
  remaining: Finding[]
  blocking: boolean
  /** The team registry could not be told about the adopted and fetched versions (the sync itself stands). */
  registryWarning?: string
}

const COMMAND = 'sbx sync'

export async function sync(options: SyncOptions): Promise<SyncReport> {
  // The check push and check make: a malformed or non-Postgres URL is a usage error (exit 2) before anything runs.
  if (options.target.kind === 'url') assertDatabaseUrl(options.target.url, options.target.env ?? '--db-url')
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx sync',
  })
  const lock = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: COMMAND}
  // Even a dry run takes the lock: the embedded database admits one process at a time.
  return withLock(lock, async () => {
    const target = await openDatabaseTarget(options.target, workspace)
    try {
      const history = databaseHistory(await target.readHistory(), targetOrigin(options.target))
      if (!options.dryRun) await completeInterruptedRenames(workspace, await folderFiles(workspace), COMMAND)
      const folder = await readMigrationFolder(workspace.migrationsDir)
      const plan = planSync({
        migrations: await withProvenance(workspace, folder),
        history,
        localStatements: await readStatements(workspace, folder),
      })
      const report = {target: target.label, conflicts: plan.conflicts, blocking: plan.conflicts.length > 0}
      if (options.dryRun) {
        return {
          ...report,
          dryRun: true,
          adopted: plan.adopt,
          fetched: plan.fetch.map(summary),
          renames: plan.renames,
          remaining: [],
        }
      }
      const adopted = await applyRenames(workspace, plan.adopt, COMMAND)
      const fetched = await writeFetched(workspace, plan.fetch)
      const renames = await applyRenames(workspace, plan.renames, COMMAND)
      const registryWarning = await recordSyncedInRegistry(workspace, [
        ...adopted.map((r) => ({
          version: parseMigrationFile(r.to)?.version ?? '',
          file: r.to,
          reason: 'adopt-applied-version' as const,
        })),
        ...fetched.map((f) => ({version: f.version, file: f.file, reason: 'fetched-from-database' as const})),
      ])
      const after = await readMigrationFolder(workspace.migrationsDir)
      const remaining = findIssues({
        folder: after,
        history,
        localStatements: await readStatements(workspace, after),
      }).filter((finding) => finding.blocking)
      return {
        ...report,
        dryRun: false,
        adopted,
        fetched,
        renames,
        remaining,
        blocking: report.blocking || remaining.length > 0,
        ...(registryWarning ? {registryWarning} : {}),
      }
    } finally {
      await target.close()
    }
  })
}

/** Writes each fetched file staged then linked in, so it appears complete or not at all and replaces nothing. */
async function writeFetched(
  workspace: Workspace,
  files: readonly FetchedFile[],
): Promise<Array<{file: string; version: string; sha256: string}>> {
  const by = currentActor(COMMAND)
  const written: Array<{file: string; version: string; sha256: string}> = []
  for (const fetched of files) {
    const bytes = Buffer.from(fetched.content)
    const tmp = await stageContent(workspace.tempDir, Readable.from([bytes]))
    try {
      if (!(await publishNoClobber(tmp, workspace.migrationsDir, fetched.file))) {
        throw new SbxError(
          `${fetched.file} appeared while sbx sync was writing it from the database; nothing was overwritten. Run sbx sync again.`,
          {code: 'ERACE', exitCode: 1},
        )
      }
    } finally {
      await fs.unlink(tmp).catch(() => undefined)
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    await appendAudit(workspace.workdir, [fetchedAuditEntry(fetched.file, sha256, by)])
    written.push({file: fetched.file, version: fetched.version, sha256})
  }
  return written
}

function fetchedAuditEntry(file: string, sha256: string, by: AuditEntry['by']): AuditEntry {
  // `from` names where the content came from: the history table, never a URL.
  return {
    at: new Date().toISOString(),
    from: 'supabase_migrations.schema_migrations',
    to: file,
    reason: 'fetched-from-database',
    sha256,
    by,
  }
}

function summary(fetched: FetchedFile): {file: string; version: string} {
  return {file: fetched.file, version: fetched.version}
}

async function folderFiles(workspace: Workspace): Promise<string[]> {
  return (await readMigrationFolder(workspace.migrationsDir)).migrations.map((m) => m.file)
}

async function readStatements(workspace: Workspace, folder: MigrationFolder): Promise<Map<string, string[]>> {
  const entries = await Promise.all(
    folder.migrations.map(async (m) => {
      const text = await fs.readFile(path.join(workspace.migrationsDir, m.file), 'utf8')
      return [m.file, migrationStatements(text).statements] as const
    }),
  )
  return new Map(entries)
}
