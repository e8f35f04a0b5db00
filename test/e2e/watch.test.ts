/**
 * `sbx watch` as users run it: the built CLI in a real process, a real chokidar watcher on real temp
 * folders, real writers (this process, `supabase migration new`, `sbx migration new`, a lock holder).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {WatchEvent} from '../../src/core/watch.js'
import {runSbx, startSbx} from '../helpers/cli.js'
import {DATABASE_KINDS, throwawayDatabase} from '../helpers/databases.js'
import {holdLock} from '../helpers/lock-holder.js'
import {gitProject, listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {supabase, supabasePush} from '../helpers/supabase.js'

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const version = (file: string) => file.slice(0, file.indexOf('_'))
/** The part of a migration name a rename never changes. */
const namePart = (file: string) => file.slice(file.indexOf('_') + 1)

interface Watching {
  /** stdout lines so far. */
  lines: string[]
  /** Parsed events (with --json). */
  events(): WatchEvent[]
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<void>
  /** Sends a signal and waits for the exit: {exitCode, ms from the signal to the exit}. */
  stop(signal?: NodeJS.Signals): Promise<{exitCode: number | undefined; ms: number; stderr: string}>
  process: ReturnType<typeof startSbx>
}

async function startWatch(dir: string, args: string[] = ['--json']): Promise<Watching> {
  const child = startSbx(['watch', ...args], {cwd: dir, timeoutMs: 120_000})
  const lines: string[] = []
  let buffered = ''
  const waiters = new Set<() => void>()
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    lines.push(...parts)
    for (const waiter of waiters) waiter()
  })
  let exited = false
  void child.then(() => {
    exited = true
    for (const waiter of waiters) waiter()
  })
  const watching: Watching = {
    lines,
    process: child,
    events: () => lines.map((line) => JSON.parse(line) as WatchEvent),
    waitForLine(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.some(match)) {
            cleanup()
            resolve()
          } else if (exited) {
            cleanup()
            child.then((r) => reject(new Error(`sbx watch exited ${r.exitCode}: ${String(r.stderr)}`)))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no matching line within ${timeoutMs} ms; stdout so far:\n${lines.join('\n')}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    async stop(signal = 'SIGINT') {
      const sent = performance.now()
      child.kill(signal)
      const result = await child
      return {exitCode: result.exitCode, ms: performance.now() - sent, stderr: String(result.stderr)}
    },
  }
  await watching.waitForLine((line) => /"event":"ready"|^watching /.test(line))
  return watching
}

/** Polls `condition` every 10 ms; resolves with the ms it took, or rejects after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (condition()) return performance.now() - started
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

function auditLines(dir: string): Array<Record<string, unknown>> {
  const file = path.join(dir, 'supabase', 'sbx-renames.jsonl')
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

function allDistinct(files: string[]): boolean {
  return new Set(files.map(version)).size === files.length
}

/** Name part → content hash of every migration in the folder. */
function contentByName(dir: string): Map<string, string> {
  const folder = migrationsDir(dir)
  return new Map(listMigrations(dir).map((file) => [namePart(file), sha(fs.readFileSync(path.join(folder, file)))]))
}

describe('sbx watch', () => {
  it('keeps the committed file and moves three newcomers written 50 ms apart within 1 s, one audit line each', async () => {
    const committed = '20260207080000_fix_numeric_search.sql'
    const dir = gitProject({[`supabase/migrations/${committed}`]: 'create table search (id int);\n'})
    const watching = await startWatch(dir, [])
    expect(watching.lines[0]).toBe('watching supabase/migrations (1 migration; Ctrl-C to stop)')

    const newcomers = ['grw011_churn_scoring.sql', 'ctx010_add_metadata.sql', 'sec006_security_monitoring.sql']
    const contents = new Map(newcomers.map((name, i) => [name, `-- ${name}\nselect ${i};\n`]))
    const firstWrite = performance.now()
    for (const name of newcomers) {
      fs.writeFileSync(path.join(migrationsDir(dir), `20260207080000_${name}`), contents.get(name) as string)
      await sleep(50)
    }
    await until(
      () => listMigrations(dir).length === 4 && allDistinct(listMigrations(dir)) && auditLines(dir).length === 3,
      5_000,
      'distinct versions and three audit lines',
    )
    expect(performance.now() - firstWrite).toBeLessThanOrEqual(1_000)

    const files = listMigrations(dir)
    expect(files).toContain(committed)
    for (const file of files.filter((f) => f !== committed)) {
      expect(version(file) > '20260207080000').toBe(true)
      expect(fs.readFileSync(path.join(migrationsDir(dir), file), 'utf8')).toBe(contents.get(namePart(file)))
    }
    const audit = auditLines(dir)
    expect(audit).toHaveLength(3)
    for (const entry of audit) {
      expect(entry).toMatchObject({reason: 'duplicate-version', kept: committed, by: {command: 'sbx watch'}})
      expect(entry.sha256).toBe(sha(contents.get(namePart(entry.from as string)) as string))
    }

    const {exitCode} = await watching.stop()
    expect(exitCode).toBe(0)
    const renamedLines = watching.lines.filter((line) => line.startsWith('renamed '))
    expect(renamedLines).toHaveLength(3)
    for (const entry of audit) {
      expect(renamedLines).toContain(`renamed ${entry.from} → ${entry.to} (duplicate of ${committed})`)
    }
    // Its own renames did not start passes that found more to do: exactly three audit lines, still.
    expect(auditLines(dir)).toHaveLength(3)
  })

  it('makes ten parallel `supabase migration new` calls distinct within 1.5 s of the last one', async () => {
    const dir = tmpProject({})
    const watching = await startWatch(dir)
    const results = await Promise.all(
      Array.from({length: 10}, (_, i) => supabase(['migration', 'new', `agent_${i}`], dir)),
    )
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0)
    const ms = await until(
      () => listMigrations(dir).length === 10 && allDistinct(listMigrations(dir)),
      10_000,
      'ten distinct versions',
    )
    expect(ms).toBeLessThanOrEqual(1_500)
    expect(new Set(listMigrations(dir).map(namePart)).size).toBe(10)
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('handles a burst of 300 files, 100 of them colliding, in a few passes: no duplicate, nothing lost or changed', async () => {
    const dir = tmpProject({})
    const watching = await startWatch(dir)
    const folder = migrationsDir(dir)
    const base = Date.UTC(2026, 2, 1)
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14)
    const originals = Array.from({length: 200}, (_, i) => `${stamp(base + i * 10_000)}_original_${i}.sql`)
    const colliders = Array.from({length: 100}, (_, i) => `${stamp(base + i * 20_000)}_collider_${i}.sql`)
    const written = new Map<string, string>()
    // The originals land first, so every collider is the newcomer of its pair.
    for (const file of [...originals, ...colliders]) {
      const content = `-- ${file}\ncreate table t_${namePart(file).replace('.sql', '')} (id int);\n`
      fs.writeFileSync(path.join(folder, file), content)
      written.set(namePart(file), sha(content))
    }

    await until(
      () => auditLines(dir).length >= 100 && allDistinct(listMigrations(dir)) && listMigrations(dir).length === 300,
      30_000,
      '300 files with distinct versions',
    )
    const {exitCode} = await watching.stop()
    expect(exitCode).toBe(0)

    expect(contentByName(dir)).toEqual(written)
    expect(allDistinct(listMigrations(dir))).toBe(true)
    const audit = auditLines(dir)
    expect(audit).toHaveLength(100)
    expect(audit.map((entry) => namePart(entry.from as string)).sort()).toEqual(colliders.map(namePart).sort())
    for (const file of originals) expect(fs.existsSync(path.join(folder, file))).toBe(true)

    const events = watching.events()
    expect(events.filter((e) => e.event === 'renamed')).toHaveLength(100)
    expect(events.filter((e) => e.event === 'error')).toEqual([])
    const stopped = events.at(-1)
    expect(stopped).toMatchObject({event: 'stopped', renames: 100})
    // One initial pass plus a few for the burst: nowhere near one per file.
    expect((stopped as {passes: number}).passes).toBeLessThanOrEqual(20)
  })

  it('exits 0 within 5 s of SIGINT, never holds the lock while idle, and leaves it free', async () => {
    const dir = gitProject({'supabase/migrations/20260101000000_init.sql': 'select 1;'})
    const watching = await startWatch(dir)

    const whileWatching = await runSbx(['migration', 'new', 'while_watching', '--lock-timeout', '0'], {cwd: dir})
    expect(whileWatching.exitCode, whileWatching.stderr).toBe(0)

    const {exitCode, ms} = await watching.stop('SIGINT')
    expect(exitCode).toBe(0)
    expect(ms).toBeLessThanOrEqual(5_000)
    expect(watching.events().at(-1)).toMatchObject({event: 'stopped'})

    const after = await runSbx(['migration', 'new', 'after_watch', '--lock-timeout', '0'], {cwd: dir})
    expect(after.exitCode, after.stderr).toBe(0)
    expect(auditLines(dir)).toEqual([])
  })

  it('prints exactly one JSON object per line under --json, and exits 0 on SIGTERM', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const watching = await startWatch(dir)
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_b.sql'), 'select 2;')
    await watching.waitForLine((line) => line.includes('"event":"renamed"'))
    expect((await watching.stop('SIGTERM')).exitCode).toBe(0)

    const parsed = watching.lines.map((line) => JSON.parse(line))
    expect(parsed.map((e) => e.event)).toEqual(['ready', 'renamed', 'stopped'])
    expect(parsed[0]).toEqual({event: 'ready', path: 'supabase/migrations', migrations: 1})
    expect(parsed[1]).toEqual({
      event: 'renamed',
      from: '20260101000000_b.sql',
      to: '20260101000001_b.sql',
      reason: 'duplicate-version',
      kept: '20260101000000_a.sql',
      sha256: sha('select 2;'),
    })
  })

  it('resolves what is already there at start, as fix would', async () => {
    const dir = gitProject({'supabase/migrations/20260101000000_committed.sql': 'select 1;'})
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_aaa_local.sql'), 'select 2;')
    const watching = await startWatch(dir)
    expect(listMigrations(dir)).toEqual(['20260101000000_committed.sql', '20260101000001_aaa_local.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
    expect(watching.events().map((e) => e.event)).toEqual(['renamed', 'ready', 'stopped'])
  })

  it('lets the file the watcher saw first keep the version, even against an older file renamed in', async () => {
    const dir = tmpProject({})
    const outside = path.join(tmpProject({}, {config: false}), 'moved_in.sql')
    fs.writeFileSync(outside, 'select 1;') // born first, but arrives second
    await sleep(20)
    const watching = await startWatch(dir)
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_zzz_first.sql'), 'select 2;')
    await sleep(30)
    fs.renameSync(outside, path.join(migrationsDir(dir), '20260101000000_aaa_second.sql'))

    await until(() => auditLines(dir).length === 1 && allDistinct(listMigrations(dir)), 10_000, 'one rename')
    expect(listMigrations(dir)).toEqual(['20260101000000_zzz_first.sql', '20260101000001_aaa_second.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('acts only on complete files: one written in pieces, one large, one that vanishes first', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const folder = migrationsDir(dir)
    const watching = await startWatch(dir)

    // A file that vanishes before it is handled is no error.
    fs.writeFileSync(path.join(folder, '20260101000000_gone.sql'), 'select 0;')
    await sleep(20)
    fs.rmSync(path.join(folder, '20260101000000_gone.sql'))

    const large = Buffer.alloc(8 * 1024 * 1024, '-- padding line of a large migration\n')
    const bigWrite = fs.promises.writeFile(path.join(folder, '20260101000000_large.sql'), large)
    const pieces = ['create table p (', 'id int', ', name text', ', note text', ', at timestamptz', ');\n']
    const handle = await fs.promises.open(path.join(folder, '20260101000000_pieces.sql'), 'w')
    await handle.write(pieces[0] as string)
    // A small file completes while the other is still being written: its pass must leave the other alone.
    fs.writeFileSync(path.join(folder, '20260101000000_small.sql'), 'select 3;')
    for (const piece of pieces.slice(1)) {
      await sleep(60)
      await handle.write(piece)
    }
    await handle.close()
    await bigWrite

    await until(() => auditLines(dir).length === 3 && allDistinct(listMigrations(dir)), 10_000, 'three renames')
    const bySource = new Map(auditLines(dir).map((entry) => [entry.from, entry]))
    expect(bySource.get('20260101000000_pieces.sql')?.sha256).toBe(sha(pieces.join('')))
    expect(bySource.get('20260101000000_large.sql')?.sha256).toBe(sha(large))
    expect(bySource.get('20260101000000_small.sql')?.sha256).toBe(sha('select 3;'))
    expect(contentByName(dir).get('large.sql')).toBe(sha(large))
    expect((await watching.stop()).exitCode).toBe(0)
    expect(watching.events().filter((e) => e.event === 'error')).toEqual([])
  })

  it('waits for the lock another process holds, then resolves the collision', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const watching = await startWatch(dir)
    const holder = await holdLock(dir)
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_b.sql'), 'select 2;')
    await sleep(600)
    expect(auditLines(dir)).toEqual([])
    // SIGTERM: proper-lockfile removes the lock on the way out.
    holder.process.kill('SIGTERM')
    await holder.process
    const released = Date.now()
    await until(() => auditLines(dir).length === 1, 10_000, 'the rename after the lock is free')
    expect(Date.parse(auditLines(dir)[0]?.at as string)).toBeGreaterThanOrEqual(released - 5)
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_b.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('finishes the rename in flight on SIGINT mid-burst, and a SIGKILL mid-burst loses nothing', async () => {
    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const dir = tmpProject({})
      const folder = migrationsDir(dir)
      const watching = await startWatch(dir)
      const written = new Map<string, string>()
      for (let i = 0; i < 150; i++) {
        const file = `20260301${String(i).padStart(4, '0')}00_pair_${i}_b.sql`
        for (const name of [`20260301${String(i).padStart(4, '0')}00_pair_${i}_a.sql`, file]) {
          fs.writeFileSync(path.join(folder, name), `-- ${name}\n`)
          written.set(namePart(name), sha(`-- ${name}\n`))
        }
      }
      await until(() => auditLines(dir).length > 0, 10_000, 'the first rename')
      const {exitCode} = await watching.stop(signal)
      if (signal === 'SIGINT') expect(exitCode).toBe(0)

      // No half-done rename (two names for one file) after a graceful stop, and no lost content either way.
      const hashes = new Set(listMigrations(dir).map((f) => sha(fs.readFileSync(path.join(folder, f)))))
      for (const hash of written.values()) expect(hashes.has(hash)).toBe(true)
      if (signal === 'SIGINT') {
        for (const file of listMigrations(dir)) expect(fs.statSync(path.join(folder, file)).nlink).toBe(1)
        for (const entry of auditLines(dir)) expect(fs.existsSync(path.join(folder, entry.to as string))).toBe(true)
      }

      // The next run (after a stale lock expires) completes what was interrupted and resolves the rest.
      const fixed = await runSbx(['fix', '--lock-timeout', '30'], {cwd: dir})
      expect(fixed.exitCode, fixed.stderr).toBe(0)
      expect(allDistinct(listMigrations(dir))).toBe(true)
      expect(contentByName(dir)).toEqual(written)
    }
  })
})

describe.each(DATABASE_KINDS)('sbx watch --db-url (%s)', (kind) => {
  it('never renames an applied file, and re-reads what is applied before each pass', async () => {
    const db = await throwawayDatabase(kind)
    const dir = tmpProject({'supabase/migrations/20260101000000_init.sql': 'create table a (id int);\n'})
    const pushed = await supabasePush(dir, db.url)
    expect(pushed.exitCode, pushed.stderr).toBe(0)
    const folder = migrationsDir(dir)
    const watching = await startWatch(dir, ['--json', '--db-url', db.url])

    // A newcomer with the applied version, older on disk and first by name: it moves all the same.
    const outside = path.join(os.tmpdir(), `sbx-watch-${process.pid}-${Date.now()}.sql`)
    fs.writeFileSync(outside, 'create table b (id int);\n')
    fs.renameSync(outside, path.join(folder, '20260101000000_aaa_newcomer.sql'))
    await watching.waitForLine((line) => line.includes('"event":"renamed"'))
    expect(listMigrations(dir)).toEqual(['20260101000000_init.sql', '20260101000001_aaa_newcomer.sql'])

    // Another machine pushes a later migration; a file written here afterwards must sort after it.
    const elsewhere = tmpProject({
      'supabase/migrations/20260101000000_init.sql': 'create table a (id int);\n',
      'supabase/migrations/20260105000000_elsewhere.sql': 'create table e (id int);\n',
    })
    const pushedElsewhere = await supabasePush(elsewhere, db.url)
    expect(pushedElsewhere.exitCode, pushedElsewhere.stderr).toBe(0)
    fs.writeFileSync(path.join(folder, '20260103000000_late.sql'), 'create table l (id int);\n')
    await until(() => auditLines(dir).length === 3, 10_000, 'the out-of-order renames')

    // Both unapplied files now sort before the newest applied version: both move after it.
    expect(auditLines(dir).slice(1)).toMatchObject([
      {from: '20260101000001_aaa_newcomer.sql', to: '20260105000001_aaa_newcomer.sql', reason: 'out-of-order'},
      {from: '20260103000000_late.sql', to: '20260105000002_late.sql', reason: 'out-of-order'},
    ])
    expect(listMigrations(dir)).toEqual([
      '20260101000000_init.sql',
      '20260105000001_aaa_newcomer.sql',
      '20260105000002_late.sql',
    ])
    expect((await watching.stop()).exitCode).toBe(0)
    expect(watching.events().filter((e) => e.event === 'error')).toEqual([])
  })
})

describe('sbx watch --db-url when the database goes away', () => {
  async function serve(port: number) {
    const {PGlite} = await import('@electric-sql/pglite')
    const {PGLiteSocketServer} = await import('@electric-sql/pglite-socket')
    const db = await PGlite.create()
    const server = new PGLiteSocketServer({db, port, host: '127.0.0.1', maxConnections: 8})
    await server.start()
    let stopped = false
    const stop = async () => {
      if (stopped) return
      stopped = true
      await server.stop()
      await db.close()
    }
    onTestFinished(stop)
    return {port: Number(server.getServerConn().split(':').at(-1)), stop}
  }

  it('renames nothing while it cannot read what is applied, says so, and reconnects when it is back', async () => {
    const first = await serve(0)
    const url = `postgresql://postgres:postgres@127.0.0.1:${first.port}/postgres?sslmode=disable`
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const watching = await startWatch(dir, ['--json', '--db-url', url])

    await first.stop()
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_b.sql'), 'select 2;')
    await watching.waitForLine((line) => line.includes('"event":"error"'))
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000000_b.sql'])
    expect(watching.events().find((e) => e.event === 'error')).toMatchObject({code: 'EDATABASE'})

    await serve(first.port)
    await watching.waitForLine((line) => line.includes('"event":"renamed"'))
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_b.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })
})
