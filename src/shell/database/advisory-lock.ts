/**
 * A Postgres advisory lock on the deploy target, held on one dedicated connection for the whole push
 * (through a pool, lock and unlock can land on different connections). It dies with the connection, so
 * a push killed with SIGKILL blocks nobody. Our application_name tells a waiter who holds it.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import type {Client} from 'pg'
import {LockTimeoutError} from '../../core/errors.js'

/** One fixed key for "someone is deploying migrations to this database" (ASCII 'sbxpush'). */
export const PUSH_LOCK_KEY = '32477891744068456'

export async function describeSelf(client: Client, description: string): Promise<void> {
  await client.query('select set_config($1, $2, false)', ['application_name', description.slice(0, 63)])
}

export async function acquirePushLock(
  client: Client,
  options: {timeoutSeconds: number; onWait?: (holder: string) => void},
): Promise<void> {
  await pollUntilFree(options, {
    holder: async () => {
      const {rows} = await client.query<{ok: boolean}>('select pg_try_advisory_lock($1::bigint) as ok', [PUSH_LOCK_KEY])
      return rows[0]?.ok ? undefined : lockHolder(client)
    },
    timedOut: (holder) =>
      new LockTimeoutError(
        `Timed out after ${options.timeoutSeconds}s waiting for the deploy lock on the database, held by ${holder}.`,
        ['Wait for the other push to finish, or raise --lock-timeout.'],
      ),
  })
}

/**
 * Asks `holder` every 250 ms until it names nobody; reports the first holder it names (onWait), and after the
 * timeout throws what `timedOut` makes of the last one.
 */
async function pollUntilFree(
  options: {timeoutSeconds: number; onWait?: (holder: string) => void},
  wait: {holder: () => Promise<string | undefined>; timedOut: (holder: string) => LockTimeoutError},
): Promise<void> {
  const deadline = Date.now() + options.timeoutSeconds * 1000
  let reported = false
  for (;;) {
    const holder = await wait.holder()
    if (holder === undefined) return
    if (!reported) {
      reported = true
      options.onWait?.(holder)
    }
    if (Date.now() >= deadline) throw wait.timedOut(holder)
    await sleep(250)
  }
}

/**
 * supabase's own database client names itself so (supabase 3.x runs @effect/sql-pg). A push whose supabase was
 * killed leaves its backend running on the server: Postgres notices the dead client only when it next writes, and
 * by then the pipelined file and its history row have committed (measured on PostgreSQL 15: a file with
 * `select pg_sleep(6)`, supabase killed after 3 s, was recorded 3 s later).
 */
const SUPABASE_CLIENT_NAMES = ['@effect/sql-pg']

/**
 * Waits, under the deploy lock, until no supabase push is still running in this database: an orphaned backend
 * (its supabase and guardian killed together), or a bare `supabase db push` someone started by hand.
 */
export async function waitForRunningPushes(
  client: Client,
  options: {timeoutSeconds: number; onWait?: (holder: string) => void},
): Promise<void> {
  await pollUntilFree(options, {
    holder: async () => {
      const {rows} = await client.query<{pid: number; query: string}>(
        `select pid, left(query, 60) as query from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and application_name = any($1) and state <> 'idle'`,
        [SUPABASE_CLIENT_NAMES],
      )
      const [running] = rows
      return running
        ? `a supabase db push still running on the server (backend pid ${running.pid}: ${running.query.replace(/\s+/gu, ' ')})`
        : undefined
    },
    timedOut: (holder) =>
      new LockTimeoutError(`Timed out after ${options.timeoutSeconds}s waiting for ${holder}.`, [
        'Wait for it to finish, or raise --lock-timeout.',
      ]),
  })
}

export async function releasePushLock(client: Client): Promise<void> {
  await client.query('select pg_advisory_unlock($1::bigint)', [PUSH_LOCK_KEY]).catch(() => undefined)
}

async function lockHolder(client: Client): Promise<string> {
  const key = BigInt(PUSH_LOCK_KEY)
  const {rows} = await client
    .query<{application_name: string | null; client_addr: string | null; pid: number}>(
      `select a.application_name, a.client_addr::text as client_addr, a.pid
         from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.classid = $1 and l.objid = $2`,
      [Number(key >> 32n), Number(key & 0xffffffffn)],
    )
    .catch(() => ({rows: []}))
  const row = rows[0]
  if (!row) return 'another sbx push'
  return `${row.application_name || 'another client'} (backend pid ${row.pid}${row.client_addr ? ` from ${row.client_addr}` : ''})`
}
