/**
 * The repository-wide lock. Every sbx process that allocates versions or renames migrations holds it:
 * `migration new`, `fix`, `rebase`, `watch` (per pass) and `push`. In a git repository it lives in the git
 * common dir, so all worktrees of the repository share one lock; elsewhere in `supabase/.temp/sbx`.
 */
import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {LockTimeoutError} from '../../core/errors.js'
import {terminalText} from '../../core/output/terminal-text.js'
import {isAlive} from './processes.js'

/** A holder killed with SIGKILL blocks others for at most this long (proper-lockfile refreshes every 5 s). */
export const STALE_MS = 10_000
const REPORT_WAIT_AFTER_MS = 1_000

export interface LockHolder {
  pid: number
  host: string
  command: string
  since: string
}

export interface LockOptions {
  /** Folder holding the lock, the holder description and the version ledger. */
  lockHome: string
  timeoutSeconds: number
  /** What the holder is doing, shown to whoever waits. */
  command: string
  /** Called once a waiter has waited REPORT_WAIT_AFTER_MS; defaults to a line on stderr. */
  onWait?: (holder: LockHolder | undefined) => void
  /** Once aborted, stops waiting for the lock and rejects; a lock already held is kept until fn ends. */
  signal?: AbortSignal
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another sbx process'
  const alive = holder.host === os.hostname() ? isAlive(holder.pid) : true
  return `pid ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since})${alive ? '' : ' which is no longer running; its lock expires shortly'}`
}

export async function withLock<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(options)
  try {
    return await fn()
  } finally {
    await release()
  }
}

/** Takes the lock for a holder whose hold does not fit one function call; the returned function releases it. */
export async function acquireLock(options: LockOptions): Promise<() => Promise<void>> {
  const release = await acquire(options)
  return async () => {
    clearHolder(options.lockHome)
    await release()
  }
}

const importLockLibrary = () => import('proper-lockfile')
let lockLibrary: ReturnType<typeof importLockLibrary> | undefined

/**
 * Starts loading proper-lockfile, so that its compilation overlaps the caller's file I/O: `migration new` spends
 * ~3 ms of its first call waiting on fsync and ~3 ms loading the library (measured).
 */
export function loadLockLibrary(): ReturnType<typeof importLockLibrary> {
  lockLibrary ??= importLockLibrary()
  return lockLibrary
}

async function acquire(options: LockOptions): Promise<() => Promise<void>> {
  const {default: lockfile} = await loadLockLibrary()
  mkdirSync(options.lockHome, {recursive: true})
  const lockPath = path.join(options.lockHome, 'lock')
  const started = Date.now()
  const deadline = started + options.timeoutSeconds * 1000
  let reported = false
  let delay = 25
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      let compromised = false
      const release = await lockfile.lock(options.lockHome, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        // The default throws from a timer and kills the process. Losing the lock means the event loop
        // stalled for over STALE_MS; say so instead of crashing halfway through a rename.
        onCompromised: (error) => {
          compromised = true
          process.emitWarning(`sbx lost the migrations lock: ${error.message}`)
        },
      })
      writeHolder(options.lockHome, options.command)
      // A lost lock cannot be released (ERELEASED, or ENOENT once the next holder has come and gone): the
      // warning above already said so, and the work done under it stands.
      return () =>
        release().catch((error: unknown) => {
          if (!compromised) throw error
        })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
    }
    const now = Date.now()
    if (!reported && now - started >= REPORT_WAIT_AFTER_MS) {
      reported = true
      const holder = readHolder(options.lockHome)
      if (options.onWait) options.onWait(holder)
      else
        process.stderr.write(terminalText(`sbx: waiting for the migrations lock held by ${describeHolder(holder)}\n`))
    }
    if (now >= deadline) {
      throw new LockTimeoutError(
        `Timed out after ${options.timeoutSeconds}s waiting for the migrations lock held by ${describeHolder(readHolder(options.lockHome))}.`,
        ['Wait for it to finish and retry, or raise --lock-timeout.'],
      )
    }
    // Randomised back-off: tight polling starves the holder on a 2-core machine (dependency notes), while
    // a ceiling above ~100 ms leaves the lock idle between holders (100 parallel calls: 8.2 s at 250, 7.6 s at 100).
    await sleep(Math.min(delay * (0.5 + Math.random()), deadline - now + 1), undefined, {signal: options.signal})
    delay = Math.min(delay * 1.3, 100)
  }
}

function writeHolder(lockHome: string, command: string): void {
  const holder: LockHolder = {pid: process.pid, host: os.hostname(), command, since: new Date().toISOString()}
  const tmp = path.join(lockHome, `holder.${process.pid}.tmp`)
  writeFileSync(tmp, JSON.stringify(holder))
  renameSync(tmp, path.join(lockHome, 'holder.json'))
}

/** Forgets the holder on release, so a waiter never names a process that has finished. */
function clearHolder(lockHome: string): void {
  if (readHolder(lockHome)?.pid === process.pid) rmSync(path.join(lockHome, 'holder.json'), {force: true})
}

export function readHolder(lockHome: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path.join(lockHome, 'holder.json'), 'utf8')) as LockHolder
  } catch {
    return undefined
  }
}
