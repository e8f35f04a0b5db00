import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {Readable} from 'node:stream'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ExitCode, LockTimeoutError, SbxError, UsageError} from '../../src/core/errors.js'
import {classifyEntries} from '../../src/core/migrations/migration-file.js'
import {allocateVersion, formatVersion} from '../../src/core/migrations/version.js'
import {withLock} from '../../src/shell/project/lock.js'
import {newMigration} from '../../src/workflows/new-migration.js'
import {git, gitProject, listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {diffTrees, sha256, snapshotTree} from '../helpers/tree.js'

const NOW = new Date('2025-03-01T12:00:00.750Z')
const V = '20250301120000' // formatVersion(NOW)
const now = () => NOW

async function create(workdir: string, name: string, extra: {content?: NodeJS.ReadableStream; at?: Date} = {}) {
  return newMigration({
    name,
    workdir,
    content: extra.content,
    lockTimeoutSeconds: 5,
    now: () => extra.at ?? NOW,
  })
}

async function refusalOf(promise: Promise<unknown>): Promise<SbxError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error instanceof SbxError) return error
  throw new Error(`expected an SbxError, got ${String(error)}`)
}

/** `git worktree add` into a fresh temp folder (removed after the test); returns the worktree's path. */
function addWorktree(repo: string, branch: string): string {
  const where = path.join(tmpProject({}, {config: false}), branch)
  git(repo, 'worktree', 'add', '-q', '-b', branch, where)
  return where
}

describe('allocateVersion', () => {
  it.each([
    {case: 'nothing known: the current UTC second', known: [], version: V},
    {case: 'drops the milliseconds of now', known: [], at: new Date('2025-03-01T12:00:00.999Z'), version: V},
    {case: 'an older version: still now', known: ['20250301115959'], version: V},
    {case: 'now itself is taken: one second later', known: [V], version: '20250301120001'},
    {case: 'a later version: one second past it', known: ['20250301120005'], version: '20250301120006'},
    {
      case: 'the highest wins, whatever the order',
      known: ['20250301120010', '20250301120003'],
      version: '20250301120011',
    },
    {case: 'duplicates count once', known: ['20250301120003', '20250301120003'], version: '20250301120004'},
    {case: 'far in the future', known: ['20991231235959'], version: '21000101000000'},
    {case: 'across a leap day', known: ['20280228235959'], version: '20280229000000'},
    {case: 'short versions sort before timestamps', known: ['123', '0'], version: V},
    {case: 'a leading-zero version sorts first', known: ['020260207080006'], version: V},
    {case: 'string order, as supabase pushes: "3" sorts after 2025…', known: ['3'], version: '30000101000000'},
    {case: 'an invalid timestamp is stepped past', known: ['20250301126000'], version: '20250301130000'},
  ])('$case', ({known, at, version}) => {
    expect(allocateVersion(known, at ?? NOW)).toBe(version)
  })

  it('refuses with a usage error when no timestamp can follow the highest version', () => {
    let error: unknown
    try {
      allocateVersion(['20250101000000', '99991231235959'], NOW)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect(error).toMatchObject({code: 'ENOROOM', exitCode: ExitCode.Usage})
  })
})

describe('newMigration', () => {
  it('creates an empty <version>_<name>.sql directly in supabase/migrations', async () => {
    const workdir = tmpProject()
    const result = await create(workdir, 'add users')
    expect(result).toEqual({
      version: V,
      name: 'add_users',
      path: path.join(workdir, 'supabase', 'migrations', `${V}_add_users.sql`),
    })
    expect(path.isAbsolute(result.path)).toBe(true)
    expect(listMigrations(workdir)).toEqual([`${V}_add_users.sql`])
    const stat = fs.lstatSync(result.path)
    expect(stat.isFile()).toBe(true)
    expect(stat.size).toBe(0)
    expect(stat.mode & 0o777).toBe(0o644 & ~process.umask())
  })

  it('copies the content stream byte-exact', async () => {
    const workdir = tmpProject()
    const bytes = randomBytes(1024 * 1024 + 7)
    const result = await create(workdir, 'with_content', {
      content: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
    })
    expect(sha256(fs.readFileSync(result.path))).toBe(sha256(bytes))
  })

  it('gives consecutive calls within one second consecutive versions', async () => {
    const workdir = tmpProject()
    const versions: string[] = []
    for (const name of ['a', 'b', 'c']) versions.push((await create(workdir, name)).version)
    expect(versions).toEqual([V, '20250301120001', '20250301120002'])
    expect(listMigrations(workdir)).toEqual([`${V}_a.sql`, '20250301120001_b.sql', '20250301120002_c.sql'])
  })

  it('gives 20 concurrent in-process calls 20 distinct versions', async () => {
    const workdir = tmpProject()
    const results = await Promise.all(Array.from({length: 20}, (_, i) => create(workdir, `c${i}`)))
    expect(new Set(results.map((r) => r.version)).size).toBe(20)
    expect(listMigrations(workdir)).toHaveLength(20)
  })

  it('steps past the highest version in the folder, even when it lies in the future', async () => {
    const workdir = tmpProject({'supabase/migrations/20990101000000_future.sql': 'select 1;'})
    expect((await create(workdir, 'next')).version).toBe('20990101000001')
  })

  it('uses the current second when every known version is older', async () => {
    const workdir = tmpProject({
      'supabase/migrations/20200101000000_old.sql': '',
      'supabase/migrations/123_short.sql': '',
      'supabase/migrations/README.md': '',
      'supabase/migrations/99999999999999_not_a_migration.SQL': '',
    })
    expect((await create(workdir, 'next')).version).toBe(V)
  })

  it('never reuses the version of a deleted file (the ledger remembers it)', async () => {
    const workdir = tmpProject()
    const first = await create(workdir, 'first')
    fs.unlinkSync(first.path)
    expect((await create(workdir, 'second')).version).toBe('20250301120001')
  })

  it('keeps the ledger beside the lock in supabase/.temp/sbx outside git', async () => {
    const workdir = tmpProject()
    await create(workdir, 'x')
    const ledger = JSON.parse(fs.readFileSync(path.join(workdir, 'supabase/.temp/sbx/ledger.json'), 'utf8'))
    expect(ledger).toEqual({'.': V})
  })

  it('never replaces an entry that squats on the chosen name', async () => {
    const workdir = tmpProject()
    // A folder is not a migration to supabase (so its version is not "known"), but the name is taken.
    const squatter = path.join(migrationsDir(workdir), `${V}_x.sql`)
    fs.mkdirSync(squatter, {recursive: true})
    fs.writeFileSync(path.join(squatter, 'keep'), 'keep')
    const result = await create(workdir, 'x')
    expect(result.version).toBe('20250301120001')
    expect(fs.readFileSync(path.join(squatter, 'keep'), 'utf8')).toBe('keep')
    expect(fs.lstatSync(result.path).isFile()).toBe(true)
  })

  it('creates supabase/migrations when it is missing', async () => {
    const workdir = tmpProject()
    expect(fs.existsSync(migrationsDir(workdir))).toBe(false)
    await create(workdir, 'x')
    expect(listMigrations(workdir)).toEqual([`${V}_x.sql`])
  })

  it('works without config.toml and without git', async () => {
    const workdir = tmpProject({}, {config: false})
    const result = await create(workdir, 'x')
    expect(result.path).toBe(path.join(workdir, 'supabase', 'migrations', `${V}_x.sql`))
    expect(fs.existsSync(path.join(workdir, '.git'))).toBe(false)
  })

  it('refuses a bad name before touching the disk', async () => {
    const workdir = tmpProject({}, {config: false})
    const before = snapshotTree(workdir)
    for (const name of ['', '../x', 'a/b', '..\\x', 'a\0b', 'x'.repeat(300)]) {
      const error = await refusalOf(create(workdir, name))
      expect(error).toBeInstanceOf(UsageError)
      expect(error.exitCode).toBe(ExitCode.Usage)
    }
    expect(snapshotTree(workdir)).toEqual(before)
    expect(fs.existsSync(path.join(workdir, 'supabase'))).toBe(false)
  })

  it('refuses with ENOROOM when the folder holds the last possible version, writing nothing there', async () => {
    const workdir = tmpProject({'supabase/migrations/99991231235959_last.sql': ''})
    const error = await refusalOf(create(workdir, 'x'))
    expect(error).toMatchObject({code: 'ENOROOM', exitCode: ExitCode.Usage})
    expect(listMigrations(workdir)).toEqual(['99991231235959_last.sql'])
    expect(fs.readdirSync(path.join(workdir, 'supabase/.temp/sbx/tmp'))).toEqual([])
  })

  it('writes nothing into supabase/migrations when the content stream fails', async () => {
    const workdir = tmpProject()
    const failing = new Readable({
      read() {
        this.push(Buffer.from('select 1;'))
        this.destroy(new Error('stdin broke'))
      },
    })
    await expect(create(workdir, 'x', {content: failing})).rejects.toThrow('stdin broke')
    expect(listMigrations(workdir)).toEqual([])
  })

  it('times out with exit code 4 while another holder keeps the lock, and writes nothing', async () => {
    const workdir = tmpProject()
    const lockHome = path.join(workdir, 'supabase', '.temp', 'sbx')
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let acquired = () => {}
    const isHeld = new Promise<void>((resolve) => {
      acquired = resolve
    })
    const holder = withLock({lockHome, timeoutSeconds: 5, command: 'test holder'}, async () => {
      acquired()
      await held
    })
    await isHeld
    try {
      const error = await refusalOf(newMigration({name: 'x', workdir, lockTimeoutSeconds: 1, now, content: undefined}))
      expect(error).toBeInstanceOf(LockTimeoutError)
      expect(error.exitCode).toBe(ExitCode.LockTimeout)
      expect(error.message).toContain(`pid ${process.pid}`)
      expect(error.message).toContain('test holder')
    } finally {
      release()
      await holder
    }
    expect(listMigrations(workdir)).toEqual([])
    expect(fs.readdirSync(path.join(lockHome, 'tmp'))).toEqual([])
  })
})

describe('newMigration across git worktrees', () => {
  it('keeps the lock and the ledger in the git common dir', async () => {
    const repo = gitProject()
    await create(repo, 'x')
    const commonDir = path.join(repo, '.git')
    expect(JSON.parse(fs.readFileSync(path.join(commonDir, 'sbx', 'ledger.json'), 'utf8'))).toEqual({'.': V})
    expect(fs.existsSync(path.join(repo, 'supabase/.temp/sbx/ledger.json'))).toBe(false)
  })

  it('steps past an uncommitted migration in another worktree', async () => {
    const repo = gitProject()
    const other = addWorktree(repo, 'feature')
    fs.mkdirSync(migrationsDir(other), {recursive: true})
    fs.writeFileSync(path.join(migrationsDir(other), '20250301120030_theirs.sql'), '')
    expect((await create(repo, 'mine')).version).toBe('20250301120031')
  })

  it('gives two worktrees distinct versions before either commits, through the shared ledger', async () => {
    const repo = gitProject()
    const a = addWorktree(repo, 'a')
    const b = addWorktree(repo, 'b')
    const first = await create(a, 'from_a')
    // The file in `a` is counted directly; removing it leaves only the ledger to remember the version.
    fs.unlinkSync(first.path)
    const second = await create(b, 'from_b')
    expect([first.version, second.version]).toEqual([V, '20250301120001'])
  })

  it('looks at the same sub-folder in every worktree when the project is not at the top of the repo', async () => {
    const repo = gitProject({'app/supabase/config.toml': 'project_id = "app"\n'}, {config: false})
    const other = addWorktree(repo, 'feature')
    const otherApp = path.join(other, 'app')
    fs.mkdirSync(migrationsDir(otherApp), {recursive: true})
    fs.writeFileSync(path.join(migrationsDir(otherApp), '20250301120100_theirs.sql'), '')
    // A folder at the top of the other worktree belongs to another project and does not count.
    fs.mkdirSync(migrationsDir(other), {recursive: true})
    fs.writeFileSync(path.join(migrationsDir(other), '20990101000000_elsewhere.sql'), '')

    const result = await create(path.join(repo, 'app'), 'mine')
    expect(result.version).toBe('20250301120101')
    const ledger = JSON.parse(fs.readFileSync(path.join(repo, '.git', 'sbx', 'ledger.json'), 'utf8'))
    expect(ledger).toEqual({app: '20250301120101'})
  })
})

describe('newMigration over arbitrary names (property)', () => {
  const STATE = 'supabase/.temp/sbx'
  const isState = (rel: string) => rel === STATE || rel.startsWith(`${STATE}/`)

  const pieces = fc.constantFrom(
    ...['/', '\\', '.', '..', ' ', '-', '_', '\0', '\n', '\r', '\t', '\u001b', '\u007f', '\u0085', '\u2028'],
    ...['\ufeff', '\u00a0', 'é', '😀', '\ud800', '\udfff', 'a', 'Z', '9', ';', '*', '?', ':', '~', '$', '%2e'],
    ...['%2f', 'init', '.sql', 'supabase', 'migrations', '*.sql', '"', "'", '`', '|', '>', '<', '&'],
  )
  const aroundTheLimit = fc.constantFrom('a', 'é', '用', '😀', ' a', '-').chain((unit) => {
    const bytes = Buffer.byteLength(unit)
    return fc.integer({min: Math.floor(180 / bytes), max: Math.ceil(220 / bytes)}).map((n) => unit.repeat(n))
  })
  const names = fc.oneof(
    fc.string({unit: 'grapheme', maxLength: 40}),
    fc.string({unit: 'binary', maxLength: 40}),
    fc.string({unit: 'binary-ascii', maxLength: 40}),
    fc.array(pieces, {maxLength: 25}).map((parts) => parts.join('')),
    // Mostly harmless text with one odd piece in it, so that single-fault names are tried often.
    fc
      .tuple(fc.string({unit: 'grapheme-ascii', maxLength: 20}), pieces, fc.string({unit: 'grapheme', maxLength: 20}))
      .map((parts) => parts.join('')),
    aroundTheLimit,
    fc.string({unit: 'grapheme-ascii', minLength: 150, maxLength: 400}),
    fc.string({unit: 'binary', minLength: 150, maxLength: 2000}),
  )

  it('either writes exactly one file directly inside supabase/migrations, or refuses and writes nothing', async () => {
    const workdir = tmpProject()
    const dir = migrationsDir(workdir)
    // One call first so that sbx's own state folder exists; after that it is the only thing besides the
    // new migration that a successful call may change.
    await create(workdir, 'warm_up')
    let accepted = 0
    let refused = 0

    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const before = snapshotTree(workdir)
        let outcome: {ok: true; result: Awaited<ReturnType<typeof create>>} | {ok: false; error: unknown}
        try {
          outcome = {ok: true, result: await create(workdir, name)}
        } catch (error) {
          outcome = {ok: false, error}
        }

        if (!outcome.ok) {
          refused++
          expect(outcome.error).toBeInstanceOf(UsageError)
          expect((outcome.error as UsageError).exitCode).toBe(ExitCode.Usage)
          // Nothing at all, not even sbx's own state.
          expect(diffTrees(before, snapshotTree(workdir))).toEqual({added: [], removed: [], changed: []})
          return
        }

        accepted++
        const {result} = outcome
        const diff = diffTrees(
          new Map([...before].filter(([rel]) => !isState(rel))),
          snapshotTree(workdir, {exclude: isState}),
        )
        expect(diff.removed).toEqual([])
        expect(diff.changed).toEqual([])
        expect(diff.added).toHaveLength(1)
        const added = diff.added[0] as string
        expect(path.posix.dirname(added)).toBe('supabase/migrations')
        const file = path.posix.basename(added)
        expect(fs.lstatSync(path.join(dir, file)).isFile()).toBe(true)
        expect(fs.lstatSync(path.join(dir, file)).size).toBe(0)
        expect(Buffer.byteLength(file)).toBeLessThanOrEqual(255)
        // What sbx reports is what is on disk, and supabase will read it as this very migration.
        expect(path.dirname(result.path)).toBe(dir)
        expect(file).toBe(path.basename(result.path))
        expect(classifyEntries([{name: file, isDirectory: false}]).migrations).toEqual([
          {file, version: result.version, name: result.name},
        ])
        // The lock is released and no staged temp file is left behind.
        expect(fs.readdirSync(path.join(workdir, STATE, 'tmp'))).toEqual([])
        expect(fs.existsSync(path.join(workdir, STATE, 'lock'))).toBe(false)
      }),
      {numRuns: 200},
    )

    // The generators must exercise both outcomes, or the property proves little.
    expect(accepted).toBeGreaterThan(30)
    expect(refused).toBeGreaterThan(30)
    const versions = listMigrations(workdir).map((f) => f.slice(0, 14))
    expect(new Set(versions).size).toBe(versions.length)
    expect(versions[0]).toBe(formatVersion(NOW))
  })
})

describe('newMigration leaves nothing of its own behind', () => {
  it('forgets the lock holder on release, so no waiter names a finished process', async () => {
    const dir = tmpProject()
    await newMigration({name: 'a', workdir: dir, lockTimeoutSeconds: 5})
    const lockHome = path.join(dir, 'supabase', '.temp', 'sbx')
    expect(fs.existsSync(path.join(lockHome, 'ledger.json'))).toBe(true)
    expect(fs.existsSync(path.join(lockHome, 'holder.json'))).toBe(false)
  })

  it('removes its staged content when reading the content fails', async () => {
    const dir = tmpProject()
    const failing = new Readable({
      read() {
        this.destroy(new Error('stdin broke'))
      },
    })
    await expect(newMigration({name: 'a', workdir: dir, content: failing, lockTimeoutSeconds: 5})).rejects.toThrow(
      'stdin broke',
    )
    expect(fs.readdirSync(path.join(dir, 'supabase', '.temp', 'sbx', 'tmp'))).toEqual([])
    expect(listMigrations(dir)).toEqual([])
  })
})
