/**
 * The folder watcher on real temp folders with real writers. Every wait is on the watcher's own reports;
 * "nothing else was reported" is checked after a later file (the sentinel) settles: names settle in the
 * order of their last events, each after the same quiet period, so anything still due would come first.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {type FolderWatchOptions, type SettledFile, watchFolder} from '../../src/shell/watch/watcher.js'
import {tmpProject} from '../helpers/project.js'

/** Watches `sub` (default: the root) of a new temp project holding `files`. */
async function watchTmp(files: Record<string, string> = {}, options?: FolderWatchOptions, sub = '.') {
  const dir = path.join(tmpProject(files, {config: false}), sub)
  fs.mkdirSync(dir, {recursive: true})
  const settled: SettledFile[] = []
  const removed: string[] = []
  const writtenGone: string[] = []
  const notices: Array<[string, number]> = []
  const errors: Error[] = []
  const folder: Array<'gone' | string[]> = []
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  const watcher = await watchFolder(
    dir,
    {
      onNotice: (name, at) => notices.push([name, at]),
      onChanges: (batch) => {
        settled.push(...batch.settled)
        removed.push(...batch.removed)
        writtenGone.push(...batch.writtenGone)
        wake()
      },
      onError: (error) => errors.push(error),
      onGone: () => {
        folder.push('gone')
        wake()
      },
      onBack: (initial) => {
        folder.push(initial)
        wake()
      },
    },
    options,
  )
  onTestFinished(() => watcher.close())
  /** Resolves once `condition` holds after a report; rejects after 10 s with what was reported. */
  const until = (condition: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition()) return
        done()
        resolve()
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no report of ${what}: ${JSON.stringify({settled, removed, folder})}`))
      }, 10_000)
      const done = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  const settledNames = () => settled.map((file) => file.name)
  /** Writes a sentinel file and waits for it: everything due before it has been reported by then. */
  const drain = async () => {
    const name = `zz_sentinel_${settled.length}_${removed.length}.sql`
    fs.writeFileSync(path.join(dir, name), '-- sentinel\n')
    await until(() => settledNames().includes(name), name)
    settled.splice(
      settled.findIndex((file) => file.name === name),
      1,
    )
  }
  return {dir, watcher, settled, settledNames, removed, writtenGone, notices, errors, folder, until, drain}
}

describe('watchFolder', () => {
  it('lists what is there at start, and reports only later files, once each', async () => {
    const w = await watchTmp({'1_old.sql': 'select 1;', '.hidden.sql': '', 'notes.txt': ''})
    expect(w.watcher.initial).toEqual(['1_old.sql'])
    fs.writeFileSync(path.join(w.dir, '2_new.sql'), 'select 2;')
    await w.until(() => w.settledNames().includes('2_new.sql'), '2_new.sql')
    await w.drain()
    expect(w.settled).toEqual([{name: '2_new.sql', appeared: true, movedIn: false}])
  })

  it('reports a file written in pieces once, after the last piece, and notices it at the first', async () => {
    // A long quiet period, so the pauses of this writer (a few ms) are far inside it even on a busy machine.
    const w = await watchTmp({}, {quietMs: () => 1_000})
    const handle = await fs.promises.open(path.join(w.dir, '1_slow.sql'), 'w')
    const started = Date.now()
    for (const piece of ['create ', 'table ', 'slow ', '(id int);']) await handle.write(piece)
    await handle.close()
    await w.until(() => w.settled.length > 0, 'the file')
    expect(w.settled).toEqual([{name: '1_slow.sql', appeared: true, movedIn: false}])
    expect(fs.readFileSync(path.join(w.dir, '1_slow.sql'), 'utf8')).toBe('create table slow (id int);')
    expect(w.notices[0]?.[0]).toBe('1_slow.sql')
    expect(w.notices[0]?.[1]).toBeGreaterThanOrEqual(started - 5)
  })

  it('tells a file moved in whole (an atomic save) from one created and written, and from an empty one', async () => {
    const w = await watchTmp()
    fs.writeFileSync(path.join(w.dir, '.1_saved.sql.tmp'), 'select 1;')
    fs.renameSync(path.join(w.dir, '.1_saved.sql.tmp'), path.join(w.dir, '1_saved.sql'))
    fs.writeFileSync(path.join(w.dir, '2_written.sql'), 'select 2;')
    fs.writeFileSync(path.join(w.dir, '3_empty.sql'), '')
    await w.until(() => w.settled.length === 3, 'three files')
    expect(new Map(w.settled.map((file) => [file.name, file.movedIn]))).toEqual(
      new Map([
        ['1_saved.sql', true],
        ['2_written.sql', false],
        ['3_empty.sql', false],
      ]),
    )
  })

  it('gives an empty file (a placeholder its creator may still use) longer than a written one', async () => {
    const w = await watchTmp()
    fs.writeFileSync(path.join(w.dir, '1_empty.sql'), '')
    fs.writeFileSync(path.join(w.dir, '2_written.sql'), 'select 2;')
    await w.until(() => w.settled.length === 2, 'both files')
    expect(w.settledNames()).toEqual(['2_written.sql', '1_empty.sql'])
  })

  it('reports a write in place as not appeared, and a replaced file as appeared again', async () => {
    const w = await watchTmp({'1_a.sql': 'select 1;', '2_b.sql': 'select 2;'})
    fs.appendFileSync(path.join(w.dir, '1_a.sql'), '\nselect 11;')
    fs.writeFileSync(path.join(w.dir, '.tmp'), 'select 22;')
    fs.renameSync(path.join(w.dir, '.tmp'), path.join(w.dir, '2_b.sql'))
    await w.until(() => w.settled.length === 2, 'both files')
    expect(new Map(w.settled.map((file) => [file.name, file]))).toEqual(
      new Map([
        ['1_a.sql', {name: '1_a.sql', appeared: false, movedIn: false}],
        ['2_b.sql', {name: '2_b.sql', appeared: true, movedIn: true}],
      ]),
    )
  })

  it('reports a write through a handle whose name was renamed away (link, unlink) under the removed name', async () => {
    const w = await watchTmp()
    const handle = await fs.promises.open(path.join(w.dir, '1_a.sql'), 'w')
    onTestFinished(() => handle.close().catch(() => undefined))
    await handle.write('select 1;')
    await w.until(() => w.settledNames().includes('1_a.sql'), '1_a.sql')
    fs.linkSync(path.join(w.dir, '1_a.sql'), path.join(w.dir, '2_a.sql'))
    fs.unlinkSync(path.join(w.dir, '1_a.sql'))
    await w.until(() => w.removed.includes('1_a.sql'), 'the removal')
    expect(w.writtenGone).toEqual([])
    await handle.write('\nselect 2;')
    await w.until(() => w.writtenGone.includes('1_a.sql'), 'the write under the removed name')
    expect(fs.readFileSync(path.join(w.dir, '2_a.sql'), 'utf8')).toBe('select 1;\nselect 2;')
  })

  it('ignores hidden and non-.sql files, and reports removals, also of a file gone before it settled', async () => {
    const w = await watchTmp({'1_a.sql': 'select 1;'})
    fs.writeFileSync(path.join(w.dir, '.1_b.sql.swp'), 'x')
    fs.writeFileSync(path.join(w.dir, '1_b.sql~'), 'x')
    fs.writeFileSync(path.join(w.dir, '1_brief.sql'), 'x')
    fs.rmSync(path.join(w.dir, '1_brief.sql'))
    fs.rmSync(path.join(w.dir, '1_a.sql'))
    await w.until(() => w.removed.length === 2, 'the removals')
    await w.drain()
    expect(new Set(w.removed)).toEqual(new Set(['1_a.sql', '1_brief.sql']))
    expect(w.settled).toEqual([])
    // Only names not known before are noticed: 1_a.sql was listed at start.
    const noticed = new Set(w.notices.map(([name]) => name).filter((name) => !name.startsWith('zz_sentinel')))
    expect(noticed).toEqual(new Set(['1_brief.sql']))
    expect(w.errors).toEqual([])
  })

  it('keeps notices strictly in arrival order within a burst', async () => {
    const w = await watchTmp()
    const names = Array.from({length: 50}, (_, i) => `${String(i).padStart(3, '0')}_burst.sql`)
    for (const name of names) fs.writeFileSync(path.join(w.dir, name), name)
    await w.until(() => w.settled.length === 50, 'all files')
    const firsts = new Map<string, number>()
    for (const [name, at] of w.notices) if (!firsts.has(name)) firsts.set(name, at)
    const times = names.map((name) => firsts.get(name) as number)
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number)
  })

  it('says when the folder is deleted, and lists it again when it is back', async () => {
    const w = await watchTmp({'supabase/migrations/1_a.sql': 'select 1;'}, undefined, 'supabase/migrations')
    fs.rmSync(w.dir, {recursive: true})
    await w.until(() => w.folder.length === 1, 'the folder gone')
    fs.mkdirSync(w.dir)
    fs.writeFileSync(path.join(w.dir, '2_back.sql'), 'select 2;')
    await w.until(() => w.folder.length === 2, 'the folder back')
    expect(w.folder).toEqual(['gone', ['2_back.sql']])
    // Watching goes on in the folder that came back.
    fs.writeFileSync(path.join(w.dir, '3_after.sql'), 'select 3;')
    await w.until(() => w.settledNames().includes('3_after.sql'), '3_after.sql')
  })

  it('says when the folder is moved away, or its parent is, and follows the path, not the moved folder', async () => {
    // The watched folder sits two levels inside this test's own temp project: only those two levels move.
    const w = await watchTmp({'supabase/migrations/1_a.sql': 'select 1;'}, undefined, 'supabase/migrations')
    const parent = path.dirname(w.dir)
    expect(path.basename(parent)).toBe('supabase')
    fs.renameSync(w.dir, `${w.dir}.away`)
    await w.until(() => w.folder.length === 1, 'the folder gone')
    fs.writeFileSync(path.join(`${w.dir}.away`, '2_elsewhere.sql'), 'select 2;')
    fs.renameSync(`${w.dir}.away`, w.dir)
    await w.until(() => w.folder.length === 2, 'the folder back')
    expect(w.folder[1]).toEqual(['1_a.sql', '2_elsewhere.sql'])

    // A moved parent sends the folder's own watch no event: the path check finds it.
    fs.renameSync(parent, `${parent}.away`)
    await w.until(() => w.folder.length === 3, 'the folder gone with its parent')
    fs.renameSync(`${parent}.away`, parent)
    await w.until(() => w.folder.length === 4, 'the folder back with its parent')
    expect(w.settled).toEqual([])
  })
})
