/**
 * One step of a migration sent the way supabase 3.1 sends it: every statement as an unnamed Parse/Bind/Describe/
 * Execute, the history insert in the same pipeline, ONE Sync. Until the Sync the statements form an *implicit*
 * transaction, not a transaction block, so the server itself refuses what supabase's push would have refused
 * (LOCK, SAVEPOINT, DECLARE CURSOR: 25P01; a new enum value used in the same file: 55P04) and checks deferred
 * constraints at the Sync. The same bytes go to PGlite (execProtocolRaw) and to a shadow server's connection.
 *
 * Numbering, as supabase prints "At statement: N": the number of queries of the pipeline that completed before
 * the error. A failure at the Sync (a deferred constraint) is therefore one past the history insert: a file of
 * 3 statements fails "At statement: 4" (measured on PostgreSQL 15 with the real supabase).
 */
import {serialize} from 'pg-protocol'
import type {BackendMessage} from 'pg-protocol/dist/messages.js'
import {Parser} from 'pg-protocol/dist/parser.js'
import type {DatabaseErrorInfo} from '../../core/verify/verify-report.js'

export interface PipelineQuery {
  sql: string
  params?: readonly unknown[]
  /** The statement index supabase would print for it; probes carry the index of the statement they follow. */
  index: number
  /**
   * True: a probe of the statement `index`; 'step': the probe's query after the step's last statement; 'screen':
   * the probe's check at the end of the step (StatementProbe.screen).
   */
  probe?: boolean | 'step' | 'screen'
  /** A statement prepared in the session, by name: only Bind/Describe/Execute are sent (`sql` is what it runs). */
  prepared?: string
}

/**
 * Read-only queries run right after a statement, in its (implicit) transaction, before the Sync (verify's risk
 * trace: the locks the statement took). `collect` gets each query's rows, in the order of `sql`, values as text.
 * Unused, it adds nothing to the pipeline.
 */
export interface StatementProbe {
  sql: readonly string[]
  /**
   * The same queries as statements prepared in the session, with their parameters, for the pipeline: a Parse of
   * the probe's text costs about 0.45 ms a statement, a Bind of the prepared one about 0.1 ms (measured on the
   * embedded database, 1,600 probes).
   */
  prepared?: ReadonlyArray<{name: string; params: readonly unknown[]}>
  /** False for a statement not worth probing (it can lock no relation): nothing added. */
  wants?(statementIndex: number): boolean
  collect(statementIndex: number, rows: ReadonlyArray<readonly Record<string, unknown>[]>): void
  /**
   * One query after the last statement of a step that runs in one transaction, in its pipeline (the tracer's read
   * of the relations the step made: no round trip of its own after the file).
   */
  step?: ProbeQuery & {collect(rows: readonly Record<string, unknown>[]): void}
  /**
   * Instead of a probe after each statement: one query after the step's last query, before its Sync, that fails
   * when the step did something that needs the probe after each statement. Its failure is not the file's: the
   * Sync then ends the implicit transaction, which rolls the step back, and the step is replayed with `full()`.
   * A step that passes ran once, with nothing but this one read added.
   */
  screen?: ProbeQuery & {collect(rows: readonly Record<string, unknown>[]): void; full(): Promise<StatementProbe>}
}

export interface ProbeQuery {
  sql: string
  prepared?: {name: string; params: readonly unknown[]}
}

/** How a pipeline is sent: `reset`, a RESET ALL on its own first (as the replay does before each file). */
export interface PipelineOptions {
  reset?: boolean
}

export type ServerStatus = 'I' | 'T' | 'E'

export interface PipelineOutcome {
  /** The query that failed and the server's error; undefined when all completed and the Sync committed. */
  failure?: {query: PipelineQuery | undefined; completed: number; error: DatabaseErrorInfo}
  /** Transaction status after the Sync: 'T'/'E' when a statement of the file left a transaction open. */
  status: ServerStatus
  /** The probe's screen failed: everything before it completed, and the Sync rolled it back. */
  rescreen?: true
}

/**
 * How the pipeline reaches the database: one chunk per statement (with the probes that follow it), the Sync last.
 * A shadow connection writes them at once; PGlite runs them one after another in its worker (measured on 0.4.6 and
 * 0.5.14: messages without a Sync keep the implicit transaction open across calls, and after an error the rest is
 * skipped until the Sync), so that a query that never ends is known by its chunk.
 */
export type SendPipeline = (
  chunks: readonly Uint8Array[],
  options?: PipelineOptions,
) => Promise<Uint8Array | readonly BackendMessage[]>

/**
 * The queries of each chunk: a statement and the probes after it go in one call to the database, one call into
 * PGlite's WebAssembly less per probe (verify --no-cache of the 200-file bench: 1.14x -> 1.11x the reference
 * ad1e853, same-run medians of 7, within the machine's noise). A probe only reads, so it cannot be the query that
 * never ends.
 */
export function chunkQueries(queries: readonly PipelineQuery[]): PipelineQuery[][] {
  const chunks: PipelineQuery[][] = []
  for (const query of queries) {
    const last = chunks.at(-1)
    if (query.probe && last) last.push(query)
    else chunks.push([query])
  }
  return chunks
}

export function pipelineChunks(queries: readonly PipelineQuery[]): Uint8Array[] {
  const chunks: Uint8Array[] = chunkQueries(queries).map((group) =>
    Buffer.concat(
      group.flatMap((query) => [
        ...(query.prepared === undefined ? [serialize.parse({text: query.sql, types: []})] : []),
        serialize.bind({statement: query.prepared ?? '', values: (query.params ?? []).map(textValue)}),
        serialize.describe({type: 'P', name: ''}),
        serialize.execute({}),
      ]),
    ),
  )
  chunks.push(serialize.sync())
  return chunks
}

export function backendMessages(bytes: Uint8Array): BackendMessage[] {
  const messages: BackendMessage[] = []
  new Parser().parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (message) => {
    messages.push(message)
  })
  return messages
}

/** Sends the queries as one pipeline and reads what the server did with each. */
export async function runPipeline(
  send: SendPipeline,
  queries: readonly PipelineQuery[],
  probe?: StatementProbe,
  options?: PipelineOptions,
): Promise<PipelineOutcome> {
  const response = await send(pipelineChunks(queries), options)
  const messages = response instanceof Uint8Array ? backendMessages(response) : response
  let completed = 0
  let status: ServerStatus = 'I'
  let failure: PipelineOutcome['failure']
  let rescreen = false
  let fields: string[] = []
  let rows: Array<Record<string, string | null>> = []
  let probeResults: Array<Array<Record<string, string | null>>> = []
  const complete = () => {
    const query = queries[completed]
    if (query?.probe === 'step') probe?.step?.collect(rows)
    else if (query?.probe === 'screen') probe?.screen?.collect(rows)
    else if (query?.probe) probeResults.push(rows)
    completed += 1
    const next = queries[completed]
    // The probes of a statement are done when the next query is not one of them.
    if (probe && query && probeResults.length > 0 && !(next?.probe && next.index === query.index)) {
      probe.collect(query.index, probeResults)
      probeResults = []
    }
    rows = []
  }
  for (const message of messages) {
    switch (message.name) {
      case 'rowDescription':
        fields = (message as unknown as {fields: Array<{name: string}>}).fields.map((field) => field.name)
        break
      case 'dataRow':
        if (queries[completed]?.probe) {
          const values = (message as unknown as {fields: Array<string | null>}).fields
          rows.push(Object.fromEntries(fields.map((name, i) => [name, values[i] ?? null])))
        }
        break
      case 'commandComplete':
      case 'emptyQuery':
        complete()
        break
      case 'error':
        if (!failure && !rescreen && queries[completed]?.probe === 'screen') rescreen = true
        // PGlite repeats ReadyForQuery after an error (0.4): only the first error counts.
        else if (!rescreen) failure ??= {query: queries[completed], completed, error: errorInfo(message)}
        break
      case 'readyForQuery':
        status = (message as unknown as {status: ServerStatus}).status
        break
      default:
        break
    }
  }
  if (rescreen) return {status, rescreen: true}
  return failure ? {failure, status} : {status}
}

/** A parameter as text: the history insert's version, name and statements (text[]). */
function textValue(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (Array.isArray(value))
    return `{${value.map((item) => (item === null ? 'NULL' : `"${String(item).replace(/[\\"]/gu, '\\$&')}"`)).join(',')}}`
  return String(value)
}

function errorInfo(message: BackendMessage): DatabaseErrorInfo {
  const e = message as unknown as {message: string; code?: string; detail?: string; hint?: string; position?: string}
  const info: DatabaseErrorInfo = {message: e.message}
  if (e.code) info.code = e.code
  if (e.detail) info.detail = e.detail
  if (e.hint) info.hint = e.hint
  if (e.position && Number(e.position) > 0) info.position = Number(e.position)
  return info
}
