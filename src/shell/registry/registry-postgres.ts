/**
 * The registry in a Postgres database (any; the team's Supabase development project is the natural home):
 * table sbx.reservations, created on first use. Each operation opens one connection, runs one short
 * transaction serialized per project by pg_advisory_xact_lock, and closes it: small Supabase instances
 * allow ~60 connections and a fleet of agents may allocate at once. "Too many connections" (53300) and
 * "starting up" (57P03) are retried with jittered back-off until the timeout; anything else fails at once.
 */
import os from 'node:os'
import type {Client} from 'pg'
import {RegistryBusyError, RegistryError, RegistryRefusedError, RegistryUnavailableError} from '../../core/errors.js'
import {redactSecrets, redactUrl} from '../../core/output/redact.js'
import {
  decideBatch,
  type Holder,
  type Registry,
  type Reservation,
  type ReservationState,
  type ReserveOutcome,
  type ReserveRequest,
  reserveOutcomes,
} from '../../core/registry/registry.js'
import {registryHoldMs} from '../../core/registry/registry-config.js'
import {loadPg} from '../database/pg-module.js'

export interface PostgresRegistryOptions {
  url: string
  project: string
  timeoutSeconds: number
  now?: () => Date
}

/** What `sbx registry init` runs, and what the first reservation runs when the table is missing. */
export const REGISTRY_DDL = `create schema if not exists sbx;
create table if not exists sbx.reservations (
  project text not null,
  version text not null,
  name text not null,
  state text not null default 'reserved' check (state in ('reserved', 'applied', 'released')),
  by_user text not null,
  by_host text not null,
  by_pid integer not null,
  branch text,
  clone text not null,
  reserved_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project, version)
);
alter table sbx.reservations add column if not exists lease_expires timestamptz;
comment on column sbx.reservations.lease_expires is 'Set while the reservation is pending (its file not yet confirmed written).';
comment on table sbx.reservations is 'Migration versions reserved by sbx (sbx registry list). No SQL is stored.';`

/** The grants a least-privilege role needs once the table exists. */
export function registryGrants(role: string): string {
  const quoted = `"${role.replace(/"/g, '""')}"`
  return `grant usage on schema sbx to ${quoted};
grant select, insert, update on sbx.reservations to ${quoted};`
}

const RETRYABLE = new Set(['53300', '57P03'])
// A missing table or schema, or a table from before leases (no lease_expires): create or upgrade it.
const MISSING = new Set(['42P01', '3F000', '42703'])

interface Row {
  version: string
  name: string
  state: ReservationState
  by_user: string
  by_host: string
  by_pid: number
  branch: string | null
  clone: string
  reserved_at: Date
  lease_expires: Date | null
}

const COLUMNS = 'version, name, state, by_user, by_host, by_pid, branch, clone, reserved_at, lease_expires'

function toReservation(row: Row): Reservation {
  return {
    version: row.version,
    name: row.name,
    state: row.state,
    by: {
      user: row.by_user,
      host: row.by_host,
      pid: row.by_pid,
      ...(row.branch ? {branch: row.branch} : {}),
      clone: row.clone,
    },
    at: row.reserved_at.toISOString(),
    ...(row.lease_expires ? {lease: {expires: row.lease_expires.toISOString()}} : {}),
  }
}

export function openPostgresRegistry(options: PostgresRegistryOptions): Registry {
  // Load pg now, not when the first transaction connects: migration new opens the registry before taking
  // the repository lock and reserves under it, and the lock should be held for the round trips only.
  loadPg().catch(() => undefined)
  const label = redactUrl(options.url)
  const now = options.now ?? (() => new Date())

  /** Runs fn in one transaction holding the project's advisory lock, creating the table if it is missing. */
  const transaction = <T>(fn: (client: Client) => Promise<T>): Promise<{value: T; attempts: number}> =>
    inTransaction(options, label, fn)

  return {
    backend: 'postgres',
    label,
    async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
      return (await this.reserveAll([request], []))[0] as ReserveOutcome
    },
    async reserveAll(requests, confirm): Promise<ReserveOutcome[]> {
      const {value, attempts} = await transaction(async (client) => {
        const facts = await client.query<{max: string | null}>(
          'select max(version) as max from sbx.reservations where project = $1',
          [options.project],
        )
        const at = await client.query<Row>(
          `select ${COLUMNS} from sbx.reservations where project = $1 and version = any($2::text[])`,
          [options.project, [...requests.map((r) => r.version), ...confirm]],
        )
        const records = new Map(at.rows.map((row) => [row.version, toReservation(row)]))
        const batch = decideBatch(requests, confirm, records, facts.rows[0]?.max ?? undefined, now())
        await upsert(client, options.project, batch.writes)
        return batch.outcomes
      })
      return reserveOutcomes(value, attempts)
    },
    async list(): Promise<Reservation[]> {
      const {value} = await transaction(async (client) => {
        const result = await client.query<Row>(
          `select ${COLUMNS} from sbx.reservations where project = $1 order by version`,
          [options.project],
        )
        return result.rows.map(toReservation)
      })
      return value
    },
    async markApplied(migrations, by: Holder): Promise<void> {
      if (migrations.length === 0) return
      await transaction(async (client) => {
        for (const migration of migrations) {
          await client.query(
            `insert into sbx.reservations (project, version, name, state, by_user, by_host, by_pid, branch, clone)
             values ($1, $2, $3, 'applied', $4, $5, $6, $7, $8)
             on conflict (project, version) do update set state = 'applied', lease_expires = null, updated_at = now()`,
            [options.project, migration.version, migration.name, by.user, by.host, by.pid, by.branch ?? null, by.clone],
          )
        }
      })
    },
    async release(version: string): Promise<Reservation | undefined> {
      const {value} = await transaction(async (client) => {
        const result = await client.query<Row>(
          `update sbx.reservations set state = 'released', lease_expires = null, updated_at = now()
           where project = $1 and version = $2 returning ${COLUMNS}`,
          [options.project, version],
        )
        return result.rows[0] ? toReservation(result.rows[0]) : undefined
      })
      return value
    },
  }
}

/** Stores whole records (decided under the lock), all in one statement. */
async function upsert(client: Client, project: string, records: readonly Reservation[]): Promise<void> {
  if (records.length === 0) return
  const column = <T>(f: (r: Reservation) => T) => records.map(f)
  await client.query(
    `insert into sbx.reservations
       (project, version, name, state, by_user, by_host, by_pid, branch, clone, reserved_at, lease_expires)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
       $9::text[], $10::timestamptz[], $11::timestamptz[])
     on conflict (project, version) do update set name = excluded.name, state = excluded.state,
       by_user = excluded.by_user, by_host = excluded.by_host, by_pid = excluded.by_pid, branch = excluded.branch,
       clone = excluded.clone, reserved_at = excluded.reserved_at, lease_expires = excluded.lease_expires,
       updated_at = now()`,
    [
      project,
      column((r) => r.version),
      column((r) => r.name),
      column((r) => r.state),
      column((r) => r.by.user),
      column((r) => r.by.host),
      column((r) => r.by.pid),
      column((r) => r.by.branch ?? null),
      column((r) => r.by.clone),
      column((r) => r.at),
      column((r) => r.lease?.expires ?? null),
    ],
  )
}

/** Creates the schema and table; concurrent first users are serialized so `if not exists` cannot race. */
async function createTable(client: Client, url: string, label: string, holdMs: number): Promise<void> {
  try {
    await client.query(`begin;
set local idle_in_transaction_session_timeout = ${holdMs};
select pg_advisory_xact_lock(hashtextextended('sbx.registry:ddl', 0));`)
    await client.query(REGISTRY_DDL)
    await client.query('commit')
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw failure(error, url, label)
  }
}

/** `sbx registry init`: creates the table explicitly. */
export async function initPostgresRegistry(url: string, timeoutSeconds: number): Promise<void> {
  const label = redactUrl(url)
  const deadline = Date.now() + timeoutSeconds * 1000
  const client = await connectWithin(url, label, deadline)
  const cut = deadlineTimer(client, deadline)
  try {
    await createTable(client, url, label, registryHoldMs(timeoutSeconds))
  } catch (error) {
    throw cut.fired() ? new RegistryUnavailableError(label, `no answer within ${timeoutSeconds} s`) : error
  } finally {
    cut.clear()
    endQuietly(client)
  }
}

/** Below this much time left, a new attempt is not started: it could not finish. */
const MIN_ATTEMPT_MS = 50

/**
 * The whole call, every attempt included, ends by `timeoutSeconds`: a timer destroys the socket of a server
 * that stops answering (pg's own timeouts are per query). Inside, the first message takes the lock with
 * the session's limits set for this transaction only (so a pooler in transaction mode keeps them too):
 * waiting for the lock is bounded by what is left of the call (55P03: busy, never "unreachable"), and once it
 * is held every statement and every pause is cut off at registryHoldMs, so an orphaned session frees it.
 */
async function inTransaction<T>(
  options: PostgresRegistryOptions,
  label: string,
  fn: (client: Client) => Promise<T>,
): Promise<{value: T; attempts: number}> {
  const deadline = Date.now() + options.timeoutSeconds * 1000
  const hold = registryHoldMs(options.timeoutSeconds)
  let created = false
  let attempts = 0
  for (;;) {
    attempts++
    const client = await connectWithin(options.url, label, deadline)
    const cut = deadlineTimer(client, deadline)
    let phase: 'lock' | 'work' | 'commit' = 'lock'
    try {
      // Leave time for the server to say "lock timeout" itself before the timer cuts the link.
      const wait = Math.max(MIN_ATTEMPT_MS, deadline - Date.now() - Math.min(1000, hold * 2))
      await client.query(lockStatement(client, options.project, wait, hold))
      phase = 'work'
      const value = await fn(client)
      phase = 'commit'
      await client.query('commit')
      return {value, attempts}
    } catch (error) {
      const code = (error as {code?: string}).code
      if (!cut.fired()) await client.query('rollback').catch(() => undefined)
      if (code && MISSING.has(code) && !created && !cut.fired()) {
        created = true
        await createTable(client, options.url, label, hold)
        continue
      }
      if (code === '55P03' || (phase === 'lock' && code === '57014')) {
        throw new RegistryBusyError(label, await busyDetail(options, deadline, client, cut.fired()))
      }
      // The server ended a session that paused too long (a starved client): nothing was committed, go again.
      // A commit pg never sent (the session was already gone: "not queryable") committed nothing either.
      const unsent = phase !== 'commit' || /not queryable/i.test(error instanceof Error ? error.message : '')
      if (unsent && !cut.fired() && Date.now() + MIN_ATTEMPT_MS < deadline && endedByServer(error)) continue
      if (cut.fired()) throw new RegistryUnavailableError(label, `no answer within ${options.timeoutSeconds} s`)
      throw failure(error, options.url, label)
    } finally {
      cut.clear()
      endQuietly(client)
    }
  }
}

/** begin, this transaction's limits, the project's lock: one round trip. */
function lockStatement(client: Client, project: string, waitMs: number, holdMs: number): string {
  const key = client.escapeLiteral(`sbx.registry:${project}`)
  const wait = Math.max(1, Math.floor(waitMs))
  return `begin;
set local idle_in_transaction_session_timeout = ${holdMs};
set local lock_timeout = ${wait};
set local statement_timeout = ${wait + 200};
select pg_advisory_xact_lock(hashtextextended(${key}, 0));
set local statement_timeout = ${holdMs};
set local lock_timeout = ${holdMs};`
}

/** Terminations that mean the server gave up on this session, not that it cannot be reached. */
function endedByServer(error: unknown): boolean {
  const code = (error as {code?: string}).code
  if (code === '25P03' || code === '57014' || code === '57P01') return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|not queryable|ECONNRESET/i.test(message)
}

interface DeadlineTimer {
  fired(): boolean
  clear(): void
}

function deadlineTimer(client: Client, deadline: number): DeadlineTimer {
  let fired = false
  const timer = setTimeout(
    () => {
      fired = true
      destroy(client)
    },
    Math.max(1, deadline - Date.now()),
  )
  return {fired: () => fired, clear: () => clearTimeout(timer)}
}

function destroy(client: Client): void {
  ;(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy()
}

/** A graceful goodbye when the link works, and never a wait for one that does not. */
function endQuietly(client: Client): void {
  const ended = client.end().catch(() => undefined)
  const timer = setTimeout(() => destroy(client), 1000)
  timer.unref()
  void ended.then(() => clearTimeout(timer))
}

/** Who holds the lock, when the server says so within what is left of the call. */
async function busyDetail(
  options: PostgresRegistryOptions,
  deadline: number,
  client: Client,
  cut: boolean,
): Promise<string> {
  const seconds = `its lock stayed taken for ${options.timeoutSeconds} s`
  if (cut || deadline - Date.now() < MIN_ATTEMPT_MS) return seconds
  try {
    const result = await client.query<{application_name: string; state: string | null; since: Date | null}>(
      `select a.application_name, a.state, a.xact_start as since from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.granted
         and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0) limit 1`,
      [`sbx.registry:${options.project}`],
    )
    const holder = result.rows[0]
    if (!holder) return seconds
    const who = holder.application_name || 'another session'
    return `${seconds}, held by ${who}${holder.state ? ` (${holder.state}${holder.since ? ` since ${holder.since.toISOString()}` : ''})` : ''}`
  } catch {
    return seconds
  }
}

async function connectWithin(url: string, label: string, deadline: number): Promise<Client> {
  const {default: pg} = await loadPg()
  let delay = 20
  for (;;) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) throw new RegistryUnavailableError(label, 'timed out')
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: Math.max(1, Math.ceil(remaining)),
      // The client notices a dead link too (the server's limits free the lock; this frees the socket).
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      // Named so that a busy registry's message (and pg_stat_activity) says who holds its lock.
      application_name: `sbx registry ${os.hostname()} pid ${process.pid}`.slice(0, 63),
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
      return client
    } catch (error) {
      endQuietly(client)
      const code = (error as {code?: string}).code
      if (!code || !RETRYABLE.has(code) || Date.now() + delay >= deadline) throw failure(error, url, label)
      // Jittered: 100 allocators refused at once must not all come back at the same instant.
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())))
      delay = Math.min(delay * 1.5, 250)
    }
  }
}

function failure(error: unknown, url: string, label: string): RegistryError {
  if (error instanceof RegistryError) return error
  const raw = error instanceof Error ? error.message : String(error)
  const code = (error as {code?: string}).code
  const detail = redactSecrets(raw.split('\n')[0] ?? raw, url)
  if (!code || !/^[0-9A-Z]{5}$/.test(code)) return new RegistryUnavailableError(label, detail)
  // The server answered: "unreachable" only for its connection-failure class (08) and a server going away.
  if (code.startsWith('08') || code.startsWith('57P'))
    return new RegistryUnavailableError(label, `${detail}, SQLSTATE ${code}`)
  const hint = code === '42501' ? '; a table from before leases needs sbx registry init run once as its owner' : ''
  return new RegistryRefusedError(label, `${detail}, SQLSTATE ${code}${hint}`)
}
