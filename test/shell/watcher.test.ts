import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it, onTestFinished} from 'vitest'
import {type FolderChanges, watchFolder} from '../../src/shell/watcher.js'
import {tmpProject} from '../helpers/project.js'

async function watchTmp(files: Record<string, string> = {}) {
  const dir = tmpProject(files, {config: false})
  const changes: FolderChanges[] = []
  const notices: Array<[string, number]> = []
  const errors: Error[] = []
  const watcher = await watchFolder(dir, {
    onNotice: (name, at) => notices.push([name, at]),
    onChanges: (batch) => changes.push(batch),
    onError: (error) => errors.push(error),
  })
  onTestFinished(() => watcher.close())
  const added = () => changes.flatMap((c) => c.added)
  const removed = () => changes.flatMap((c) => c.removed)
  return {dir, watcher, changes, notices, errors, added, removed}
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe('watchFolder', () => {
  it('lists what is there at start, and reports only later files, once each', async () => {
    const {dir, watcher, added} = await watchTmp({'1_old.sql': 'select 1;', '.hidden.sql': '', 'notes.txt': ''})
    expect(watcher.initial).toEqual(['1_old.sql'])
    fs.writeFileSync(path.join(dir, '2_new.sql'), 'select 2;')
    await until(() => added().length > 0, 'the add')
    await sleep(200)
    expect(added()).toEqual(['2_new.sql'])
  })

  it('reports a file written in pieces only after the last piece, and notices it at once', async () => {
    const {dir, added, notices} = await watchTmp()
    const handle = await fs.promises.open(path.join(dir, '1_slow.sql'), 'w')
    const started = Date.now()
    for (const piece of ['create ', 'table ', 'slow ', '(id int);']) {
      await handle.write(piece)
      await sleep(50)
      expect(added()).toEqual([])
    }
    await handle.close()
    await until(() => added().length > 0, 'the add')
    expect(fs.readFileSync(path.join(dir, '1_slow.sql'), 'utf8')).toBe('create table slow (id int);')
    expect(notices[0]?.[0]).toBe('1_slow.sql')
    expect(notices[0]?.[1]).toBeGreaterThanOrEqual(started - 5)
  })

  it('ignores hidden and non-.sql files, reports removals, and says nothing of a file gone before it settled', async () => {
    const {dir, added, removed, notices, errors} = await watchTmp({'1_a.sql': 'select 1;'})
    fs.writeFileSync(path.join(dir, '.1_b.sql.swp'), 'x')
    fs.writeFileSync(path.join(dir, '1_b.sql~'), 'x')
    fs.writeFileSync(path.join(dir, '1_brief.sql'), 'x')
    fs.rmSync(path.join(dir, '1_brief.sql'))
    fs.rmSync(path.join(dir, '1_a.sql'))
    await until(() => removed().length > 0, 'the removal')
    await sleep(200)
    expect(removed()).toEqual(['1_a.sql'])
    expect(added()).toEqual([])
    expect(new Set(notices.map(([name]) => name))).toEqual(new Set(['1_brief.sql', '1_a.sql']))
    expect(errors).toEqual([])
  })

  it('keeps notices strictly in arrival order within a burst', async () => {
    const {dir, notices, added} = await watchTmp()
    const names = Array.from({length: 50}, (_, i) => `${String(i).padStart(3, '0')}_burst.sql`)
    for (const name of names) fs.writeFileSync(path.join(dir, name), name)
    await until(() => added().length === 50, 'all adds')
    const firsts = new Map<string, number>()
    for (const [name, at] of notices) if (!firsts.has(name)) firsts.set(name, at)
    const times = names.map((name) => firsts.get(name) as number)
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number)
  })
})
