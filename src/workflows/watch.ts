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
 * name: a pass first merges such follow-ups into the renamed migration (core/follow-up.ts). When the folder
 * disappears, watch reports it, waits for it to come back, and then resolves it as at start.
 */
import path from 'node:path'
import {assertDatabaseUrl} from '../core/database-url.js'
import {SbxError, UsageError} from '../core/errors.js'
import {Forwarding, mergeFollowUp} from '../core/follow-up.js'
import {
  type AppliedMigration,
  databaseOrigin,
  type History,
  type HistoryOrigin,
  type LocalMigration,
} from '../core/history.js'
import {groupByVersion} from '../core/migration-file.js'
import {planRenames} from '../core/rename-plan.js'
import {migrationStatements} from '../core/sql-statements.js'
import {Arrivals, folderGoneEvent, type WatchEvent} from '../core/watch.js'
import {appendAudit} from '../shell/audit-log.js'
import {keepHeapSmall} from '../shell/heap.js'
import {withLock} from '../shell/lock.js'
import {
  readMigrationFolder,
  readSnapshot,
  readText,
  removeIfUnchanged,
  replaceContent,
  sha256File,
} from '../shell/migrations-dir.js'
import {currentActor} from '../shell/processes.js'
import {displayPath} from '../shell/project.js'
import {pinnedFiles} from '../shell/push-snapshot.js'
import {arrivalTime, defaultQuietMs, type FolderChanges, watchFolder} from '../shell/watcher.js'
import {openWorkspace, type Workspace} from '../shell/workspace.js'
import {applyRenames, completeInterruptedRenames} from './apply-renames.js'
import {databaseHistory, withProvenance} from './project-state.js'
import {repairWithRegistry} from './registry-check.js'

export type {WatchEvent} from '../core/watch.js'

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

const COMMAND = 'sbx watch'
/** After a failed pass (lock timeout, database down), retry after this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 1_000
const RETRY_MAX_MS = 30_000
/**
 * Quiet period before a fresh file at a forwarded old name is merged. Longer than QUIET_MS (no rename has
 * to be prompt here): a writer that re-created the old name and keeps it open gets more room to pause.
 */
const FOLLOW_UP_QUIET_MS = 500

/** Resolves once `signal` is aborted and the watcher has stopped; rejects only if it cannot start. */
export async function watch(options: WatchOptions): Promise<void> {
  const {signal, onEvent: emit} = options
  const workspace = await openWorkspace({workdir: options.workdir})
  const folderName = displayPath(workspace, workspace.migrationsDir)
  // Connect and read once before watching: a wrong URL fails at start (exit 5), not in every pass.
  if (options.dbUrl) assertDatabaseUrl(options.dbUrl)
  const database = options.dbUrl ? await openHistoryReader(options.dbUrl) : undefined
  let arrivals = new Arrivals()
  const forwarding = new Forwarding()
  /** Old names with a fresh file to merge into their migration in the next pass; true: moved in whole. */
  const followUps = new Map<string, boolean>()
  /** Migrations watch renamed that may have been written since (through a handle opened before the rename). */
  const writtenInPlace = new Set<string>()
  const stopped = signal?.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), {once: true}))

  let stopping = false
  let folderGone = false
  let running: Promise<void> | undefined
  let again = false
  let startDone = false
  let readyEmitted = false
  let migrationCount = 0
  let passes = 0
  let renames = 0
  let retryTimer: NodeJS.Timeout | undefined
  let retryDelay = RETRY_FIRST_MS
  const by = currentActor(COMMAND)
  const dir = workspace.migrationsDir
  const collectGarbage = options.lowMemory ? keepHeapSmall() : undefined

  const audit = async (update: Extract<WatchEvent, {event: 'updated'}>) => {
    const {event: _, ...entry} = update
    await appendAudit(workspace.workdir, [{at: new Date().toISOString(), ...entry, by}])
    emit(update)
  }

  /** Each fresh file at a forwarded old name goes into its migration (see core/follow-up.ts), then is removed. */
  const mergeFollowUps = async () => {
    for (const [oldName, movedIn] of [...followUps]) {
      followUps.delete(oldName)
      const forward = forwarding.get(oldName)
      if (!forward) continue
      const incoming = await readSnapshot(path.join(dir, oldName))
      if (!incoming) continue
      const current = await readSnapshot(path.join(dir, forward.current))
      if (!current) {
        // Its migration is gone (deleted by someone): the old name holds a migration of its own again.
        forwarding.forget(oldName)
        arrivals.completed(oldName, arrivalTime())
        continue
      }
      const merged = forward.merged?.ino === incoming.ino ? forward.merged : undefined
      const result = mergeFollowUp(current.bytes, incoming.bytes, {movedIn, merged})
      arrivals.replaced(forward.current)
      // If this fails, the old-name file stays as it is, the error is reported and the pass retried.
      followUps.set(oldName, movedIn)
      const {sha256} = await replaceContent(workspace.tempDir, path.join(dir, forward.current), result.content)
      followUps.delete(oldName)
      // Written to again since it was read: keep it, and take only what follows next time (same inode).
      if (await removeIfUnchanged(path.join(dir, oldName), incoming)) forwarding.consumed(oldName)
      else forwarding.partlyMerged(oldName, {ino: incoming.ino, bytes: incoming.size, reason: result.reason})
      forwarding.recorded(forward.current, sha256)
      await audit({event: 'updated', from: oldName, to: forward.current, reason: result.reason, sha256})
    }
  }

  /** A renamed migration whose content changed without a new file at its old name: the audit gets its sha256. */
  const recordWritesInPlace = async () => {
    for (const current of [...writtenInPlace]) {
      writtenInPlace.delete(current)
      const from = forwarding.oldNamesOf(current).at(-1)
      const forward = from === undefined ? undefined : forwarding.get(from)
      if (from === undefined || !forward) continue
      const sha256 = await sha256File(path.join(dir, current)).catch(() => undefined)
      if (sha256 === undefined || sha256 === forward.sha256) continue
      forwarding.recorded(current, sha256)
      await audit({event: 'updated', from, to: current, reason: 'written-after-rename', sha256})
    }
  }

  /** Plans with the same planner as fix and renames the complete files that must move. */
  const resolveCollisions = async (): Promise<number> => {
    const history = database ? databaseHistory(await database.read(), database.origin) : undefined
    const listedAt = arrivalTime()
    const folder = await readMigrationFolder(dir)
    if (arrivals.incomplete().length > 0) {
      arrivals.forgetVanished(new Set([...folder.migrations, ...folder.skipped].map((m) => m.file)), listedAt)
    }
    const migrations = await withProvenance(workspace, folder, arrivals.firstSeen({startFilesFirst: startDone}))
    const localStatements = await contestedStatements(workspace, migrations, history)
    // Files a running sbx push is deploying keep their names.
    const plan = planRenames({migrations, history, localStatements, pinned: await pinnedFiles(workspace.lockHome)})
    // An old name waiting for its merge is not a migration to move.
    const movable = arrivals.movableNow(plan).filter((rename) => !forwarding.get(rename.from))
    await applyRenames(workspace, movable, COMMAND, (rename) => {
      arrivals.renamed(rename.from, rename.to)
      forwarding.renamed(rename.from, rename.to, rename.sha256)
      renames++
      emit({event: 'renamed', ...rename})
    })
    // Registry (if configured): reserve newcomers written since sbx started, move what another clone holds.
    await repairWithRegistry(workspace, COMMAND, {
      newerThan: performance.timeOrigin,
      onRenamed: (rename) => {
        arrivals.renamed(rename.from, rename.to)
        forwarding.renamed(rename.from, rename.to, rename.sha256)
        renames++
        emit({event: 'renamed', ...rename})
      },
    })
    return folder.migrations.length
  }

  /** One pass, under the repository lock: finish what a crash left, merge follow-ups, then rename. */
  const pass = async (): Promise<void> => {
    passes++
    const lock = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: COMMAND, signal}
    migrationCount = await withLock(lock, async () => {
      if (!startDone) {
        const folder = await readMigrationFolder(dir)
        await completeInterruptedRenames(
          workspace,
          folder.migrations.map((m) => m.file),
          COMMAND,
        )
      }
      await mergeFollowUps()
      await recordWritesInPlace()
      return resolveCollisions()
    })
    startDone = true
  }

  const emitReady = () => {
    if (readyEmitted) return
    readyEmitted = true
    emit({event: 'ready', path: folderName, migrations: migrationCount})
  }

  const safePass = async (): Promise<void> => {
    try {
      await pass()
      retryDelay = RETRY_FIRST_MS
    } catch (error) {
      if (signal?.aborted) return
      // A pass cut short by the folder vanishing is reported once, as the folder's disappearance.
      if (folderGone) return
      emit(errorEvent(error))
      // A usage error (no free version left) repeats until someone changes the folder; the rest may pass.
      if (!(error instanceof UsageError)) scheduleRetry()
    }
    // What a pass over a large folder leaves is garbage now: collect before the next pass adds its own.
    collectGarbage?.()
    // Ready once the initial pass is over, whether or not it succeeded (a failed one is retried).
    if (!signal?.aborted && !folderGone) emitReady()
  }

  const kick = (): Promise<void> => {
    if (stopping || folderGone) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        await safePass()
      } while (again && !stopping && !folderGone)
    })().finally(() => {
      running = undefined
    })
    return running
  }

  const scheduleRetry = () => {
    if (retryTimer || stopping) return
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      void kick()
    }, retryDelay)
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS)
  }

  const onChanges = ({settled, removed, writtenGone}: FolderChanges) => {
    let due = false
    for (const name of removed) arrivals.removed(name)
    // A write through a handle opened before the rename is reported under the old, removed name.
    for (const name of writtenGone) {
      const forward = forwarding.get(name)
      if (!forward) continue
      writtenInPlace.add(forward.current)
      due = true
    }
    const at = arrivalTime()
    for (const {name, appeared, movedIn} of settled) {
      if (forwarding.get(name)) {
        followUps.set(name, appeared && movedIn)
        due = true
        continue
      }
      // Only newcomers start a pass; the watcher's echo of sbx's own renames and merges does not.
      const newcomer = appeared && arrivals.completed(name, at)
      if (newcomer) due = true
      // A renamed migration written in place, or replaced by someone else: the audit gets its new sha256.
      if ((newcomer || !appeared) && forwarding.isCurrent(name)) {
        writtenInPlace.add(name)
        due = true
      }
    }
    if (due) void kick()
  }

  const onGone = () => {
    folderGone = true
    // What was known of the old folder's files says nothing about the folder that may come back.
    arrivals = new Arrivals()
    forwarding.clear()
    followUps.clear()
    writtenInPlace.clear()
    emit(folderGoneEvent(folderName))
  }

  const onBack = (initial: string[]) => {
    folderGone = false
    arrivals.presentAtStart(initial)
    migrationCount = initial.length
    // Resolved as at start (as fix would), then reported ready again.
    startDone = false
    readyEmitted = false
    void kick()
  }

  const watcher = await watchFolder(
    dir,
    {
      onNotice: (name, at) => arrivals.noticed(name, at),
      onChanges,
      onError: (error) => emit(errorEvent(error)),
      onGone,
      onBack,
    },
    // A writer may keep a re-created old name open across a pause: give it longer before merging.
    {quietMs: (name, size) => (forwarding.get(name) ? FOLLOW_UP_QUIET_MS : defaultQuietMs(name, size))},
  ).catch(async (error: unknown) => {
    await database?.close()
    throw error
  })
  arrivals.presentAtStart(watcher.initial)
  migrationCount = watcher.initial.length

  try {
    await kick()
    await stopped
  } finally {
    stopping = true
    if (retryTimer) clearTimeout(retryTimer)
    await running
    await watcher.close()
    await database?.close()
    emit({event: 'stopped', passes, renames})
  }
}

interface HistoryReader {
  origin: HistoryOrigin
  read(): Promise<AppliedMigration[]>
  close(): Promise<void>
}

/** One connection for the whole watch, reopened if it dropped; reading the history is two small queries. */
async function openHistoryReader(url: string): Promise<HistoryReader> {
  const {connect, readHistory} = await import('../shell/database.js')
  let client: Awaited<ReturnType<typeof connect>> | undefined = await connect(url)
  const drop = async () => {
    await client?.end().catch(() => undefined)
    client = undefined
  }
  const read = async () => {
    client ??= await connect(url)
    return readHistory(client, url)
  }
  await read().catch(async (error: unknown) => {
    await drop()
    throw error
  })
  return {
    origin: databaseOrigin(url),
    async read() {
      try {
        return await read()
      } catch {
        // The server may have closed an idle connection: one fresh connection, then give up for this pass.
        await drop()
        return read()
      }
    },
    close: drop,
  }
}

/**
 * Statements of the local files that share a version the database recorded statements for: they tell
 * which file was applied when supabase recorded no name. Only contested files are read, not the folder.
 */
async function contestedStatements(
  workspace: Workspace,
  migrations: readonly LocalMigration[],
  history: History | undefined,
): Promise<Map<string, string[]> | undefined> {
  if (!history) return undefined
  const files = [...groupByVersion(migrations).values()]
    .filter((group) => group.length > 1 && history.applied.get(group[0]?.version as string)?.statements)
    .flat()
  const entries = await Promise.all(
    files.map(async (m) => {
      const text = await readText(path.join(workspace.migrationsDir, m.file)).catch(() => undefined)
      return text === undefined ? [] : [[m.file, migrationStatements(text).statements] as const]
    }),
  )
  return new Map(entries.flat())
}

function errorEvent(error: unknown): WatchEvent {
  if (error instanceof SbxError) return {event: 'error', message: error.message, code: error.code}
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return {event: 'error', message, ...(typeof code === 'string' ? {code} : {})}
}
