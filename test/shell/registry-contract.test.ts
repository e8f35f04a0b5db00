/**
 * One contract, both backends: the real PostgreSQL server (a throwaway database per test) and a real bare
 * git repository reached from separate clones. Whatever one backend promises, the other must too.
 */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {RegistryUnavailableError} from '../../src/core/errors.js'
import type {Holder, Registry} from '../../src/core/registry/registry.js'
import {openGitRegistry} from '../../src/shell/registry/registry-git.js'
import {openPostgresRegistry} from '../../src/shell/registry/registry-postgres.js'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {git} from '../helpers/project.js'
import {bareOrigin, cloneOf, closedPort, gitRecords, silentServer} from '../helpers/registry.js'

const ana: Holder = {user: 'ana', host: 'laptop', pid: 11, branch: 'feat/a', clone: 'aaaaaaaaaaaaaaaa'}
const bo: Holder = {user: 'bo', host: 'ci-7', pid: 22, clone: 'bbbbbbbbbbbbbbbb'}

interface Backend {
  name: string
  /** Two handles on one registry, as two machines would open it. */
  open(project?: string): Promise<[Registry, Registry]>
}

const backends: Backend[] = [
  {
    name: 'git',
    async open(project = 'shop') {
      const origin = bareOrigin()
      const machine = (dir: string) =>
        openGitRegistry({
          remote: 'origin',
          ref: 'refs/sbx/versions',
          project,
          cwd: dir,
          scratchDir: path.join(dir, '.git', 'sbx'),
          timeoutSeconds: 60,
        })
      return [machine(cloneOf(origin)), machine(cloneOf(origin))]
    },
  },
  {
    name: 'postgres',
    async open(project = 'shop') {
      const db = await throwawayDatabase('postgres')
      const machine = () => openPostgresRegistry({url: db.url, project, timeoutSeconds: 60})
      return [machine(), machine()] as [Registry, Registry]
    },
  },
]

describe.each(backends)('registry contract: $name', (backend) => {
  if (backend.name === 'postgres') needsServer()
  it('reserves later than anything either machine holds, and lists every record', async () => {
    const [a, b] = await backend.open()
    const first = await a.reserve({name: 'add_users', version: '20260301120000', mode: 'at-or-after', by: ana})
    const second = await b.reserve({name: 'add_orders', version: '20260301120000', mode: 'at-or-after', by: bo})
    expect(first).toMatchObject({reserved: true, reservation: {version: '20260301120000', name: 'add_users'}})
    expect(second).toMatchObject({reserved: true, reservation: {version: '20260301120001', name: 'add_orders'}})
    const listed = await a.list()
    expect(listed.map((r) => [r.version, r.name, r.state, r.by.user, r.by.branch ?? null])).toEqual([
      ['20260301120000', 'add_users', 'reserved', 'ana', 'feat/a'],
      ['20260301120001', 'add_orders', 'reserved', 'bo', null],
    ])
  })

  it('reserves exactly a free version, keeps it for the same migration, and names the holder otherwise', async () => {
    const [a, b] = await backend.open()
    await a.reserve({name: 'later', version: '20260301130000', mode: 'at-or-after', by: ana})
    const free = await b.reserve({name: 'offline', version: '20260301120000', mode: 'exactly', by: bo})
    expect(free).toMatchObject({reserved: true, reservation: {version: '20260301120000', name: 'offline'}})
    const again = await b.reserve({name: 'offline', version: '20260301120000', mode: 'exactly', by: bo})
    expect(again).toMatchObject({reserved: true, reservation: {version: '20260301120000', name: 'offline'}})
    const taken = await a.reserve({name: 'other', version: '20260301120000', mode: 'exactly', by: ana})
    expect(taken).toMatchObject({
      reserved: false,
      holder: {version: '20260301120000', name: 'offline', by: {user: 'bo'}},
    })
  })

  it('marks applied (recording versions never reserved too) and releases', async () => {
    const [a, b] = await backend.open()
    await a.reserve({name: 'one', version: '20260301120000', mode: 'at-or-after', by: ana})
    await a.reserve({name: 'two', version: '20260301120000', mode: 'at-or-after', by: ana})
    await b.markApplied(
      [
        {version: '20260301120000', name: 'one'},
        {version: '20250101000000', name: 'old'},
      ],
      bo,
    )
    expect(await b.release('20260301120001')).toMatchObject({version: '20260301120001', state: 'released'})
    expect(await b.release('20990101000000')).toBeUndefined()
    const states = (await a.list()).map((r) => [r.version, r.name, r.state])
    expect(states).toEqual([
      ['20250101000000', 'old', 'applied'],
      ['20260301120000', 'one', 'applied'],
      ['20260301120001', 'two', 'released'],
    ])
    // A released version is not handed out again.
    const next = await a.reserve({name: 'three', version: '20260301120000', mode: 'at-or-after', by: ana})
    expect(next).toMatchObject({reserved: true, reservation: {version: '20260301120002'}})
  })

  it('keeps projects apart', async () => {
    const [a] = await backend.open('shop')
    await a.reserve({name: 'x', version: '20260301120000', mode: 'at-or-after', by: ana})
    expect(await a.list()).toHaveLength(1)
  })

  it('gives distinct versions to machines reserving at the same time', async () => {
    const [a, b] = await backend.open()
    const reserve = (registry: Registry, i: number) =>
      registry.reserve({name: `m${i}`, version: '20260301120000', mode: 'at-or-after', by: i % 2 ? ana : bo})
    const outcomes = await Promise.all(Array.from({length: 8}, (_, i) => reserve(i % 2 ? a : b, i)))
    const versions = outcomes.map((o) => (o.reserved ? o.reservation.version : 'refused'))
    expect(new Set(versions).size).toBe(8)
    expect(await a.list()).toHaveLength(8)
  })
})

describe('registry unreachable', () => {
  it('postgres: a closed port fails with the URL redacted', async () => {
    const url = `postgresql://sbx:hunter2@127.0.0.1:${await closedPort()}/registry`
    const registry = openPostgresRegistry({url, project: 'p', timeoutSeconds: 2})
    const error = await registry.list().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryUnavailableError)
    expect((error as Error).message).toContain('postgresql://sbx:***@127.0.0.1')
    expect((error as Error).message).not.toContain('hunter2')
    expect((error as RegistryUnavailableError).exitCode).toBe(5)
  })

  it('postgres: a server that never answers fails once the timeout has passed', async () => {
    const url = `postgresql://sbx:hunter2@127.0.0.1:${await silentServer()}/registry`
    const registry = openPostgresRegistry({url, project: 'p', timeoutSeconds: 1})
    const error = await registry
      .reserve({name: 'x', version: '20260301120000', mode: 'at-or-after', by: ana})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryUnavailableError)
    expect((error as Error).message).not.toContain('hunter2')
  })

  it('git: a remote path that does not exist', async () => {
    const clone = cloneOf(bareOrigin())
    git(clone, 'remote', 'set-url', 'origin', path.join(clone, 'no-such-origin.git'))
    const registry = openGitRegistry({
      remote: 'origin',
      ref: 'refs/sbx/versions',
      project: 'p',
      cwd: clone,
      scratchDir: path.join(clone, '.git', 'sbx'),
      timeoutSeconds: 2,
    })
    const error = await registry
      .reserve({name: 'x', version: '20260301120000', mode: 'at-or-after', by: ana})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryUnavailableError)
    expect((error as Error).message).toMatch(
      /^Registry git:origin refs\/sbx\/versions is unreachable \(git fetch failed: /,
    )
  })
})

describe('git registry history', () => {
  it('only ever fast-forwards: one commit per change, each on top of the last', async () => {
    const origin = bareOrigin()
    const [a, b] = [cloneOf(origin), cloneOf(origin)].map((dir) =>
      openGitRegistry({
        remote: 'origin',
        ref: 'refs/sbx/versions',
        project: 'p',
        cwd: dir,
        scratchDir: path.join(dir, '.git', 'sbx'),
        timeoutSeconds: 60,
      }),
    ) as [Registry, Registry]
    await Promise.all(
      Array.from({length: 6}, (_, i) =>
        (i % 2 ? a : b).reserve({name: `m${i}`, version: '20260301120000', mode: 'at-or-after', by: ana}),
      ),
    )
    expect(gitRecords(origin)).toHaveLength(6)
    expect(git(origin, 'rev-list', '--count', 'refs/sbx/versions').trim()).toBe('6')
    // Every update of the ref in the origin's reflog moved it forward from the previous tip.
    const updates = git(origin, 'reflog', 'show', '--format=%H', 'refs/sbx/versions').trim().split('\n')
    expect(updates).toHaveLength(6)
    for (const [i, sha] of updates.slice(0, -1).entries()) {
      expect(git(origin, 'rev-parse', `${sha}^`).trim()).toBe(updates[i + 1])
    }
  })
})
