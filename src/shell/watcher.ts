/**
 * The only chokidar user: watches one migrations folder and reports, in batches, the files that are now
 * completely written and the files that are gone. chokidar is imported lazily, so other commands never
 * pay for it. Measurements behind the options: /work/shared/context/dependency-notes.md (chokidar 5).
 */
import path from 'node:path'
import {performance} from 'node:perf_hooks'

export interface FolderChanges {
  /** Names now complete in the folder: created, copied or renamed in, and no longer growing. */
  added: string[]
  removed: string[]
}

export interface FolderWatchHandlers {
  /**
   * A name was touched in the folder (created, renamed in, written to), reported at once, long before it
   * is complete; `at` comes from arrivalTime().
   */
  onNotice: (name: string, at: number) => void
  onChanges: (changes: FolderChanges) => void
  /** A problem the watcher survives (a file it cannot read, an inotify limit). */
  onError: (error: Error) => void
}

export interface FolderWatcher {
  /** Names in the folder when watching began; no event reports them. */
  initial: string[]
  close(): Promise<void>
}

let lastArrivalTime = 0

/**
 * The clock of first sightings: wall-clock ms (comparable with file birth times) from the monotonic,
 * sub-millisecond performance clock, strictly increasing so that a burst within one millisecond keeps
 * its order.
 */
export function arrivalTime(): number {
  lastArrivalTime = Math.max(performance.timeOrigin + performance.now(), lastArrivalTime + 0.001)
  return lastArrivalTime
}

/** Files no migration tool reads: hidden files, and anything but `.sql` (editor swap and backup files, temp copies). */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || !name.endsWith('.sql')
}

export async function watchFolder(dir: string, handlers: FolderWatchHandlers): Promise<FolderWatcher> {
  const {watch} = await import('chokidar')
  const root = path.resolve(dir)
  const watcher = watch(root, {
    // supabase reads only the files directly inside supabase/migrations; nothing below can collide.
    depth: 0,
    // Files already there are handled by one initial pass over the folder, not by one event each.
    ignoreInitial: true,
    // Hidden and non-.sql names are never migrations, and every watched file costs an inotify watch.
    ignored: (file: string) => file !== root && isIgnoredName(path.basename(file)),
    // `add` arrives 3-5 ms after the first write, before a large file is complete. Report a file once
    // its size has held for 100 ms (0 partial reads measured, ≈110 ms); `true` means ≈2 s, far past the
    // 250 ms p99 target. Only files being written are stat'ed, every 10 ms, and only until they settle.
    awaitWriteFinish: {stabilityThreshold: 100, pollInterval: 10},
    // inotify, never polling: polling a 10,000-file folder costs ≈71 % of a core, inotify ≈0.1 % idle.
    usePolling: false,
    // A file deleted and re-created within 100 ms is a newcomer: `atomic` would merge the pair into a
    // `change`, which sbx ignores, and it would hold back every `unlink` for 100 ms.
    atomic: false,
    // Keeps the process alive while watching: that is what `sbx watch` is for.
    persistent: true,
  })

  let ready = false

  // Events of one turn of the event loop are reported together; a later event for a name wins.
  let pending = new Map<string, 'added' | 'removed'>()
  let flushing: NodeJS.Immediate | undefined
  const queue = (name: string, change: 'added' | 'removed') => {
    pending.delete(name)
    pending.set(name, change)
    flushing ??= setImmediate(() => {
      const batch = pending
      pending = new Map()
      flushing = undefined
      const changes: FolderChanges = {added: [], removed: []}
      for (const [file, kind] of batch) changes[kind].push(file)
      handlers.onChanges(changes)
    })
  }
  const inFolder = (file: string) => path.dirname(path.resolve(file)) === root

  watcher.on('raw', (_event, evPath, details) => {
    // Raw inotify notices of the folder itself: the earliest moment a name can be seen.
    const {watchedPath} = details as {watchedPath?: string}
    if (!ready || !evPath || !watchedPath || path.resolve(watchedPath) !== root) return
    const name = path.basename(evPath)
    if (!isIgnoredName(name)) handlers.onNotice(name, arrivalTime())
  })
  watcher.on('add', (file) => {
    if (inFolder(file)) queue(path.basename(file), 'added')
  })
  watcher.on('unlink', (file) => {
    if (inFolder(file)) queue(path.basename(file), 'removed')
  })
  watcher.on('error', (error) => handlers.onError(error instanceof Error ? error : new Error(String(error))))

  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  ready = true
  const initial = (watcher.getWatched()[root] ?? []).filter((name) => !isIgnoredName(name))
  return {
    initial,
    async close() {
      if (flushing) clearImmediate(flushing)
      await watcher.close()
    },
  }
}
