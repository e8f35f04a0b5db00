/**
 * The first step of every command that reads the migrations folder: the workspace, with a squash that a killed
 * `sbx squash` left journaled finished first (under the repository lock), so that no command ever judges,
 * replays or renames a folder holding a squash beside its originals.
 */
import {withLock} from '../../shell/project/lock.js'
import {openWorkspace, type Workspace} from '../../shell/project/workspace.js'
import {hasJournal} from '../../shell/squash/squash-journal.js'

export interface OpenProjectOptions {
  workdir?: string
  lockTimeoutSeconds?: number
  command: string
}

export async function openProject(options: OpenProjectOptions): Promise<Workspace> {
  const workspace = await openWorkspace({workdir: options.workdir})
  if (await hasJournal(workspace.tempDir)) {
    const {finishInterruptedSquash} = await import('./squash-finish.js')
    const lock = {
      lockHome: workspace.lockHome,
      timeoutSeconds: options.lockTimeoutSeconds ?? 30,
      command: options.command,
    }
    await withLock(lock, () => finishInterruptedSquash(workspace))
  }
  return workspace
}
