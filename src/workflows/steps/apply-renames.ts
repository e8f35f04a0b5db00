/**
 * The write step for every rename sbx makes (fix, rebase, watch). Called under the repository lock.
 * Tracked files move with `git mv`, so the rename is staged; others are linked to the new name and then
 * unlinked, which can never replace a file. Each rename is appended to the audit file as it happens.
 */
import path from 'node:path'
import {SbxError} from '../../core/errors.js'
import type {AuditEntry} from '../../core/migrations/audit.js'
import type {Rename} from '../../core/migrations/rename-plan.js'
import {appendAudit} from '../../shell/project/audit-log.js'
import {gitMove, trackedFiles} from '../../shell/project/git.js'
import {renameNoClobber, repairTornRenames, sha256File} from '../../shell/project/migrations-dir.js'
import {currentActor} from '../../shell/project/processes.js'
import {gitMigrationsDir, type Workspace} from '../../shell/project/workspace.js'
import {type NotifyEvent, notify, projectName} from './notify.js'

export interface AppliedRename extends Rename {
  sha256: string
}

export async function applyRenames(
  workspace: Workspace,
  renames: readonly Rename[],
  command: string,
  onRenamed?: (rename: AppliedRename) => void,
): Promise<AppliedRename[]> {
  if (renames.length === 0) return []
  const relDir = gitMigrationsDir(workspace)
  const tracked = workspace.git ? await trackedFiles(workspace.git.toplevel, relDir) : new Set<string>()
  const by = currentActor(command)
  const done: AppliedRename[] = []
  for (const rename of renames) {
    const sha256 = await sha256File(path.join(workspace.migrationsDir, rename.from)).catch(() => undefined)
    // A file that vanished since it was read (deleted, renamed by hand) is no longer ours to move.
    if (sha256 === undefined) continue
    if (workspace.git && tracked.has(`${relDir}/${rename.from}`)) {
      await gitMove(workspace.git.toplevel, `${relDir}/${rename.from}`, `${relDir}/${rename.to}`)
    } else if (!(await renameNoClobber(workspace.migrationsDir, rename.from, rename.to))) {
      throw new SbxError(
        `${rename.to} appeared while sbx was renaming ${rename.from}; nothing was overwritten. Run the command again.`,
        {code: 'ERACE', exitCode: 1},
      )
    }
    const applied = {...rename, sha256}
    await appendAudit(workspace.workdir, [auditEntry(applied, by)])
    done.push(applied)
    onRenamed?.(applied)
  }
  // Alerts ([notify]) after the renames are done and recorded: a failing or silent one cannot undo them.
  await notify(
    workspace.workdir,
    done.map((rename) => renameEvent(rename, command, projectName(workspace.workdir))),
  )
  return done
}

function renameEvent(rename: AppliedRename, command: string, project: string): NotifyEvent {
  const by = command.replace(/^sbx /u, '')
  const kept = rename.kept ? {kept: rename.kept} : {}
  if (rename.reason === 'registry-conflict') {
    return {event: 'registry-conflict', command: by, from: rename.from, to: rename.to, ...kept, project}
  }
  return {event: 'rename', command: by, from: rename.from, to: rename.to, reason: rename.reason, ...kept, project}
}

/** Finishes renames a crash interrupted, and records them. */
export async function completeInterruptedRenames(
  workspace: Workspace,
  files: readonly string[],
  command: string,
): Promise<void> {
  const repaired = await repairTornRenames(workspace.migrationsDir, files)
  if (repaired.length === 0) return
  const by = currentActor(command)
  const entries = await Promise.all(
    repaired.map(async ({from, to}) => ({
      at: new Date().toISOString(),
      from,
      to,
      reason: 'interrupted-rename-completed' as const,
      sha256: await sha256File(path.join(workspace.migrationsDir, to)),
      by,
    })),
  )
  await appendAudit(workspace.workdir, entries)
}

function auditEntry(rename: AppliedRename, by: AuditEntry['by']): AuditEntry {
  return {
    at: new Date().toISOString(),
    from: rename.from,
    to: rename.to,
    reason: rename.reason,
    ...(rename.kept ? {kept: rename.kept} : {}),
    sha256: rename.sha256,
    by,
  }
}
