/**
 * `sbx watch`: keeps supabase/migrations collision-free while people and agents add files to it.
 *
 * At start one pass resolves what is already there, as `sbx fix` would. Then every file that appears
 * (once settled: no event for 100 ms) starts another pass: take the repository lock, read the folder (and
 * the database's history), plan with the same planner as fix, carry out the renames, release the lock.
 * Events that arrive while a pass runs only mark that another pass is due, so a burst of hundreds of
 * files is handled in a few passes. The lock is held only during a pass, never while idle.
 *
 * A rename is prompt, so a writer that pauses, or that was told the old name, may go on writing to the old
 * name: a pass first merges such follow-ups into the renamed migration (core/watch/follow-up.ts). When the folder
 * disappears, watch reports it, waits for it to come back, and then resolves it as at start.
 */
import {assertDatabaseUrl} from '../core/database-url.js'
import type {WatchEvent} from '../core/watch/watch.js'
import {displayPath} from '../shell/project/project.js'
import {watchFolder} from '../shell/watch/watcher.js'
import {openProject} from './steps/open-project.js'
import {openHistoryReader, WatchSession} from './steps/watch-session.js'

export type {WatchEvent} from '../core/watch/watch.js'

export interface WatchOptions {
  workdir?: string
  /** Applied versions come from this database, read at start and before each pass. */
  dbUrl?: string
  lockTimeoutSeconds: number
  /** Aborting finishes the pass in flight, releases the lock, stops watching and resolves. */
  signal?: AbortSignal
  onEvent: (event: WatchEvent) => void
  /** A long-running process: keep the heap small (a full collection after every pass). */
  lowMemory?: boolean
}

/** Resolves once `signal` is aborted and the watcher has stopped; rejects only if it cannot start. */
export async function watch(options: WatchOptions): Promise<void> {
  const {signal, onEvent: emit} = options
  const workspace = await openProject({
    workdir: options.workdir,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    command: 'sbx watch',
  })
  // Connect and read once before watching: a wrong URL fails at start (exit 5), not in every pass.
  if (options.dbUrl) assertDatabaseUrl(options.dbUrl)
  const database = options.dbUrl ? await openHistoryReader(options.dbUrl) : undefined
  const stopped = signal?.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), {once: true}))
  const session = new WatchSession({
    workspace,
    folderName: displayPath(workspace, workspace.migrationsDir),
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    signal,
    emit,
    database,
    lowMemory: options.lowMemory,
  })
  // A writer may keep a re-created old name open across a pause: the session gives it longer before merging.
  const watcher = await watchFolder(workspace.migrationsDir, session.handlers(), {
    quietMs: (name, size) => session.quietMs(name, size),
  }).catch(async (error: unknown) => {
    await database?.close()
    throw error
  })
  try {
    await session.start(watcher.initial)
    await stopped
  } finally {
    await session.stop()
    await watcher.close()
    await database?.close()
    emit(session.stoppedEvent())
  }
}
