/**
 * A throwaway database on a real PostgreSQL server for `sbx verify --shadow-url`: `sbx_shadow_<random>`,
 * created with the Supabase baseline and dropped afterwards — on success, on failure, on SIGINT/SIGTERM, and,
 * after a SIGKILL, by the next run. Each run holds a session advisory lock named after its shadow on a
 * maintenance connection for as long as the shadow lives: a shadow whose lock nobody holds is abandoned, so
 * the next run drops it at once while two live runs never drop each other's.
 */
import {randomBytes} from 'node:crypto'
import type {Client} from 'pg'
import type {BackendMessage} from 'pg-protocol/dist/messages.js'
import {SHADOW_PREFIX, shadowBaselineSql} from '../../core/embedded/shadow-baseline.js'
import {ExternalError} from '../../core/errors.js'
import {redactUrl} from '../../core/output/redact.js'
import {connect as connectDatabase} from '../database/database.js'
import type {ReplayDatabase} from './migration-replay.js'

export interface ShadowDatabase {
  db: ReplayDatabase
  /** The shadow's URL, for supabase db advisors. */
  url: string
  name: string
  /** e.g. "PostgreSQL 15.14 (Debian 15.14-1.pgdg120+1)". */
  server: string
  /** Shadows of earlier runs that were dropped because no live run held them. */
  removedAbandoned: string[]
  /** Drops the shadow (a second call does nothing). */
  close(): Promise<void>
}

/** The advisory lock key of a shadow: (class, hashtext(name)). */
const LOCK_CLASS = 0x5b5 // "sbx"
const lockArgs = (name: string) => [LOCK_CLASS, name] as const
const LOCK = 'pg_advisory_lock($1, hashtext($2))'
const TRY_LOCK = 'pg_try_advisory_lock($1, hashtext($2))'
const UNLOCK = 'pg_advisory_unlock($1, hashtext($2))'

export async function openShadow(
  serverUrl: string,
  options: {apiSchemas: readonly string[]; statementTimeoutMs?: number},
): Promise<ShadowDatabase> {
  const label = redactUrl(serverUrl)
  const admin = await connect(serverUrl, label)
  const name = `${SHADOW_PREFIX}${randomBytes(6).toString('hex')}`
  let created = false
  let dropping: Promise<void> | undefined
  const drop = () => {
    dropping ??= (async () => {
      if (created) await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined)
      await admin.end().catch(() => undefined)
    })()
    return dropping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    void drop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  try {
    const removedAbandoned = await removeAbandoned(admin)
    // Locked before it exists: another run's cleanup can never see it unlocked.
    await admin.query(`select ${LOCK}`, [...lockArgs(name)])
    try {
      await admin.query(`create database "${name}"`)
    } catch (error) {
      throw createFailure(error, label)
    }
    created = true
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const url = databaseUrl(serverUrl, name)
    const setup = await connect(url, label)
    try {
      await setup.query(shadowBaselineSql(name, options.apiSchemas))
      // The database's default, so that supabase's RESET ALL before each file keeps it.
      if (options.statementTimeoutMs) {
        await setup.query(`alter database "${name}" set statement_timeout = ${Math.round(options.statementTimeoutMs)}`)
      }
    } finally {
      await setup.end()
    }
    // A new session: the database's search_path and pgrst.db_schemas apply from its start (and after RESET ALL).
    const client = await connect(url, label)
    const db = replayClient(client)
    const version = await client.query<{version: string}>('select version()')
    const server = (version.rows[0]?.version ?? '').split(' on ')[0] as string
    let closed: Promise<void> | undefined
    return {
      db,
      url,
      name,
      server,
      removedAbandoned,
      close() {
        closed ??= (async () => {
          await client.end().catch(() => undefined)
          await drop()
          process.removeListener('SIGINT', onSignal)
          process.removeListener('SIGTERM', onSignal)
        })()
        return closed
      },
    }
  } catch (error) {
    await drop()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    throw error
  }
}

/** Drops every sbx_shadow_* database whose lock no session holds (its run was SIGKILLed, or its host died). */
async function removeAbandoned(admin: Client): Promise<string[]> {
  const {rows} = await admin.query<{datname: string}>(
    `select datname from pg_database where datname like '${SHADOW_PREFIX.replaceAll('_', '\\_')}%' order by 1`,
  )
  const removed: string[] = []
  for (const {datname} of rows) {
    const locked = await admin.query<{ok: boolean}>(`select ${TRY_LOCK} as ok`, [...lockArgs(datname)])
    if (!locked.rows[0]?.ok) continue
    try {
      await admin.query(`drop database if exists "${datname.replaceAll('"', '""')}" with (force)`)
      removed.push(datname)
    } catch {
      // Someone else's database after all (no right to drop it): leave it.
    } finally {
      await admin.query(`select ${UNLOCK}`, [...lockArgs(datname)])
    }
  }
  return removed
}

function createFailure(error: unknown, label: string): ExternalError {
  const e = error as {code?: string; message?: string}
  if (e.code === '42501') {
    return new ExternalError(
      `The shadow server ${label} refused to create a database (${e.message}): its user needs CREATEDB.`,
      'ESHADOWCREATEDB',
      ['Grant it (alter role … createdb), or pass a URL whose user has it.'],
      error,
    )
  }
  return new ExternalError(`Cannot create a shadow database on ${label}: ${e.message}`, 'ESHADOW', undefined, error)
}

/** shell/database/database.ts's connection (its connect timeout: a server that never answers must not hang verify). */
async function connect(url: string, label: string): Promise<Client> {
  try {
    return await connectDatabase(url)
  } catch (error) {
    const cause = error instanceof ExternalError && error.cause instanceof Error ? error.cause : error
    throw new ExternalError(
      `Cannot connect to the shadow server ${label}: ${(cause as Error).message}`,
      'ESHADOWCONNECT',
      undefined,
      error,
    )
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** A `pg` client as the replay wants it: statements alone through the extended protocol, and its transaction state. */
function replayClient(client: Client): ReplayDatabase {
  let status = 'I'
  // A session the server ended is reported by the query that needed it; the event alone must not crash sbx.
  client.on('error', () => undefined)
  // ReadyForQuery says after every command whether a transaction is open ('T') or failed ('E').
  ;(client as unknown as {connection: NodeJS.EventEmitter}).connection.on(
    'readyForQuery',
    (message: {status: string}) => {
      status = message.status
    },
  )
  return {
    exec: (sql) => client.query(sql),
    pipeline: async (chunks, options) => {
      if (options?.reset) await client.query('RESET ALL')
      return rawPipeline(client, Buffer.concat(chunks))
    },
    // Measured on PostgreSQL 15: after the 08P01 supabase reports, the server ends the session ("protocol
    // synchronization was lost", FATAL); the replay answers it itself and keeps the session.
    exitsOnCopyFromStdin: true,
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await client.query({text: sql, values: params, queryMode: 'extended'} as never)
      return {rows: (result as {rows: T[]}).rows}
    },
    isInTransaction: () => status !== 'I',
  }
}

/**
 * The replay's pipeline bytes written as they are on the connection, as a pg "submittable" (pg routes the
 * answers to it while it is the active query); it ends at the ReadyForQuery that answers the one Sync.
 */
function rawPipeline(client: Client, bytes: Uint8Array): Promise<BackendMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: BackendMessage[] = []
    const push = (message: unknown) => messages.push(message as BackendMessage)
    const submittable = {
      submit(connection: {
        stream: NodeJS.WritableStream
        once(event: string, listener: (message: {status: string}) => void): void
      }) {
        // The ReadyForQuery that answers the Sync ends it. Listened to on the connection: after an error pg no
        // longer routes it to the query (it has dropped it as active already).
        connection.once('readyForQuery', (message) => {
          resolve([...messages, {name: 'readyForQuery', status: message.status} as never])
        })
        connection.stream.write(bytes)
      },
      handleRowDescription: push,
      handleDataRow: push,
      handleCommandComplete: push,
      handleEmptyQuery: () => push({name: 'emptyQuery'}),
      handlePortalSuspended: () => push({name: 'portalSuspended'}),
      handleCopyInResponse: () => push({name: 'copyInResponse'}),
      handleCopyData: () => undefined,
      handleError: push,
      handleReadyForQuery: () => undefined,
    }
    try {
      client.query(submittable as never)
    } catch (error) {
      reject(error)
    }
  })
}
