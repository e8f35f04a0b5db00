/**
 * `sbx watch` as users run it: the built CLI in a real process, a real fs.watch watcher on real temp
 * folders, real writers (this process, `supabase migration new`, `sbx migration new`, a lock holder).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {WatchEvent} from '../../src/core/watch/watch.js'
import {runSbx, startSbx} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {holdLock} from '../helpers/lock-holder.js'
import {gitProject, listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {supabase, supabasePush} from '../helpers/supabase.js'

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const version = (file: string) => file.slice(0, file.indexOf('_'))
/** The part of a migration name a rename never changes. */
const namePart = (file: string) => file.slice(file.indexOf('_') + 1)

/**
 * For tests that run real supabase binaries, databases or stale-lock waits: a guard against a hang, not a
 * timing assertion. On the shared 2-core machine (load average up to 26 measured) ten parallel `supabase
 * migration new` took 62 s, and a PGlite server restart plus the watch's retry back-off about as long.
 */
const HEAVY_TIMEOUT_MS = 240_000

type Event<K extends WatchEvent['event']> = Extract<WatchEvent, {event: K}>

interface Watching {
  /** stdout lines so far. */
  lines: string[]
  /** stderr lines so far. */
  errorLines: string[]
  /** Parsed events (with --json). */
  events(): WatchEvent[]
  eventsOf<K extends WatchEvent['event']>(kind: K): Array<Event<K>>
  /**
   * Resolves once `condition` holds, checked now and after every line sbx prints (stdout or stderr): sbx
   * prints an event after the change it reports, so the state a condition reads is settled by then.
   */
  waitFor(condition: () => boolean, what: string): Promise<void>
  waitForLine(match: (line: string) => boolean): Promise<void>
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{exitCode: number | undefined; stderr: string}>
  exited(): boolean
  process: ReturnType<typeof startSbx>
}

async function startWatch(dir: string, args: string[] = ['--json']): Promise<Watching> {
  const child = startSbx(['watch', ...args], {cwd: dir, timeoutMs: 120_000})
  const lines: string[] = []
  const errorLines: string[] = []
  const waiting = new Set<string>()
  onTestFinished(async () => {
    if (waiting.size > 0) {
      console.error(
        `still waiting for ${[...waiting].join(', ')}; stdout:\n${lines.join('\n')}\nstderr:\n${errorLines.join('\n')}`,
      )
    }
    child.kill('SIGKILL')
    await child
  })
  const waiters = new Set<() => void>()
  const follow = (stream: NodeJS.ReadableStream | null | undefined, into: string[]) => {
    let buffered = ''
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      into.push(...parts)
      for (const waiter of waiters) waiter()
    })
  }
  follow(child.stdout, lines)
  follow(child.stderr, errorLines)
  let exited = false
  void child.then(() => {
    exited = true
    for (const waiter of waiters) waiter()
  })
  const events = () => lines.map((line) => JSON.parse(line) as WatchEvent)
  const watching: Watching = {
    lines,
    errorLines,
    process: child,
    events,
    eventsOf: <K extends WatchEvent['event']>(kind: K) => events().filter((e): e is Event<K> => e.event === kind),
    exited: () => exited,
    waitFor(condition, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (condition()) {
            waiters.delete(check)
            waiting.delete(what)
            resolve()
          } else if (exited) {
            waiters.delete(check)
            child.then((r) =>
              reject(
                new Error(`sbx watch exited ${r.exitCode} before ${what}: ${String(r.stderr)}\n${lines.join('\n')}`),
              ),
            )
          }
        }
        // No timer of its own: the test's timeout ends a wait that never ends; what it waited for is printed.
        waiting.add(what)
        waiters.add(check)
        check()
      })
    },
    waitForLine(match) {
      return watching.waitFor(() => lines.some(match) || errorLines.some(match), 'a matching line')
    },
    async stop(signal = 'SIGINT') {
      child.kill(signal)
      const result = await child
      return {exitCode: result.exitCode, stderr: String(result.stderr)}
    },
  }
  await watching.waitForLine((line) => /"event":"ready"|^watching /.test(line))
  return watching
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

/** sha256 in the latest renamed/updated event for the migration with this name part. */
function latestSha(events: WatchEvent[], name: string): string | undefined {
  return events
    .filter((e): e is Event<'renamed' | 'updated'> => e.event === 'renamed' || e.event === 'updated')
    .findLast((e) => namePart(e.to) === name)?.sha256
}

/** Name part → content hash of every migration in the folder. */
function contentByName(dir: string): Map<string, string> {
  const folder = migrationsDir(dir)
  return new Map(listMigrations(dir).map((file) => [namePart(file), sha(fs.readFileSync(path.join(folder, file)))]))
}

describe('sbx watch', () => {
  it('keeps the committed file and moves three newcomers written 50 ms apart, one audit line each', async () => {
    const committed = '20260207080000_fix_numeric_search.sql'
    const dir = gitProject({[`supabase/migrations/${committed}`]: 'create table search (id int);\n'})
    const watching = await startWatch(dir, [])
    expect(watching.lines[0]).toBe('watching supabase/migrations (1 migration; Ctrl-C to stop)')

    const newcomers = ['grw011_churn_scoring.sql', 'ctx010_add_metadata.sql', 'sec006_security_monitoring.sql']
    const contents = new Map(newcomers.map((name, i) => [name, `-- ${name}\nselect ${i};\n`]))
    for (const name of newcomers) {
      fs.writeFileSync(path.join(migrationsDir(dir), `20260207080000_${name}`), contents.get(name) as string)
      // The writers' pace in this scenario, not a wait for sbx.
      await sleep(50)
    }
    await watching.waitFor(
      () => watching.lines.filter((line) => line.startsWith('renamed ')).length === 3,
      'three renamed lines',
    )
    expect(listMigrations(dir)).toHaveLength(4)
    expect(allDistinct(listMigrations(dir))).toBe(true)

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

  it(
    'makes ten parallel `supabase migration new` calls distinct',
    async () => {
      const dir = tmpProject({})
      const watching = await startWatch(dir)
      const results = await Promise.all(
        Array.from({length: 10}, (_, i) => supabase(['migration', 'new', `agent_${i}`], dir)),
      )
      for (const result of results) expect(result.exitCode, result.stderr).toBe(0)
      // Checked now and after each event: once the last rename is reported, the folder is distinct.
      await watching.waitFor(() => allDistinct(listMigrations(dir)), 'ten distinct versions')
      expect(listMigrations(dir)).toHaveLength(10)
      expect(new Set(listMigrations(dir).map(namePart)).size).toBe(10)
      expect((await watching.stop()).exitCode).toBe(0)
    },
    HEAVY_TIMEOUT_MS,
  )

  it(
    'handles a burst of 300 files, 100 of them colliding, in a few passes: no duplicate, nothing lost or changed',
    async () => {
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

      await watching.waitFor(() => watching.eventsOf('renamed').length === 100, '100 renames')
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
    },
    HEAVY_TIMEOUT_MS,
  )

  it('exits 0 on SIGINT, never holds the lock while idle, and leaves it free', async () => {
    const dir = gitProject({'supabase/migrations/20260101000000_init.sql': 'select 1;'})
    const watching = await startWatch(dir)

    const whileWatching = await runSbx(['migration', 'new', 'while_watching', '--lock-timeout', '0'], {cwd: dir})
    expect(whileWatching.exitCode, whileWatching.stderr).toBe(0)

    const {exitCode} = await watching.stop('SIGINT')
    expect(exitCode).toBe(0)
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
    const watching = await startWatch(dir)
    // One writer, one after the other: the watcher reads its events in this order.
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_zzz_first.sql'), 'select 2;')
    fs.renameSync(outside, path.join(migrationsDir(dir), '20260101000000_aaa_second.sql'))

    await watching.waitFor(() => watching.eventsOf('renamed').length === 1, 'one rename')
    expect(listMigrations(dir)).toEqual(['20260101000000_zzz_first.sql', '20260101000001_aaa_second.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('reports the final content of files written in pieces, large, or vanishing first', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const folder = migrationsDir(dir)
    const watching = await startWatch(dir)

    // A file that vanishes before it is handled is no error.
    fs.writeFileSync(path.join(folder, '20260101000000_gone.sql'), 'select 0;')
    fs.rmSync(path.join(folder, '20260101000000_gone.sql'))

    const large = Buffer.alloc(8 * 1024 * 1024, '-- padding line of a large migration\n')
    const bigWrite = fs.promises.writeFile(path.join(folder, '20260101000000_large.sql'), large)
    const pieces = ['create table p (', 'id int', ', name text', ', note text', ', at timestamptz', ');\n']
    const handle = await fs.promises.open(path.join(folder, '20260101000000_pieces.sql'), 'w')
    await handle.write(pieces[0] as string)
    // A small file completes while the other is still being written: its pass must leave the other alone.
    fs.writeFileSync(path.join(folder, '20260101000000_small.sql'), 'select 3;')
    for (const piece of pieces.slice(1)) {
      // The writer's pace. If a pause outlasts the quiet period on a busy machine, the file is renamed
      // mid-write and the rest lands in the renamed file through the open handle: the outcome is the same.
      await sleep(60)
      await handle.write(piece)
    }
    await handle.close()
    await bigWrite

    const expected = new Map([
      ['pieces.sql', sha(pieces.join(''))],
      ['large.sql', sha(large)],
      ['small.sql', sha('select 3;')],
    ])
    await watching.waitFor(
      () => [...expected].every(([name, hash]) => latestSha(watching.events(), name) === hash),
      'the final content of the three files in their latest events',
    )
    expect(allDistinct(listMigrations(dir))).toBe(true)
    for (const [name, hash] of expected) expect(contentByName(dir).get(name)).toBe(hash)
    // The audit file agrees with the events: its latest line for each file carries the final sha256.
    for (const [name, hash] of expected) {
      expect(auditLines(dir).findLast((entry) => namePart(entry.to as string) === name)?.sha256).toBe(hash)
    }
    expect((await watching.stop()).exitCode).toBe(0)
    expect(watching.events().filter((e) => e.event === 'error')).toEqual([])
  })

  it('waits for the lock another process holds, then resolves the collision', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const watching = await startWatch(dir)
    const holder = await holdLock(dir)
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_b.sql'), 'select 2;')
    // sbx says on stderr whom it waits for: the pass has started and is blocked on the lock.
    await watching.waitForLine((line) => line.includes('waiting for the migrations lock held by'))
    expect(auditLines(dir)).toEqual([])
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000000_b.sql'])
    // SIGTERM: proper-lockfile removes the lock on the way out.
    holder.process.kill('SIGTERM')
    await holder.process
    await watching.waitFor(() => watching.eventsOf('renamed').length === 1, 'the rename after the lock is free')
    expect(auditLines(dir)).toHaveLength(1)
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_b.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it(
    'finishes the rename in flight on SIGINT mid-burst, and a SIGKILL mid-burst loses nothing',
    async () => {
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
        await watching.waitFor(() => watching.eventsOf('renamed').length > 0, 'the first rename')
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
    },
    HEAVY_TIMEOUT_MS,
  )
})

describe('sbx watch: what a writer does through the old name after the rename', () => {
  const committed = '20260101000000_committed.sql'
  const oldName = '20260101000000_agent.sql'

  /** A watched git project with a committed migration; `oldName` collides with it, so it always moves. */
  async function watchedProject() {
    const dir = gitProject({[`supabase/migrations/${committed}`]: 'create table c (id int);\n'})
    const watching = await startWatch(dir)
    const folder = migrationsDir(dir)
    /** Waits for the event that reports `hash` as the latest content of the agent's migration. */
    const contentReported = (hash: string, what: string) =>
      watching.waitFor(() => latestSha(watching.events(), 'agent.sql') === hash, what)
    /** The one migration with the agent's name: it moved off the committed version and holds `content`. */
    const expectOneMigration = (content: string) => {
      const agents = listMigrations(dir).filter((file) => namePart(file) === 'agent.sql')
      expect(agents).toHaveLength(1)
      expect(version(agents[0] as string) > version(committed)).toBe(true)
      expect(fs.readFileSync(path.join(folder, agents[0] as string), 'utf8')).toBe(content)
      expect(allDistinct(listMigrations(dir))).toBe(true)
      // The latest audit line for it carries the final content's hash.
      const latest = auditLines(dir).findLast((entry) => entry.to === agents[0])
      expect(latest?.sha256).toBe(sha(content))
      return agents[0] as string
    }
    return {dir, folder, watching, contentReported, expectOneMigration}
  }

  it('seven appends 0.5 s apart make one migration with all seven parts, in order', async () => {
    const {dir, folder, watching, contentReported, expectOneMigration} = await watchedProject()
    const parts = Array.from({length: 7}, (_, i) => `insert into c values (${i});\n`)
    for (const [i, part] of parts.entries()) {
      if (i > 0) await sleep(500) // the writer's pace: every pause is long enough for a rename
      fs.appendFileSync(path.join(folder, oldName), part)
    }
    await contentReported(sha(parts.join('')), 'all seven parts in the migration')
    const file = expectOneMigration(parts.join(''))
    expect(fs.existsSync(path.join(folder, oldName))).toBe(false)

    const events = watching.events().filter((e) => e.event === 'renamed' || e.event === 'updated')
    expect(events[0]).toMatchObject({event: 'renamed', from: oldName, to: file})
    // The first part, or (on a busy machine, if the pass came late) the first few: never anything else.
    const prefixes = parts.map((_, i) => sha(parts.slice(0, i + 1).join('')))
    expect(prefixes).toContain(events[0]?.sha256)
    // Each follow-up is an event and an audit line of its own.
    expect(events.slice(1).every((e) => e.event === 'updated' && e.reason === 'appended-after-rename')).toBe(true)
    const audit = auditLines(dir)
    expect(audit.slice(1).every((entry) => entry.reason === 'appended-after-rename' && entry.from === oldName)).toBe(
      true,
    )
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it(
    '`supabase migration new x`, then the SQL written to the printed path 1.5 s later: one migration holding the SQL',
    async () => {
      const dir = tmpProject({})
      const folder = migrationsDir(dir)
      // Every version of the next minute is taken, so supabase's file collides whenever it runs.
      const now = Date.now()
      const stamp = (ms: number) => new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14)
      fs.mkdirSync(folder, {recursive: true})
      for (let s = 0; s < 60; s++) fs.writeFileSync(path.join(folder, `${stamp(now + s * 1000)}_taken.sql`), '')
      const watching = await startWatch(dir)

      const created = await supabase(['migration', 'new', 'x'], dir)
      expect(created.exitCode, created.stderr).toBe(0)
      const printed = /Created new migration at (\S+\.sql)/.exec(created.stdout + created.stderr)?.[1] as string
      const printedName = path.basename(printed)
      await watching.waitFor(
        () => watching.eventsOf('renamed').some((e) => e.from === printedName),
        'the rename of the empty file',
      )
      await sleep(1_500) // the agent writes its SQL later, to the path it was told
      const sql = 'create table x (id int primary key);\n'
      fs.writeFileSync(path.join(dir, printed), sql)
      await watching.waitFor(() => latestSha(watching.events(), 'x.sql') === sha(sql), 'the SQL in the migration')

      const xs = listMigrations(dir).filter((file) => namePart(file) === 'x.sql')
      expect(xs).toHaveLength(1)
      expect(xs[0]).not.toBe(printedName)
      expect(fs.readFileSync(path.join(folder, xs[0] as string), 'utf8')).toBe(sql)
      expect(allDistinct(listMigrations(dir))).toBe(true)
      expect(auditLines(dir).findLast((entry) => entry.to === xs[0])).toMatchObject({
        from: printedName,
        reason: 'rewritten-after-rename',
        sha256: sha(sql),
      })
      expect((await watching.stop()).exitCode).toBe(0)
    },
    HEAVY_TIMEOUT_MS,
  )

  it('a truncate-and-rewrite that keeps what was there becomes the new content, not doubled', async () => {
    const {folder, watching, contentReported, expectOneMigration} = await watchedProject()
    const first = 'create table agent (id int);\n'
    fs.writeFileSync(path.join(folder, oldName), first)
    await contentReported(sha(first), 'the rename')
    const rewritten = `${first}create index on agent (id);\n`
    fs.writeFileSync(path.join(folder, oldName), rewritten)
    await contentReported(sha(rewritten), 'the rewrite')
    expectOneMigration(rewritten)
    expect(watching.eventsOf('updated').at(-1)?.reason).toBe('rewritten-after-rename')
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('an atomic replace (a temp file renamed over the old name) becomes the new content', async () => {
    const {folder, watching, contentReported, expectOneMigration} = await watchedProject()
    fs.writeFileSync(path.join(folder, oldName), 'create table agent (id int);\n')
    await contentReported(sha('create table agent (id int);\n'), 'the rename')
    // As editors save: the whole new content in a temp file beside it, renamed over the name.
    const saved = 'create table agent (id bigint, name text);\n'
    fs.writeFileSync(path.join(folder, `.${oldName}.swp`), saved)
    fs.renameSync(path.join(folder, `.${oldName}.swp`), path.join(folder, oldName))
    await contentReported(sha(saved), 'the replace')
    expectOneMigration(saved)
    expect(watching.eventsOf('updated').at(-1)?.reason).toBe('rewritten-after-rename')
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('a writer that keeps the file open across the rename writes into the renamed migration; the audit follows', async () => {
    const {folder, watching, contentReported, expectOneMigration} = await watchedProject()
    const handle = await fs.promises.open(path.join(folder, oldName), 'w')
    onTestFinished(() => handle.close().catch(() => undefined))
    await handle.write('create table agent (id int);\n')
    await contentReported(sha('create table agent (id int);\n'), 'the rename')
    await handle.write('create index on agent (id);\n')
    await handle.close()
    const final = 'create table agent (id int);\ncreate index on agent (id);\n'
    await contentReported(sha(final), 'the write in place')
    expectOneMigration(final)
    expect(watching.eventsOf('updated').at(-1)).toMatchObject({from: oldName, reason: 'written-after-rename'})
    expect((await watching.stop()).exitCode).toBe(0)
  })
})

describe('sbx watch when the migrations folder goes away', () => {
  const goneEvent = (e: WatchEvent) => e.event === 'error' && e.code === 'EFOLDERGONE'

  it('reports a deleted folder, keeps running, and renames a colliding file in the folder that comes back', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const folder = migrationsDir(dir)
    const watching = await startWatch(dir)
    fs.rmSync(folder, {recursive: true})
    await watching.waitFor(() => watching.events().some(goneEvent), 'the error event')
    expect(watching.exited()).toBe(false)

    fs.mkdirSync(folder)
    fs.writeFileSync(path.join(folder, '20260101000000_a.sql'), 'select 1;')
    fs.writeFileSync(path.join(folder, '20260101000000_b.sql'), 'select 2;')
    await watching.waitFor(() => watching.eventsOf('renamed').length === 1, 'the rename in the folder back')
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_b.sql'])
    await watching.waitFor(() => watching.eventsOf('ready').length === 2, 'ready again')
    // Whether the folder was seen back before or after b was written, b is the newcomer that moves.
    expect(
      watching
        .events()
        .map((e) => e.event)
        .sort(),
    ).toEqual(['error', 'ready', 'ready', 'renamed'])
    expect((await watching.stop()).exitCode).toBe(0)
  })

  it('says so in a line on stderr without --json, and follows a folder moved away and back', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const folder = migrationsDir(dir)
    const watching = await startWatch(dir, [])
    fs.renameSync(folder, `${folder}.away`)
    await watching.waitForLine((line) => line.startsWith('error  supabase/migrations was removed or moved away'))
    // A file written into the folder while it is away collides once it is back.
    fs.writeFileSync(path.join(`${folder}.away`, '20260101000000_while_away.sql'), 'select 2;')
    fs.renameSync(`${folder}.away`, folder)
    await watching.waitForLine((line) => line.startsWith('renamed 20260101000000_while_away.sql → '))
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_while_away.sql'])
    expect((await watching.stop()).exitCode).toBe(0)
  })
})

describe.each(DATABASE_KINDS)('sbx watch --db-url (%s)', (kind) => {
  needsServer(kind)
  it(
    'never renames an applied file, and re-reads what is applied before each pass',
    async () => {
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
      await watching.waitFor(() => watching.eventsOf('renamed').length === 3, 'the out-of-order renames')

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
    },
    HEAVY_TIMEOUT_MS,
  )
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

  it(
    'renames nothing while it cannot read what is applied, says so, and reconnects when it is back',
    async () => {
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
    },
    HEAVY_TIMEOUT_MS,
  )
})
