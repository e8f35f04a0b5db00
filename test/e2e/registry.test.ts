/**
 * The team registry as users run it: the built CLI in real processes, "machines" that are separate clones of
 * one bare origin (each its own .git, so its own local lock), the real PostgreSQL server (a throwaway
 * database per test) or the origin's refs/sbx/versions as the registry.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {type RunOptions, type RunResult, runSbx, SUPABASE_BIN, startSbx} from '../helpers/cli.js'
import {skipWithoutServer, throwawayDatabase} from '../helpers/databases.js'
import {git} from '../helpers/project.js'
import {
  bareOrigin,
  cloneOf,
  closedPort,
  gitRecords,
  migrationFiles,
  sbxToml,
  silentServer,
} from '../helpers/registry.js'

// The PostgreSQL cases run wherever SBX_TEST_DATABASE_URL is set (CI always sets it), and say why elsewhere.
const postgresIt = (name: string, fn: () => Promise<void>, timeout?: number) =>
  it(
    name,
    async (context) => {
      skipWithoutServer(context)
      await fn()
    },
    timeout,
  )

/** `sbx …` with oclif's 80-column wrapping undone, the workdir rule cleared, and supabase from this repository. */
async function sbx(args: string[], options: RunOptions): Promise<RunResult> {
  const result = await runSbx(args, {
    ...options,
    env: {SUPABASE_WORKDIR: undefined, SBX_SUPABASE_BIN: SUPABASE_BIN, ...options.env},
  })
  return {...result, stderr: result.stderr.replace(/[ \t]*\n ›[ \t]+/g, ' ')}
}

const versionOf = (file: string) => file.slice(0, file.indexOf('_'))

function auditLines(workdir: string): Array<{from: string; to: string; reason: string; kept?: string}> {
  const file = path.join(workdir, 'supabase', 'sbx-renames.jsonl')
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : []
}

describe('many machines at once', () => {
  postgresIt(
    'Postgres registry: 4 clones × 25 parallel migration new → 100 distinct versions, 100 reservations, all exit 0',
    async () => {
      const db = await throwawayDatabase('postgres')
      const origin = bareOrigin()
      const clones = Array.from({length: 4}, () => cloneOf(origin, sbxToml({url: db.url, timeout: 120})))
      const results = await Promise.all(
        clones.flatMap((clone, c) =>
          Array.from({length: 25}, (_, i) =>
            sbx(['migration', 'new', `c${c}_m${i}`, '--lock-timeout', '300'], {cwd: clone, timeoutMs: 400_000}),
          ),
        ),
      )
      expect(results.filter((r) => r.exitCode !== 0).map((r) => `exit ${r.exitCode}: ${r.stdout} ${r.stderr}`)).toEqual(
        [],
      )
      const files = clones.flatMap(migrationFiles)
      expect(files).toHaveLength(100)
      expect(new Set(files.map(versionOf)).size).toBe(100)
      const rows = await db.query<{version: string; name: string; state: string}>(
        'select version, name, state from sbx.reservations order by version',
      )
      expect(rows.map((r) => `${r.version}_${r.name}.sql ${r.state}`).sort()).toEqual(
        [...files].sort().map((f) => `${f} reserved`),
      )
      // Every file written is confirmed: no lease is left.
      expect(await db.query('select version from sbx.reservations where lease_expires is not null')).toEqual([])
      expect(rows.map((r) => `${r.version}_${r.name}.sql`).sort()).toEqual([...files].sort())
    },
    600_000,
  )

  it('git registry: 4 clones × 5 parallel → 20 distinct versions, 20 records, nothing force-pushed', async () => {
    const origin = bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\ntimeout = 120\n'})
    const clones = Array.from({length: 4}, () => cloneOf(origin))
    const results = await Promise.all(
      clones.flatMap((clone, c) =>
        Array.from({length: 5}, (_, i) =>
          sbx(['migration', 'new', `c${c}_m${i}`, '--lock-timeout', '300'], {cwd: clone, timeoutMs: 400_000}),
        ),
      ),
    )
    expect(results.filter((r) => r.exitCode !== 0).map((r) => r.stderr)).toEqual([])
    const files = clones.flatMap(migrationFiles)
    expect(files).toHaveLength(20)
    expect(new Set(files.map(versionOf)).size).toBe(20)
    const records = gitRecords(origin)
    expect(records.map((r) => `${r.version}_${r.name}.sql`).sort()).toEqual([...files].sort())
    // Every reservation confirmed (its file written: no lease left), and every update of the ref (the origin
    // logs them all) a fast-forward of the previous tip; the origin also refuses non-fast-forwards outright.
    // Calls queued in one clone share writes, and confirmations ride along, so there are at most 2 per call.
    expect(records.filter((r) => 'lease' in r)).toEqual([])
    const updates = git(origin, 'reflog', 'show', '--format=%H', 'refs/sbx/versions').trim().split('\n')
    expect(Number(git(origin, 'rev-list', '--count', 'refs/sbx/versions').trim())).toBe(updates.length)
    expect(updates.length).toBeLessThanOrEqual(40)
    for (const [i, sha] of updates.slice(0, -1).entries()) {
      expect(git(origin, 'rev-parse', `${sha}^`).trim()).toBe(updates[i + 1])
    }
  }, 600_000)
})

describe('registry down: exit 5 within timeout + 2 s, nothing written, no password', () => {
  const TIMEOUT = 2
  const cases = [
    {case: 'a closed port', url: async () => `postgresql://sbx:hunter2@127.0.0.1:${await closedPort()}/registry`},
    {
      // Here the timeout itself ends the wait: the message says so. The kill bound is looser than for the
      // other cases because start-up on this shared 2-core machine alone has taken over 2 s under load.
      case: 'a server that never answers',
      url: async () => `postgresql://sbx:hunter2@127.0.0.1:${await silentServer()}/registry`,
      bound: (TIMEOUT + 10) * 1000,
      detail: '(timeout expired)',
    },
    {case: 'a remote path that does not exist', url: async () => 'git:nowhere'},
  ]
  it.each(
    cases.flatMap((c) => [
      {...c, json: false},
      {...c, json: true},
    ]),
  )('$case (json: $json)', async (c) => {
    const clone = cloneOf(bareOrigin())
    git(clone, 'remote', 'add', 'nowhere', path.join(clone, 'no-such-origin.git'))
    fs.writeFileSync(
      path.join(clone, 'supabase', 'sbx.toml'),
      `[registry]\nurl = "${await c.url()}"\ntimeout = ${TIMEOUT}\n`,
    )
    const result = await sbx(['migration', 'new', 'blocked', ...(c.json ? ['--json'] : [])], {
      cwd: clone,
      // The bound itself: a process still running at timeout + 2 s is killed and fails the exit-code check.
      timeoutMs: 'bound' in c ? c.bound : (TIMEOUT + 2) * 1000,
    })
    expect(result.exitCode).toBe(5)
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2')
    expect(migrationFiles(clone)).toEqual([])
    const message = c.json ? JSON.parse(result.stdout).error.message : result.stderr
    expect(message).toMatch(
      /Registry (postgresql:\/\/sbx:\*\*\*@127\.0\.0\.1:\d+\/registry|git:nowhere refs\/sbx\/versions)/,
    )
    expect(message).toContain('pass --offline')
    if ('detail' in c) expect(message).toContain(c.detail)
    if (c.json) expect(JSON.parse(result.stdout).error.code).toBe('EREGISTRY')
    else expect(result.stderr.trim()).toMatch(/^Error: Registry .* is unreachable .*\(EREGISTRY\)$/)
  })
})

describe('offline, and conflicts between machines', () => {
  it('--offline writes and warns; check notes the file; fix reserves it; check is then quiet', async () => {
    const origin = bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\ntimeout = 60\n'})
    const clone = cloneOf(origin)
    const down = {SBX_REGISTRY_URL: 'git:nowhere'}
    git(clone, 'remote', 'add', 'nowhere', path.join(clone, 'no-such-origin.git'))

    const made = await sbx(['migration', 'new', 'on_the_train', '--offline'], {cwd: clone, env: down})
    expect(made.exitCode).toBe(0)
    const [file] = migrationFiles(clone)
    expect(made.stdout.trim()).toBe(`Created new migration at supabase/migrations/${file}`)
    expect(made.stderr).toContain(`${file} is not reserved in the registry git:nowhere refs/sbx/versions (--offline)`)

    const noted = await sbx(['check', '--json'], {cwd: clone})
    expect(noted.exitCode).toBe(0)
    expect(JSON.parse(noted.stdout).findings).toEqual([
      {
        kind: 'unreserved',
        blocking: false,
        file,
        version: versionOf(file as string),
        registry: 'git:origin refs/sbx/versions',
      },
    ])

    const fixed = await sbx(['fix'], {cwd: clone})
    expect(fixed.exitCode).toBe(0)
    expect(fixed.stdout).toContain(`reserved ${file} in the registry`)
    expect(gitRecords(origin).map((r) => `${r.version}_${r.name}.sql`)).toEqual([file])
    const quiet = await sbx(['check', '--json'], {cwd: clone})
    expect(JSON.parse(quiet.stdout).findings).toEqual([])
  }, 120_000)

  it('--offline --json says the file is not reserved, on the fast path and through oclif alike', async () => {
    const clone = cloneOf(bareOrigin())
    const env = {SBX_REGISTRY_URL: `postgresql://sbx:hunter2@127.0.0.1:${await closedPort()}/r`}
    const fast = await sbx(['migration', 'new', 'x', '--offline', '--json'], {cwd: clone, env})
    const slow = await sbx(['migration', 'new', 'y', '--offline', '--json'], {
      cwd: clone,
      env: {...env, SBX_FAST_PATH: '0'},
    })
    for (const result of [fast, slow]) {
      expect(result.exitCode).toBe(0)
      expect(JSON.parse(result.stdout).registry).toEqual({
        backend: 'postgres',
        registry: expect.stringMatching(/^postgresql:\/\/sbx:\*\*\*@127\.0\.0\.1:\d+\/r$/),
        project: expect.stringMatching(/origin$/),
        reserved: false,
        offline: true,
      })
    }
    expect(fast.stderr.replace(/\d{14}(_x)?/g, 'V')).toBe(slow.stderr.replace(/\d{14}(_y)?/g, 'V'))
  })

  postgresIt(
    "clone B's offline file with clone A's reserved version: check exits 3 naming A, fix renames (registry-conflict), check exits 0",
    async () => {
      const db = await throwawayDatabase('postgres')
      const origin = bareOrigin()
      const [a, b] = [cloneOf(origin, sbxToml({url: db.url})), cloneOf(origin, sbxToml({url: db.url}))] as [
        string,
        string,
      ]
      git(a, 'checkout', '-q', '-b', 'feat/from-a')
      // The same second on both machines, made deterministic with the workflows' injectable clock.
      const {newMigration} = await import('../../src/workflows/new-migration.js')
      const second = () => new Date('2030-01-02T03:04:05Z')
      const mine = await newMigration({workdir: a, name: 'x', lockTimeoutSeconds: 30, now: second})
      const theirs = await newMigration({workdir: b, name: 'y', lockTimeoutSeconds: 30, now: second, offline: true})
      expect(mine.version).toBe('20300102030405')
      expect(theirs.version).toBe('20300102030405')
      expect(mine.registry?.reserved).toBe(true)

      const checked = await sbx(['check'], {cwd: b})
      expect(checked.exitCode).toBe(3)
      expect(checked.stdout).toContain(
        '20300102030405_y.sql: version 20300102030405 belongs to 20300102030405_x.sql, reserved by',
      )
      expect(checked.stdout).toContain('on branch feat/from-a')

      const fixed = await sbx(['fix', '--json'], {cwd: b})
      expect(fixed.exitCode).toBe(0)
      const [rename] = JSON.parse(fixed.stdout).renames
      expect(rename).toMatchObject({
        from: '20300102030405_y.sql',
        reason: 'registry-conflict',
        kept: '20300102030405_x.sql',
      })
      expect(auditLines(b)).toEqual([
        expect.objectContaining({from: '20300102030405_y.sql', to: rename.to, reason: 'registry-conflict'}),
      ])
      expect(versionOf(rename.to) > '20300102030405').toBe(true)
      const rows = await db.query<{version: string; name: string}>(
        'select version, name from sbx.reservations order by 1',
      )
      expect(rows).toEqual([
        {version: '20300102030405', name: 'x'},
        {version: versionOf(rename.to), name: 'y'},
      ])
      // Both files are written: neither reservation is left pending (the moved one confirmed by fix).
      expect(await db.query('select version from sbx.reservations where lease_expires is not null')).toEqual([])
      expect((await sbx(['check'], {cwd: b})).exitCode).toBe(0)
      expect((await sbx(['check'], {cwd: a})).exitCode).toBe(0)
    },
    120_000,
  )
})

describe('push, the queue and release', () => {
  postgresIt(
    "push marks applied and warns about other clones' earlier reservations; list shows what is pending; release removes one",
    async () => {
      const registry = await throwawayDatabase('postgres')
      const target = await throwawayDatabase('postgres', {baseline: true})
      const origin = bareOrigin()
      const [a, b] = [cloneOf(origin, sbxToml({url: registry.url})), cloneOf(origin, sbxToml({url: registry.url}))] as [
        string,
        string,
      ]
      const create = async (dir: string, name: string) => {
        const result = await sbx(['migration', 'new', name, '--json'], {cwd: dir, input: `select '${name}';\n`})
        expect(result.exitCode).toBe(0)
        return JSON.parse(result.stdout).version as string
      }
      const waiting = await create(b, 'from_b')
      const first = await create(a, 'first')
      const list = async (dir: string, ...flags: string[]) => {
        const result = await sbx(['registry', 'list', '--json', ...flags], {cwd: dir})
        expect(result.exitCode).toBe(0)
        return (JSON.parse(result.stdout).reservations as Array<{version: string; name: string; state: string}>).map(
          (r) => `${r.version}_${r.name} ${r.state}`,
        )
      }
      expect(await list(a)).toEqual([`${waiting}_from_b reserved`, `${first}_first reserved`])

      const pushed = await sbx(['push', '--db-url', target.url, '--no-verify'], {cwd: a, timeoutMs: 180_000})
      expect(pushed.exitCode).toBe(0)
      expect(pushed.stderr).toContain(`reservation of other clones sorts before ${first}`)
      expect(pushed.stderr).toContain(`${waiting}_from_b.sql, reserved by`)
      expect(await list(b)).toEqual([`${waiting}_from_b reserved`])

      const released = await sbx(['registry', 'release', waiting], {cwd: b})
      expect(released.exitCode).toBe(0)
      expect(released.stdout).toContain(`Released ${waiting}_from_b.sql`)
      expect(await list(b)).toEqual([])
      expect(await list(b, '--all')).toEqual([`${waiting}_from_b released`, `${first}_first applied`])

      const human = await sbx(['registry', 'list', '--all'], {cwd: a})
      expect(human.stdout.split('\n')[0]).toMatch(/^VERSION\s+NAME\s+STATE\s+BY\s+BRANCH\s+AGE\s+LEASE$/)

      const unknown = await sbx(['registry', 'release', '20990101000000', '--json'], {cwd: b})
      expect(unknown.exitCode).toBe(2)
      expect(JSON.parse(unknown.stdout).error.code).toBe('ENORESERVATION')
    },
    300_000,
  )

  postgresIt('registry init creates the table and prints the grants for a least-privilege role', async () => {
    const db = await throwawayDatabase('postgres')
    const clone = cloneOf(bareOrigin(), sbxToml({url: db.url, project: 'shop'}))
    const result = await sbx(['registry', 'init', '--role', 'agents'], {cwd: clone})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('grant usage on schema sbx to "agents";')
    expect(result.stdout).toContain('grant select, insert, update on sbx.reservations to "agents";')
    expect(await db.query('select * from sbx.reservations')).toEqual([])
    expect((await sbx(['registry', 'init'], {cwd: clone})).exitCode).toBe(0)
  })
})

describe('bad supabase/sbx.toml: exit 2, one line naming the file and the key, nothing written', () => {
  it.each([
    {
      case: 'an unknown key',
      toml: '[registry]\nurl = "git:origin"\ntimout = 3\n',
      key: 'unknown key [registry] timout',
    },
    {case: 'a wrong type', toml: '[registry]\nurl = "git:origin"\ntimeout = "soon"\n', key: '[registry] timeout'},
    {case: 'a missing env var', toml: '[registry]\nurl = "env(SBX_TEST_NO_SUCH_VAR)"\n', key: '[registry] url'},
  ])('$case', async ({toml, key}) => {
    const clone = cloneOf(bareOrigin(), {'supabase/sbx.toml': toml})
    for (const args of [
      ['migration', 'new', 'x'],
      ['migration', 'new', 'x', '--json'],
      ['check'],
      ['registry', 'list', '--json'],
    ]) {
      const result = await sbx(args, {cwd: clone})
      expect(result.exitCode).toBe(2)
      const message = args.includes('--json') ? JSON.parse(result.stdout).error.message : result.stderr
      expect(message.trim()).toMatch(/^(Error: )?supabase\/sbx\.toml: /)
      expect(message).toContain(key)
      // One line, its code at the end.
      if (!args.includes('--json')) expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(migrationFiles(clone)).toEqual([])
  })
})

describe('watch with a registry', () => {
  it('moves a newcomer whose version another clone holds, and reserves a newcomer nobody holds', async () => {
    const origin = bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\ntimeout = 60\n'})
    const [a, b] = [cloneOf(origin), cloneOf(origin)] as [string, string]
    const held = await sbx(['migration', 'new', 'x', '--json'], {cwd: a})
    const taken = JSON.parse(held.stdout).version as string

    const child = startSbx(['watch', '--json'], {cwd: b, env: {SUPABASE_WORKDIR: undefined}, timeoutMs: 120_000})
    const lines: string[] = []
    let notify: () => void = () => undefined
    child.stdout?.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      notify()
    })
    const waitFor = (match: (event: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const check = () => {
          const found = lines.map((line) => JSON.parse(line)).find(match)
          if (found) resolve(found)
        }
        notify = check
        void child.then((r) => reject(new Error(`sbx watch exited ${r.exitCode}: ${String(r.stderr)}`)))
        check()
      })
    await waitFor((e) => e.event === 'ready')
    const free = '20990101000000'
    const dir = path.join(b, 'supabase', 'migrations')
    fs.writeFileSync(path.join(dir, `${free}_by_plain_supabase.sql`), 'select 1;\n')
    fs.writeFileSync(path.join(dir, `${taken}_y.sql`), 'select 2;\n')

    const renamed = await waitFor((e) => e.event === 'renamed' && e.reason === 'registry-conflict')
    expect(renamed).toMatchObject({from: `${taken}_y.sql`, kept: `${taken}_x.sql`})
    child.kill('SIGINT')
    expect((await child).exitCode).toBe(0)
    const records = gitRecords(origin).map((r) => `${r.version}_${r.name}.sql`)
    expect(records).toEqual(
      expect.arrayContaining([`${taken}_x.sql`, `${free}_by_plain_supabase.sql`, renamed.to as string]),
    )
    expect(records).toHaveLength(3)
  }, 120_000)
})
