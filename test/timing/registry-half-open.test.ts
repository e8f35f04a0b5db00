/**
 * The Postgres registry against a half-open link and a lock someone keeps: the built CLI in real processes,
 * the real PostgreSQL server, a loopback proxy that stops forwarding right after the registry's lock was granted.
 * In the `timing` project (alone, after every other file): its bounds are on exit time from spawn (timeout + 2 s),
 * and run beside the 4 × 25-process registry load test the cut-off clone was killed at 12 s (measured), the
 * machine's load and not sbx's bound.
 */
import pg from 'pg'
import {describe, expect, it, onTestFinished} from 'vitest'
import {type RunOptions, type RunResult, runSbx, startSbx} from '../helpers/cli.js'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {bareOrigin, cloneOf, migrationFiles, pausingProxy, sbxToml} from '../helpers/registry.js'

async function sbx(args: string[], options: RunOptions): Promise<RunResult> {
  const result = await runSbx(args, {...options, env: {SUPABASE_WORKDIR: undefined, ...options.env}})
  return {...result, stderr: result.stderr.replace(/[ \t]*\n ›[ \t]+/g, ' ')}
}

interface LockRow {
  pid: number
  application_name: string
  state: string
}

const LOCKS = `select a.pid, a.application_name, a.state from pg_locks l join pg_stat_activity a on a.pid = l.pid
  where l.locktype = 'advisory' and l.granted and a.datname = current_database()`

describe('Postgres registry: a half-open link and a held lock', () => {
  needsServer()

  it('a clone cut off mid-transaction frees the lock within the bound: another clone gets through, the cut one exits 5 within timeout + 2 s', async () => {
    const TIMEOUT = 10
    const db = await throwawayDatabase('postgres')
    const url = new URL(db.url)
    const proxy = await pausingProxy({host: url.hostname, port: Number(url.port || 5432)}, 'pg_advisory_xact_lock')
    const viaProxy = new URL(db.url)
    viaProxy.port = String(proxy.port)
    const origin = bareOrigin()
    const cutOff = cloneOf(origin, sbxToml({url: viaProxy.toString(), project: 'shop', timeout: TIMEOUT}))
    const healthy = cloneOf(origin, sbxToml({url: db.url, project: 'shop', timeout: TIMEOUT}))

    const started = Date.now()
    const stuck = startSbx(['migration', 'new', 'cut_off'], {
      cwd: cutOff,
      env: {SUPABASE_WORKDIR: undefined},
      // The bound itself: still running at timeout + 2 s, it is killed and fails the exit-code check below.
      timeoutMs: (TIMEOUT + 2) * 1000,
    })
    await proxy.paused
    // The orphan: its backend holds the registry's lock, idle in transaction, and its client hears nothing.
    const orphan = await db.query<LockRow>(LOCKS)
    expect(orphan).toEqual([expect.objectContaining({state: 'idle in transaction'})])
    expect(orphan[0]?.application_name).toMatch(/^sbx registry .* pid \d+$/)

    const through = await sbx(['migration', 'new', 'gets_through', '--json'], {cwd: healthy, timeoutMs: TIMEOUT * 1000})
    const throughAfter = Date.now() - started
    expect(through.exitCode).toBe(0)
    expect(JSON.parse(through.stdout).registry.reserved).toBe(true)

    const cut = await stuck
    const cutAfter = Date.now() - started
    expect(cut.exitCode).toBe(5)
    expect(String(cut.stderr).replace(/[ \t]*\n ›[ \t]+/g, ' ')).toContain(
      `is unreachable (no answer within ${TIMEOUT} s)`,
    )
    expect(migrationFiles(cutOff)).toEqual([])

    // No lock outlives the orphan: its backend ended itself (idle_in_transaction_session_timeout).
    let remaining = await db.query<LockRow>(LOCKS)
    for (let i = 0; i < 1000 && remaining.length > 0; i++) remaining = await db.query<LockRow>(LOCKS)
    expect(remaining).toEqual([])
    const backend = await db.query('select 1 from pg_stat_activity where pid = $1', [orphan[0]?.pid])
    expect(backend).toEqual([])
    const rows = await db.query<{name: string; state: string}>('select name, state from sbx.reservations')
    expect(rows).toEqual([{name: 'gets_through', state: 'reserved'}])
    console.log(
      `half-open: the other clone exited 0 after ${throughAfter} ms; the cut-off one exited 5 after ${cutAfter} ms`,
    )
  }, 60_000)

  it('a lock kept by another session: exit 4 EREGISTRYBUSY naming the holder, not "unreachable", nothing written', async () => {
    const TIMEOUT = 3
    const db = await throwawayDatabase('postgres')
    const keeper = new pg.Client({connectionString: db.url, application_name: 'a long report'})
    await keeper.connect()
    onTestFinished(() => keeper.end())
    await keeper.query('begin')
    await keeper.query(`select pg_advisory_xact_lock(hashtextextended('sbx.registry:shop', 0))`)
    const clone = cloneOf(bareOrigin(), sbxToml({url: db.url, project: 'shop', timeout: TIMEOUT}))
    for (const json of [false, true]) {
      const result = await sbx(['migration', 'new', 'blocked', ...(json ? ['--json'] : [])], {
        cwd: clone,
        timeoutMs: (TIMEOUT + 2) * 1000,
      })
      expect(result.exitCode).toBe(4)
      const message = json ? JSON.parse(result.stdout).error.message : result.stderr
      expect(message).toContain(
        `is busy (its lock stayed taken for ${TIMEOUT} s, held by a long report (idle in transaction since`,
      )
      expect(message).not.toContain('unreachable')
      expect(message).not.toContain('migrations lock')
      if (json) expect(JSON.parse(result.stdout).error.code).toBe('EREGISTRYBUSY')
    }
    expect(migrationFiles(clone)).toEqual([])

    // Calls queued in one clone behind the call that waits: each gets the registry's answer, none blames the
    // migrations lock, each within timeout + 2 s of its start (still running then, it is killed: exit code -1).
    const queued = await Promise.all(
      Array.from({length: 6}, (_, i) =>
        sbx(['migration', 'new', `queued_${i}`, '--json'], {cwd: clone, timeoutMs: (TIMEOUT + 2) * 1000}),
      ),
    )
    expect(queued.map((r) => [r.exitCode, JSON.parse(r.stdout).error?.code])).toEqual(
      Array.from({length: 6}, () => [4, 'EREGISTRYBUSY']),
    )
    expect(migrationFiles(clone)).toEqual([])
    await keeper.query('rollback')
    const freed = await sbx(['migration', 'new', 'freed'], {cwd: clone})
    expect(freed.exitCode).toBe(0)
  }, 60_000)
})
