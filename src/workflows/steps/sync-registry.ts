/**
 * The registry's part of `sbx sync`: versions sync adopted or fetched are the database's already, so they are
 * recorded as `applied` in the team registry (issue 9), where one is configured. A registry that cannot be
 * reached never undoes the sync: the caller reports the returned warning.
 */
import {parseMigrationFile} from '../../core/migrations/migration-file.js'
import type {Workspace} from '../../shell/project/workspace.js'
import {markPushedApplied} from './registry-push.js'

export interface SyncedVersion {
  version: string
  file: string
  reason: 'adopt-applied-version' | 'fetched-from-database'
}

export async function recordSyncedInRegistry(
  workspace: Workspace,
  versions: readonly SyncedVersion[],
): Promise<string | undefined> {
  const migrations = versions.flatMap((synced) => {
    const parsed = parseMigrationFile(synced.file)
    return parsed ? [parsed] : []
  })
  return markPushedApplied(workspace, migrations)
}
