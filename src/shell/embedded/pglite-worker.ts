/**
 * Worker-thread entry of the embedded replay database (shell/embedded/embedded-worker.ts starts it). PGlite runs a query
 * synchronously inside WebAssembly, where neither statement_timeout nor a timer of the same thread can stop it
 * (measured: `set statement_timeout = '1s'; select pg_sleep(3)` returns after 3 s on PGlite 0.4.6 and 0.5.14);
 * a worker can be terminated, which stops its WebAssembly (measured: 30–170 ms, pg_sleep(1e6) and an endless
 * recursive CTE alike).
 */
import v8 from 'node:v8'
import {parentPort, workerData} from 'node:worker_threads'
import type {PGlite} from '@electric-sql/pglite'
import type {PgliteLine} from '../../core/embedded/postgres-major.js'
import {wasmTierFlag} from '../../core/embedded/wasm-tiers.js'
import {type Extensions, preloadPglite, type ServedDatabase, serveDatabase, startPglite} from './embedded-db.js'
import {nowUs, PROGRESS} from './worker-progress.js'

export interface WorkerInit {
  cacheDir: string
  line: PgliteLine
  /** Written before each chunk of a pipeline (worker-progress.ts), read by the main thread's deadline. */
  progress: SharedArrayBuffer
}

/** The first message: where the data directory is and what to load, once the copy is done. */
export interface WorkerOpen {
  dataDir: string
  needs: Extensions
  /** A short run: V8's baseline WebAssembly compiler only (core/embedded/wasm-tiers.ts). */
  liftoffOnly: boolean
}

export type WorkerRequest =
  | {id: number; op: 'exec'; sql: string}
  | {id: number; op: 'query'; sql: string; params?: unknown[]}
  | {id: number; op: 'pipeline'; chunks: Uint8Array[]; reset: boolean}
  | {id: number; op: 'serve'}
  | {id: number; op: 'unserve'}
  | {id: number; op: 'close'}

/** A request without its id (each member of the union on its own). */
export type WorkerCall = WorkerRequest extends infer R ? (R extends {id: number} ? Omit<R, 'id'> : never) : never

export type WorkerResponse =
  | {id: number; ok: true; value?: unknown; inTransaction: boolean}
  | {id: number; ok: false; error: Record<string, unknown>; inTransaction: boolean}

/** The first message: PGlite started, or why not. */
export type WorkerStarted = {id: -1; ready: true; liftoffOnly: boolean} | {id: -1; failed: Record<string, unknown>}

const port = parentPort
if (!port) throw new Error('pglite-worker runs as a worker thread')
const init = workerData as WorkerInit
const progress = new BigInt64Array(init.progress)
let db: PGlite
let served: ServedDatabase | undefined

// Imported while the main thread copies the data directory (cached: startPglite finds it loaded).
void preloadPglite(init.line).catch(() => undefined)
const opening = await new Promise<WorkerOpen>((resolve) => port.once('message', resolve))
try {
  // Before PGlite compiles its WebAssembly, which happens in startPglite (the preload imports only its JavaScript).
  v8.setFlagsFromString(wasmTierFlag(opening.liftoffOnly))
  db = await startPglite(opening.dataDir, opening.needs, init.cacheDir, init.line)
  port.postMessage({id: -1, ready: true, liftoffOnly: opening.liftoffOnly} satisfies WorkerStarted)
} catch (error) {
  port.postMessage({id: -1, failed: plain(error)} satisfies WorkerStarted)
}

port.on('message', async (request: WorkerRequest) => {
  if (!db) return
  try {
    const value = await handle(request)
    port.postMessage({id: request.id, ok: true, value, inTransaction: db.isInTransaction()} satisfies WorkerResponse)
  } catch (error) {
    port.postMessage({
      id: request.id,
      ok: false,
      error: plain(error),
      inTransaction: db.isInTransaction(),
    } satisfies WorkerResponse)
  }
})

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'exec':
      await db.exec(request.sql)
      return undefined
    case 'query':
      return {rows: (await db.query(request.sql, request.params)).rows}
    case 'pipeline': {
      const answers: Uint8Array[] = []
      if (request.reset) await db.exec('RESET ALL')
      for (const [index, chunk] of request.chunks.entries()) {
        Atomics.store(progress, PROGRESS.beganUs, nowUs())
        Atomics.store(progress, PROGRESS.chunk, BigInt(index))
        Atomics.store(progress, PROGRESS.request, BigInt(request.id))
        // Copied out: the result is a view of WebAssembly memory that the next call overwrites.
        answers.push((await db.execProtocolRaw(chunk, {syncToFs: false})).slice())
      }
      return Buffer.concat(answers)
    }
    case 'serve': {
      served ??= await serveDatabase(db)
      return {url: served.url, port: served.port}
    }
    case 'unserve':
      await served?.close()
      served = undefined
      return undefined
    case 'close':
      await served?.close()
      await db.close()
      return undefined
  }
}

/** An error as structured clone keeps it: its own fields (a PGlite DatabaseError's severity, code…) too. */
function plain(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return {message: String(error)}
  const fields: Record<string, unknown> = {message: error.message, name: error.name}
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value
  }
  return fields
}
