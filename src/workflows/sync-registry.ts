/**
 * INTEGRATION POINT (issue 9, the team registry): "with a registry configured, adopted and fetched versions
 * are recorded there as applied". `sbx sync` calls this once, under the repository lock, after its files are
 * written, with every version it adopted or fetched. The registry is being built on another branch; when it
 * merges, this function should look up the configured registry and mark each version applied (no registry
 * configured: nothing to do, as now).
 */
import type {Workspace} from '../shell/workspace.js'

export interface SyncedVersion {
  version: string
  file: string
  reason: 'adopt-applied-version' | 'fetched-from-database'
}

export async function recordSyncedInRegistry(
  _workspace: Workspace,
  _versions: readonly SyncedVersion[],
): Promise<void> {
  // Deliberately empty until the registry (issue 9) lands: see the comment above.
}
