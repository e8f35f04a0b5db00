/**
 * The embedded replay database in a worker thread (shell/embedded/pglite-worker.ts), so that a statement that never ends
 * can be stopped: each request has a deadline, and a request past it terminates the worker, which stops PGlite's
 * WebAssembly at once. What the main thread holds implements the replay's ReplayDatabase.
 */
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {PgliteLine} from '../../core/embedded/postgres-major.js'
import type {ReplayDatabase} from '../replay/migration-replay.js'
import type {Extensions} from './embedded-db.js'
import type {WorkerCall, WorkerInit, WorkerOpen, WorkerResponse, WorkerStarted} from './pglite-worker.js'
import {nowUs, PROGRESS} from './worker-progress.js'

/** A request that ran past its deadline; the worker (and every query in it) was stopped. */
export class ReplayTimeout extends Error {
  /** `chunk`: the pipeline chunk (a statement and its probes, replay-pipeline.ts chunkQueries) that was running. */
  constructor(
    readonly elapsedMs: number,
    readonly chunk?: number,
  ) {
    super(`stopped after ${elapsedMs} ms`)
    this.name = 'ReplayTimeout'
  }
}

export interface WorkerDatabase extends ReplayDatabase {
  /** Milliseconds a request may run before the worker is terminated (0: no limit). */
  timeoutMs: number
  /** Whether the worker compiled PGlite with V8's baseline compiler only (core/embedded/wasm-tiers.ts). */
  readonly liftoffOnly: boolean
  /** Serves the database over the wire protocol on a loopback port (for supabase db advisors). */
  serve(): Promise<{url: string; port: number; close(): Promise<void>}>
  close(): Promise<void>
}

type Pending = {resolve: (value: unknown) => void; reject: (error: unknown) => void}

/** Starts the worker at once (it imports PGlite meanwhile); PGlite opens once `dataDir` and `needs` are known. */
export async function startWorkerDatabase(init: {
  dataDir: Promise<string>
  needs: Promise<Extensions>
  cacheDir: string
  line: PgliteLine
  /** Known once the data directory is there: whether the run is short enough for Liftoff only (wasm-tiers.ts). */
  liftoffOnly?: () => boolean
}): Promise<WorkerDatabase> {
  const {worker, progress} = spawnWorker(init)
  const pending = new Map<number, Pending>()
  let nextId = 0
  let inTransaction = false
  let stopped: Error | undefined
  const fail = (error: Error) => {
    stopped ??= error
    for (const request of pending.values()) request.reject(stopped)
    pending.clear()
  }
  // At once: a worker that dies while the data directory is copied (its 'exit' already emitted) must not leave the
  // start below waiting for a ready message that never comes.
  worker.on('error', (error) => fail(error))
  worker.on('exit', (code) => fail(new Error(`the embedded database stopped (worker exit ${code})`)))
  try {
    const [dataDir, needs] = await Promise.all([init.dataDir, init.needs])
    if (stopped) throw stopped
    const liftoffOnly = init.liftoffOnly?.() ?? false
    worker.postMessage({dataDir, needs: plainNeeds(needs), liftoffOnly} satisfies WorkerOpen)
  } catch (error) {
    await worker.terminate()
    throw error
  }
  const started = await readyMessage(worker, () => stopped).catch(async (error) => {
    await worker.terminate()
    throw error
  })
  worker.on('message', (message: WorkerResponse | WorkerStarted) => {
    if (!('ok' in message)) return
    const request = pending.get(message.id)
    if (!request) return
    pending.delete(message.id)
    inTransaction = message.inTransaction
    if (message.ok) request.resolve(message.value)
    else request.reject(Object.assign(new Error(String(message.error.message)), message.error))
  })

  const call = <T>(request: WorkerCall, timeoutMs: number): Promise<T> => {
    if (stopped) return Promise.reject(stopped)
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const startedUs = nowUs()
      // Each chunk of a pipeline (one statement) gets the whole limit: at the deadline, a chunk that began since
      // has the rest of its own.
      const arm = (delayMs: number) => {
        timer = setTimeout(() => {
          const running = Atomics.load(progress, PROGRESS.request) === BigInt(id)
          const beganUs = running ? Atomics.load(progress, PROGRESS.beganUs) : startedUs
          const chunk = running ? Number(Atomics.load(progress, PROGRESS.chunk)) : undefined
          const elapsedMs = Number(nowUs() - (beganUs > startedUs ? beganUs : startedUs)) / 1000
          if (elapsedMs < timeoutMs) return arm(timeoutMs - elapsedMs)
          fail(new ReplayTimeout(Math.round(elapsedMs), chunk))
          void worker.terminate()
        }, delayMs)
      }
      if (timeoutMs > 0) arm(timeoutMs)
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as T)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      worker.postMessage({...request, id})
    })
  }

  let closed: Promise<void> | undefined
  const db: WorkerDatabase = {
    timeoutMs: 0,
    liftoffOnly: started.liftoffOnly,
    exec: (sql) => call({op: 'exec', sql}, db.timeoutMs),
    query: <T>(sql: string, params?: unknown[]) =>
      call<{rows: T[]}>({op: 'query', sql, ...(params ? {params} : {})}, db.timeoutMs),
    pipeline: (chunks, options) =>
      call<Uint8Array>({op: 'pipeline', chunks: [...chunks], reset: options?.reset === true}, db.timeoutMs),
    exitsOnCopyFromStdin: true,
    isInTransaction: () => inTransaction,
    async serve() {
      const served = await call<{url: string; port: number}>({op: 'serve'}, 0)
      return {...served, close: () => call<void>({op: 'unserve'}, 0)}
    },
    close() {
      closed ??= (async () => {
        // A terminated worker has nothing left to close; a live one closes PGlite (bounded) and then ends.
        if (!stopped) await call({op: 'close'}, 30_000).catch(() => undefined)
        await worker.terminate()
      })()
      return closed
    },
  }
  return db
}

function spawnWorker(init: {cacheDir: string; line: PgliteLine}): {worker: Worker; progress: BigInt64Array} {
  const entry = workerEntry()
  const shared = new SharedArrayBuffer(PROGRESS.slots * BigInt64Array.BYTES_PER_ELEMENT)
  const progress = new BigInt64Array(shared)
  progress[PROGRESS.request] = -1n
  const worker = new Worker(entry.script, {
    workerData: {cacheDir: init.cacheDir, line: init.line, progress: shared} satisfies WorkerInit,
    eval: entry.eval,
  })
  return {worker, progress}
}

/** The worker's first message: PGlite started (with the tier it chose), or why not; `stopped`: it exited already. */
function readyMessage(worker: Worker, stopped: () => Error | undefined): Promise<{liftoffOnly: boolean}> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerStarted) => {
      if (message.id !== -1) return
      worker.off('message', onMessage)
      if ('ready' in message) resolve(message)
      else reject(Object.assign(new Error(String(message.failed.message)), message.failed))
    }
    worker.on('message', onMessage)
    worker.once('exit', () => reject(stopped()))
    const early = stopped()
    if (early) reject(early)
  })
}

/**
 * The compiled worker next to this module; under the test runner (TypeScript sources) the source, loaded through
 * tsx's loader registered inside the worker (Node 20 workers take no --import).
 */
function workerEntry(): {script: URL | string; eval: boolean} {
  const js = new URL('./pglite-worker.js', import.meta.url)
  if (fs.existsSync(fileURLToPath(js))) return {script: js, eval: false}
  const ts = new URL('./pglite-worker.ts', import.meta.url).href
  return {
    script: `import('tsx/esm/api').then(({register}) => { register(); return import(${JSON.stringify(ts)}) })`,
    eval: true,
  }
}

/** Extension needs as structured clone keeps them (a plain array or object). */
function plainNeeds(needs: Extensions): Extensions {
  return JSON.parse(JSON.stringify(needs)) as Extensions
}
