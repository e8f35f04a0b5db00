/**
 * One `sbx watch` run as an object: what it knows of the folder (arrivals, forwarded old names, follow-ups),
 * the passes it makes under the repository lock, and the watcher's callbacks that request them. The passes go
 * through a Coalescer (core/watch/coalescer.ts): one at a time, and events during a pass make one more.
 */
import path from 'node:path'
import {SbxError, UsageError} from '../../core/errors.js'
import {
  type AppliedMigration,
  databaseOrigin,
  type History,
  type HistoryOrigin,
  type LocalMigration,
} from '../../core/migrations/history.js'
import {groupByVersion} from '../../core/migrations/migration-file.js'
import {planRenames} from '../../core/migrations/rename-plan.js'
import {migrationStatements} from '../../core/sql/sql-statements.js'
import {Coalescer} from '../../core/watch/coalescer.js'
import {Forwarding, mergeFollowUp} from '../../core/watch/follow-up.js'
import {Arrivals, folderGoneEvent, type WatchEvent} from '../../core/watch/watch.js'
import {pinnedFiles} from '../../shell/deploy/push-snapshot.js'
import {appendAudit} from '../../shell/project/audit-log.js'
import {withLock} from '../../shell/project/lock.js'
import {
  readMigrationFolder,
  readSnapshot,
  readText,
  removeIfUnchanged,
  replaceContent,
  sha256File,
} from '../../shell/project/migrations-dir.js'
import {currentActor} from '../../shell/project/processes.js'
import type {Workspace} from '../../shell/project/workspace.js'
import {keepHeapSmall} from '../../shell/watch/heap.js'
import {arrivalTime, defaultQuietMs, type FolderChanges, type FolderWatchHandlers} from '../../shell/watch/watcher.js'
import {type AppliedRename, applyRenames, completeInterruptedRenames} from './apply-renames.js'
import {databaseHistory, withProvenance} from './project-state.js'
import {repairWithRegistry} from './registry-check.js'

export const COMMAND = 'sbx watch'
/** After a failed pass (lock timeout, database down), retry after this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 1_000
const RETRY_MAX_MS = 30_000
/**
 * Quiet period before a fresh file at a forwarded old name is merged. Longer than QUIET_MS (no rename has
 * to be prompt here): a writer that re-created the old name and keeps it open gets more room to pause.
 */
const FOLLOW_UP_QUIET_MS = 500

export interface SessionSettings {
  workspace: Workspace
  folderName: string
  lockTimeoutSeconds: number
  signal?: AbortSignal
  emit: (event: WatchEvent) => void
  database?: HistoryReader
  lowMemory?: boolean
}

export class WatchSession {
  private arrivals = new Arrivals()
  private readonly forwarding = new Forwarding()
  /** Old names with a fresh file to merge into their migration in the next pass; true: moved in whole. */
  private readonly followUps = new Map<string, boolean>()
  /** Migrations watch renamed that may have been written since (through a handle opened before the rename). */
  private readonly writtenInPlace = new Set<string>()
  private readonly passes: Coalescer
  private readonly retry: Backoff
  private readonly by = currentActor(COMMAND)
  private readonly collectGarbage: (() => void) | undefined
  private stopping = false
  private folderGone = false
  private startDone = false
  private readyEmitted = false
  private migrationCount = 0
  private passCount = 0
  private renameCount = 0

  constructor(private readonly settings: SessionSettings) {
    this.passes = new Coalescer(
      () => this.safePass(),
      () => !this.stopping && !this.folderGone,
    )
    this.retry = new Backoff(RETRY_FIRST_MS, RETRY_MAX_MS, () => void this.passes.request())
    this.collectGarbage = settings.lowMemory ? keepHeapSmall() : undefined
  }

  private get dir(): string {
    return this.settings.workspace.migrationsDir
  }

  /** The files in the folder when watching began; then the first pass resolves them as fix would. */
  start(initial: readonly string[]): Promise<void> {
    this.arrivals.presentAtStart(initial)
    this.migrationCount = initial.length
    return this.passes.request()
  }

  /** Finishes the pass in flight and reports the totals; no pass starts after it. */
  async stop(): Promise<void> {
    this.stopping = true
    this.retry.cancel()
    await this.passes.close()
  }

  stoppedEvent(): WatchEvent {
    return {event: 'stopped', passes: this.passCount, renames: this.renameCount}
  }

  /** The watcher's callbacks, and how long a settling file gets (longer at a forwarded old name). */
  handlers(): FolderWatchHandlers {
    return {
      onNotice: (name, at) => this.arrivals.noticed(name, at),
      onChanges: (changes) => this.onChanges(changes),
      onError: (error) => this.settings.emit(errorEvent(error)),
      onGone: () => this.onGone(),
      onBack: (initial) => this.onBack(initial),
    }
  }

  quietMs(name: string, size: number): number {
    return this.forwarding.get(name) ? FOLLOW_UP_QUIET_MS : defaultQuietMs(name, size)
  }

  private onChanges({settled, removed, writtenGone}: FolderChanges): void {
    let due = false
    for (const name of removed) this.arrivals.removed(name)
    // A write through a handle opened before the rename is reported under the old, removed name.
    for (const name of writtenGone) {
      const forward = this.forwarding.get(name)
      if (!forward) continue
      this.writtenInPlace.add(forward.current)
      due = true
    }
    const at = arrivalTime()
    for (const {name, appeared, movedIn} of settled) {
      if (this.forwarding.get(name)) {
        this.followUps.set(name, appeared && movedIn)
        due = true
        continue
      }
      // Only newcomers start a pass; the watcher's echo of sbx's own renames and merges does not.
      const newcomer = appeared && this.arrivals.completed(name, at)
      if (newcomer) due = true
      // A renamed migration written in place, or replaced by someone else: the audit gets its new sha256.
      if ((newcomer || !appeared) && this.forwarding.isCurrent(name)) {
        this.writtenInPlace.add(name)
        due = true
      }
    }
    if (due) void this.passes.request()
  }

  private onGone(): void {
    this.folderGone = true
    // What was known of the old folder's files says nothing about the folder that may come back.
    this.arrivals = new Arrivals()
    this.forwarding.clear()
    this.followUps.clear()
    this.writtenInPlace.clear()
    this.settings.emit(folderGoneEvent(this.settings.folderName))
  }

  private onBack(initial: string[]): void {
    this.folderGone = false
    // Resolved as at start (as fix would), then reported ready again.
    this.startDone = false
    this.readyEmitted = false
    void this.start(initial)
  }

  private async safePass(): Promise<void> {
    const {signal, emit} = this.settings
    try {
      await this.pass()
      this.retry.reset()
    } catch (error) {
      if (signal?.aborted) return
      // A pass cut short by the folder vanishing is reported once, as the folder's disappearance.
      if (this.folderGone) return
      emit(errorEvent(error))
      // A usage error (no free version left) repeats until someone changes the folder; the rest may pass.
      if (!(error instanceof UsageError) && !this.stopping) this.retry.schedule()
    }
    // What a pass over a large folder leaves is garbage now: collect before the next pass adds its own.
    this.collectGarbage?.()
    // Ready once the initial pass is over, whether or not it succeeded (a failed one is retried).
    if (!signal?.aborted && !this.folderGone && !this.readyEmitted) {
      this.readyEmitted = true
      emit({event: 'ready', path: this.settings.folderName, migrations: this.migrationCount})
    }
  }

  /** One pass, under the repository lock: finish what a crash left, merge follow-ups, then rename. */
  private async pass(): Promise<void> {
    const {workspace, lockTimeoutSeconds, signal} = this.settings
    this.passCount++
    const lock = {lockHome: workspace.lockHome, timeoutSeconds: lockTimeoutSeconds, command: COMMAND, signal}
    this.migrationCount = await withLock(lock, async () => {
      if (!this.startDone) {
        const folder = await readMigrationFolder(this.dir)
        await completeInterruptedRenames(
          workspace,
          folder.migrations.map((m) => m.file),
          COMMAND,
        )
      }
      await this.mergeFollowUps()
      await this.recordWritesInPlace()
      return this.resolveCollisions()
    })
    this.startDone = true
  }

  private async audit(update: Extract<WatchEvent, {event: 'updated'}>): Promise<void> {
    const {event: _, ...entry} = update
    await appendAudit(this.settings.workspace.workdir, [{at: new Date().toISOString(), ...entry, by: this.by}])
    this.settings.emit(update)
  }

  /** Each fresh file at a forwarded old name goes into its migration (see core/watch/follow-up.ts), then is removed. */
  private async mergeFollowUps(): Promise<void> {
    const {dir, forwarding, followUps} = this
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
        this.arrivals.completed(oldName, arrivalTime())
        continue
      }
      const merged = forward.merged?.ino === incoming.ino ? forward.merged : undefined
      const result = mergeFollowUp(current.bytes, incoming.bytes, {movedIn, merged})
      this.arrivals.replaced(forward.current)
      // If this fails, the old-name file stays as it is, the error is reported and the pass retried.
      followUps.set(oldName, movedIn)
      const {sha256} = await replaceContent(
        this.settings.workspace.tempDir,
        path.join(dir, forward.current),
        result.content,
      )
      followUps.delete(oldName)
      // Written to again since it was read: keep it, and take only what follows next time (same inode).
      if (await removeIfUnchanged(path.join(dir, oldName), incoming)) forwarding.consumed(oldName)
      else forwarding.partlyMerged(oldName, {ino: incoming.ino, bytes: incoming.size, reason: result.reason})
      forwarding.recorded(forward.current, sha256)
      await this.audit({event: 'updated', from: oldName, to: forward.current, reason: result.reason, sha256})
    }
  }

  /** A renamed migration whose content changed without a new file at its old name: the audit gets its sha256. */
  private async recordWritesInPlace(): Promise<void> {
    for (const current of [...this.writtenInPlace]) {
      this.writtenInPlace.delete(current)
      const from = this.forwarding.oldNamesOf(current).at(-1)
      const forward = from === undefined ? undefined : this.forwarding.get(from)
      if (from === undefined || !forward) continue
      const sha256 = await sha256File(path.join(this.dir, current)).catch(() => undefined)
      if (sha256 === undefined || sha256 === forward.sha256) continue
      this.forwarding.recorded(current, sha256)
      await this.audit({event: 'updated', from, to: current, reason: 'written-after-rename', sha256})
    }
  }

  /** Plans with the same planner as fix and renames the complete files that must move. */
  private async resolveCollisions(): Promise<number> {
    const {workspace, database} = this.settings
    const history = database ? databaseHistory(await database.read(), database.origin) : undefined
    const listedAt = arrivalTime()
    const folder = await readMigrationFolder(this.dir)
    if (this.arrivals.incomplete().length > 0) {
      this.arrivals.forgetVanished(new Set([...folder.migrations, ...folder.skipped].map((m) => m.file)), listedAt)
    }
    const firstSeen = this.arrivals.firstSeen({startFilesFirst: this.startDone})
    const migrations = await withProvenance(workspace, folder, firstSeen)
    const localStatements = await contestedStatements(workspace, migrations, history)
    // Files a running sbx push is deploying keep their names.
    const plan = planRenames({migrations, history, localStatements, pinned: await pinnedFiles(workspace.lockHome)})
    // An old name waiting for its merge is not a migration to move.
    const movable = this.arrivals.movableNow(plan).filter((rename) => !this.forwarding.get(rename.from))
    const onRenamed = (rename: AppliedRename) => this.renamed(rename)
    await applyRenames(workspace, movable, COMMAND, onRenamed)
    // Registry (if configured): reserve newcomers written since sbx started, move what another clone holds.
    await repairWithRegistry(workspace, COMMAND, {newerThan: performance.timeOrigin, onRenamed})
    return folder.migrations.length
  }

  private renamed(rename: AppliedRename): void {
    this.arrivals.renamed(rename.from, rename.to)
    this.forwarding.renamed(rename.from, rename.to, rename.sha256)
    this.renameCount++
    this.settings.emit({event: 'renamed', ...rename})
  }
}

/** A retry timer whose delay doubles after each use, up to a ceiling, until reset. */
class Backoff {
  private timer: NodeJS.Timeout | undefined
  private delay: number

  constructor(
    private readonly first: number,
    private readonly max: number,
    private readonly fire: () => void,
  ) {
    this.delay = first
  }

  schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.fire()
    }, this.delay)
    this.delay = Math.min(this.delay * 2, this.max)
  }

  reset(): void {
    this.delay = this.first
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}

export interface HistoryReader {
  origin: HistoryOrigin
  read(): Promise<AppliedMigration[]>
  close(): Promise<void>
}

/** One connection for the whole watch, reopened if it dropped; reading the history is two small queries. */
export async function openHistoryReader(url: string): Promise<HistoryReader> {
  const {connect, readHistory} = await import('../../shell/database/database.js')
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
