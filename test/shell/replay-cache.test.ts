/**
 * The replay cache's files for real: a PGlite data directory captured after CHECKPOINT, published, loaded into a
 * new folder and started again; damaged entries, eviction by last use, and two publishers of one key.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {encodeEntry} from '../../src/core/verify/replay-cache.js'
import {type FreshDatabase, freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'
import {openReplayCache, replayCacheDir, sha256, walPosition} from '../../src/shell/replay/replay-cache.js'
import {git, gitProject, tmpProject} from '../helpers/project.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}

async function fresh(seed?: (dataDir: string) => Promise<boolean>): Promise<FreshDatabase> {
  const database = await freshDatabaseFromBaseline({env, ...(seed ? {seed} : {})})
  onTestFinished(() => database.close())
  return database
}

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-test-rc-'))
  onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

const key = (n: number) => String(n).repeat(64)

/** A database holding `rows` rows in public.cached, captured as an entry under key(n). */
async function capturedEntry(n: number, rows = 50) {
  const database = await fresh()
  await database.db.exec(`create table public.cached (id int primary key, note text);
    insert into public.cached select g, 'row ' || g from generate_series(1, ${rows}) g;`)
  await database.db.exec('CHECKPOINT')
  const store = openReplayCache(tmpDir(), 1024 ** 3)
  const snapshot = await store.capture(database.dataDir, await walPosition(database.db))
  return {store, entry: {key: key(n), position: n, state: {statements: n * 2}, ...snapshot}}
}

describe('the replay cache on disk', () => {
  it('round-trips a data directory that starts again with its data, and keeps only the WAL a start needs', async () => {
    const {store, entry} = await capturedEntry(3)
    await store.publish(entry)
    expect(await store.keys()).toEqual(new Set([key(3)]))
    const stored = entry.files.reduce((sum, file) => sum + file.bytes.byteLength, 0)
    const full = entry.files.reduce((sum, file) => sum + file.size, 0)
    expect(stored).toBeLessThan(full)

    let loaded: {position: number; state: unknown} | undefined
    const database = await fresh(async (dataDir) => {
      loaded = await store.load(key(3), dataDir)
      return loaded !== undefined
    })

    expect(loaded).toEqual({position: 3, state: {statements: 6}})
    const {rows} = await database.db.query<{n: number}>('select count(*)::int4 as n from public.cached')
    expect(rows[0]?.n).toBe(50)
  })

  it('never uses a damaged entry, and leaves nothing of it behind', async () => {
    const {store, entry} = await capturedEntry(4)
    await store.publish(entry)
    const file = path.join(store.dir, `${key(4)}.entry`)
    const bytes = fs.readFileSync(file)
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] as number) ^ 1
    fs.writeFileSync(file, bytes)
    const target = path.join(tmpDir(), 'data')

    expect(await store.load(key(4), target)).toBeUndefined()
    expect(fs.existsSync(target)).toBe(false)
    // The database falls back to the baseline.
    const database = await fresh((dataDir) => store.load(key(4), dataDir).then((got) => got !== undefined))
    const {rows} = await database.db.query<{t: string | null}>(`select to_regclass('public.cached')::text as t`)
    expect(rows[0]?.t).toBeNull()
  })

  it('evicts least recently used entries past its size, never what this run wrote or loaded', async () => {
    const {store, entry} = await capturedEntry(5)
    const size = Buffer.concat(encodeEntry({...entry, key: key(6)}, sha256)).byteLength
    const dir = store.dir
    const other = openReplayCache(dir, Math.floor(size * 2.5))
    await other.publish({...entry, key: key(6)})
    await other.publish({...entry, key: key(7)})
    // key(6) was used long ago, key(7) a little later.
    fs.utimesSync(path.join(dir, `${key(6)}.entry`), new Date(1000), new Date(1000))
    fs.utimesSync(path.join(dir, `${key(7)}.entry`), new Date(2000), new Date(2000))
    const third = openReplayCache(dir, Math.floor(size * 2.5))

    await third.publish({...entry, key: key(8)})
    await third.publish({...entry, key: key(9)})

    expect(await third.keys()).toEqual(new Set([key(8), key(9)]))
  })

  it('two runs publishing the same key leave one whole entry and no temp file', async () => {
    const {entry} = await capturedEntry(2)
    const dir = tmpDir()
    const [a, b] = [openReplayCache(dir, 1024 ** 3), openReplayCache(dir, 1024 ** 3)]

    await Promise.all([a.publish(entry), b.publish(entry), a.publish(entry)])

    expect(fs.readdirSync(dir)).toEqual([`${key(2)}.entry`])
    expect(await a.load(key(2), path.join(tmpDir(), 'data'))).toEqual({position: 2, state: {statements: 4}})
  })

  it("lives in the repository's git common dir, shared by its worktrees, else under the cache root", async () => {
    const repo = gitProject({})
    const shared = path.join(repo, '.git', 'sbx', 'replay-cache')
    expect(await replayCacheDir(repo, env)).toBe(shared)
    const worktree = path.join(tmpDir(), 'wt')
    git(repo, 'worktree', 'add', '-q', '-b', 'other', worktree)
    expect(await replayCacheDir(worktree, env)).toBe(shared)
    const outside = tmpProject({})
    expect(await replayCacheDir(outside, env)).toBe(path.join(env.SBX_CACHE_DIR as string, 'replay-cache'))
  })
})
