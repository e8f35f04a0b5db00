/** The migrations folder as supabase reads it, and, given a database target, which versions it has applied. */
import {assertDatabaseUrl} from '../core/database-url.js'
import type {SkippedEntry} from '../core/migrations/migration-file.js'
import {type DatabaseTargetChoice, openDatabaseTarget} from '../shell/deploy/push-target.js'
import {withLock} from '../shell/project/lock.js'
import {readMigrationFolder} from '../shell/project/migrations-dir.js'
import {openProject} from './steps/open-project.js'

export interface ListMigrationsOptions {
  workdir?: string
  /** Without a target only the folder is listed. */
  target?: DatabaseTargetChoice
  lockTimeoutSeconds: number
}

export interface ListedMigration {
  file: string
  version: string
  name: string
  /** Present when a target was read. */
  applied?: boolean
}

export interface ListMigrationsReport {
  /** How the target is named (never with a password); absent without a target. */
  target?: string
  /** In supabase's order. */
  migrations: ListedMigration[]
  /** Versions the target applied that have no local file (sbx sync adopts or fetches them). */
  remoteOnly: string[]
  skipped: SkippedEntry[]
}

export async function listMigrations(options: ListMigrationsOptions): Promise<ListMigrationsReport> {
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx mcp list_migrations',
  })
  const folder = await readMigrationFolder(workspace.migrationsDir)
  const {target} = options
  if (target?.kind === 'url') assertDatabaseUrl(target.url, target.env ?? '--db-url')
  if (!target) return {migrations: folder.migrations.map((m) => ({...m})), remoteOnly: [], skipped: folder.skipped}
  // The embedded database admits one process at a time; the repository lock is what serializes them.
  const lock = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: 'sbx list'}
  return withLock(lock, async () => {
    const opened = await openDatabaseTarget(target, workspace)
    try {
      const applied = new Set((await opened.readHistory()).map((a) => a.version))
      const local = new Set(folder.migrations.map((m) => m.version))
      return {
        target: opened.label,
        migrations: folder.migrations.map((m) => ({...m, applied: applied.has(m.version)})),
        remoteOnly: [...applied].filter((version) => !local.has(version)).sort(),
        skipped: folder.skipped,
      }
    } finally {
      await opened.close()
    }
  })
}
