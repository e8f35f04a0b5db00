/**
 * `sbx migration new`: allocate a version no other process, worktree or earlier call has, and publish
 * the file under it in one step. Read (every known version) → decide (pure) → write, all under the lock.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import {migrationFileName} from '../core/migrations/migration-file.js'
import {normalizeMigrationName} from '../core/migrations/migration-name.js'
import {allocateVersion, nextVersionAfter} from '../core/migrations/version.js'
import {hasConfig} from '../shell/project/config-presence.js'
import {listWorktrees} from '../shell/project/git.js'
import {lastHandedOut, recordHandedOut} from '../shell/project/ledger.js'
import {loadLockLibrary, withLock} from '../shell/project/lock.js'
import {publishNoClobber, stageContent, versionsIn} from '../shell/project/migrations-dir.js'
import type {Workspace} from '../shell/project/workspace.js'
import {openProject} from './steps/open-project.js'
import type {NewMigrationRegistry} from './steps/registry-new.js'

/** Where the new file's bytes come from when the caller is a command: stdin, unless a terminal or /dev/null. */
export {stdinContent} from '../shell/project/stdin.js'

export interface NewMigrationOptions {
  name: string
  workdir?: string
  /** Content to copy byte-exact; undefined gives an empty file. */
  content?: NodeJS.ReadableStream
  lockTimeoutSeconds: number
  now?: () => Date
  /** With a registry configured: allocate locally and write the file unreserved (sbx fix reserves it later). */
  offline?: boolean
  env?: Readonly<Record<string, string | undefined>>
}

export interface NewMigrationResult {
  version: string
  name: string
  /** Absolute path of the created file. */
  path: string
  /** Only when a registry is configured (supabase/sbx.toml or SBX_REGISTRY_URL). */
  registry?: NewMigrationRegistry
}

export async function newMigration(options: NewMigrationOptions): Promise<NewMigrationResult> {
  const name = normalizeMigrationName(options.name)
  // Loaded while the project is opened and the content staged; a failure to load shows when the lock is taken.
  loadLockLibrary().catch(() => undefined)
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx migration new',
  })
  // One stat when there is no registry: projects without one load none of its code.
  const env = options.env ?? process.env
  const session = hasConfig(workspace.workdir, env)
    ? await (await import('./steps/registry-session.js')).openRegistrySession(workspace, env)
    : undefined
  const step = session ? await import('./steps/registry-new.js') : undefined
  // Stage the content before taking the lock: a slow stdin must not hold up every other process.
  const [tmp, otherFolders] = await Promise.all([
    stageContent(workspace.tempDir, options.content),
    otherWorktreeFolders(workspace),
  ])
  const reserving = session && step && !options.offline
  const queued = reserving ? await step.queueReservation(session, workspace, name) : undefined
  try {
    return await withLock(
      {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: `sbx migration new ${name}`},
      async () => {
        const {files, known} = await knownVersions(workspace, otherFolders)
        let version = allocateVersion(known, (options.now ?? (() => new Date()))())
        const publish = (candidate: string) =>
          publishNoClobber(tmp, workspace.migrationsDir, migrationFileName(candidate, name))
        let registry: NewMigrationRegistry | undefined
        if (session && step && queued) {
          // The reservation is committed before the file appears: a file in the folder is always reserved.
          ;({version, registry} = await step.reserveAndPublish(
            session,
            workspace,
            name,
            version,
            new Set(files),
            queued,
            publish,
          ))
        } else {
          // Under the lock no sbx process competes; a writer that ignores the lock (a bare
          // `supabase migration new`) may still take the name, so step past it rather than overwrite.
          while (!(await publish(version))) version = nextVersionAfter(version)
          if (session && step) registry = step.rememberUnreserved(session, workspace, version, name)
        }
        recordHandedOut(workspace.lockHome, workspace.projectKey, version)
        const file = path.join(workspace.migrationsDir, migrationFileName(version, name))
        return {version, name, path: file, ...(registry ? {registry} : {})}
      },
    )
  } finally {
    queued?.dequeue()
    await fs.unlink(tmp).catch(() => undefined)
  }
}

export async function otherWorktreeFolders(workspace: Workspace): Promise<string[]> {
  if (!workspace.git) return []
  const worktrees = await listWorktrees(workspace.git)
  const rel = workspace.git.relWorkdir
  return worktrees
    .map((worktree) => path.join(worktree, rel, 'supabase', 'migrations'))
    .filter((dir) => path.resolve(dir) !== path.resolve(workspace.migrationsDir))
}

/** Versions of files in every worktree's folder, and those plus the highest this clone handed out. */
async function knownVersions(
  workspace: Workspace,
  otherFolders: string[],
): Promise<{files: string[]; known: string[]}> {
  const folders = await Promise.all([workspace.migrationsDir, ...otherFolders].map((dir) => versionsIn(dir)))
  const ledger = lastHandedOut(workspace.lockHome, workspace.projectKey)
  const files = folders.flat()
  return {files, known: [...files, ...(ledger ? [ledger] : [])]}
}
