/**
 * `sbx watch`: keeps supabase/migrations collision-free while people and agents add files to it.
 *
 * At start one pass resolves what is already there, as `sbx fix` would. Then every file that appears
 * (once completely written) starts another pass: take the repository lock, read the folder (and the
 * database's history), plan with the same planner as fix, carry out the renames, release the lock. Events
 * that arrive while a pass runs only mark that another pass is due, so a burst of hundreds of files is
 * handled in a few passes. The lock is held only during a pass, never while idle.
 */
import path from 'node:path'
import {assertDatabaseUrl} from '../core/database-url.js'
import {SbxError, UsageError} from '../core/errors.js'
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
import {Arrivals, type WatchEvent} from '../core/watch.js'
import {withLock} from '../shell/lock.js'
import {readMigrationFolder, readText} from '../shell/migrations-dir.js'
import {displayPath} from '../shell/project.js'
import {arrivalTime, type FolderChanges, watchFolder} from '../shell/watcher.js'
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
}

const COMMAND = 'sbx watch'
/** After a failed pass (lock timeout, database down), retry after this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 1_000
const RETRY_MAX_MS = 30_000

/** Resolves once `signal` is aborted and the watcher has stopped; rejects only if it cannot start. */
export async function watch(options: WatchOptions): Promise<void> {
  const {signal, onEvent: emit} = options
  const workspace = await openWorkspace({workdir: options.workdir})
  // Connect and read once before watching: a wrong URL fails at start (exit 5), not in every pass.
  if (options.dbUrl) assertDatabaseUrl(options.dbUrl)
  const database = options.dbUrl ? await openHistoryReader(options.dbUrl) : undefined
  const arrivals = new Arrivals()
  const stopped = signal?.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), {once: true}))

  let stopping = false
  let running: Promise<void> | undefined
  let again = false
  let startDone = false
  let readyEmitted = false
  let migrationCount = 0
  let passes = 0
  let renames = 0
  let retryTimer: NodeJS.Timeout | undefined
  let retryDelay = RETRY_FIRST_MS

  const pass = async (): Promise<void> => {
    passes++
    migrationCount = await withLock(
      {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: COMMAND, signal},
      async () => {
        const history = database ? databaseHistory(await database.read(), database.origin) : undefined
        const listedAt = arrivalTime()
        let folder = await readMigrationFolder(workspace.migrationsDir)
        if (!startDone) {
          await completeInterruptedRenames(
            workspace,
            folder.migrations.map((m) => m.file),
            COMMAND,
          )
          folder = await readMigrationFolder(workspace.migrationsDir)
        }
        arrivals.forgetVanished(new Set([...folder.migrations, ...folder.skipped].map((m) => m.file)), listedAt)
        const migrations = await withProvenance(workspace, folder, arrivals.firstSeen({startFilesFirst: startDone}))
        const localStatements = await contestedStatements(workspace, migrations, history)
        const plan = planRenames({migrations, history, localStatements})
        await applyRenames(workspace, arrivals.movableNow(plan), COMMAND, (rename) => {
          arrivals.renamed(rename.from, rename.to)
          renames++
          emit({event: 'renamed', ...rename})
        })
        // Registry (if configured): reserve newcomers written since sbx started, move what another clone holds.
        await repairWithRegistry(workspace, COMMAND, {
          newerThan: performance.timeOrigin,
          onRenamed: (rename) => {
            arrivals.renamed(rename.from, rename.to)
            renames++
            emit({event: 'renamed', ...rename})
          },
        })
        return folder.migrations.length
      },
    )
    startDone = true
  }

  const emitReady = () => {
    if (readyEmitted) return
    readyEmitted = true
    emit({event: 'ready', path: displayPath(workspace, workspace.migrationsDir), migrations: migrationCount})
  }

  const safePass = async (): Promise<void> => {
    try {
      await pass()
      retryDelay = RETRY_FIRST_MS
    } catch (error) {
      if (signal?.aborted) return
      emit(errorEvent(error))
      // A usage error (no free version left) repeats until someone changes the folder; the rest may pass.
      if (!(error instanceof UsageError)) scheduleRetry()
    }
    // Ready once the initial pass is over, whether or not it succeeded (a failed one is retried).
    if (!signal?.aborted) emitReady()
  }

  const kick = (): Promise<void> => {
    if (stopping) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        await safePass()
      } while (again && !stopping)
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

  const onChanges = ({added, removed}: FolderChanges) => {
    for (const name of removed) arrivals.removed(name)
    const at = arrivalTime()
    // Only newcomers start a pass; the watcher's echo of sbx's own renames does not.
    let newcomers = false
    for (const name of added) if (arrivals.completed(name, at)) newcomers = true
    if (newcomers) void kick()
  }

  const watcher = await watchFolder(workspace.migrationsDir, {
    onNotice: (name, at) => arrivals.noticed(name, at),
    onChanges,
    onError: (error) => emit(errorEvent(error)),
  }).catch(async (error: unknown) => {
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
