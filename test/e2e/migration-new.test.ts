/**
 * `sbx migration new` as users run it: the built CLI (`npm run build` first) in real processes, many at
 * once, on real temp projects and real git worktrees, against the real lock.
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {formatVersion} from '../../src/core/migrations/version.js'
import {type RunOptions, type RunResult, runSbx, SBX_BIN} from '../helpers/cli.js'
import {holdLock} from '../helpers/lock-holder.js'
import {git, gitProject, listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {sha256, snapshotTree} from '../helpers/tree.js'

const FILE = /^(\d{14})_(.+)\.sql$/

/**
 * `sbx migration new …` as a user runs it. SUPABASE_WORKDIR is cleared unless the test sets it, and so is
 * NODE_ENV: vitest sets it to "test", which switches oclif into its development path lookup (tsx
 * registration, a warning on stderr, +0.5 s per process).
 */
async function migrationNew(args: string[], options: RunOptions): Promise<RunResult> {
  const result = await runSbx(['migration', 'new', ...args], {
    ...options,
    env: {SUPABASE_WORKDIR: undefined, NODE_ENV: undefined, ...options.env},
  })
  // oclif wraps error messages at 80 columns, continuing each line with " ›   ".
  return {...result, stderr: result.stderr.replace(/[ \t]*\n ›[ \t]+/g, ' ')}
}

function versionOf(file: string): string {
  const match = FILE.exec(file)
  if (!match) throw new Error(`not a migration file name: ${file}`)
  return match[1] as string
}

function createdFile(result: RunResult): string {
  const match = /^Created new migration at supabase\/migrations\/(.+)$/.exec(result.stdout.trim())
  if (!match) throw new Error(`unexpected output: ${JSON.stringify(result)}`)
  return match[1] as string
}

function addWorktree(repo: string, branch: string): string {
  const where = path.join(tmpProject({}, {config: false}), branch)
  git(repo, 'worktree', 'add', '-q', '-b', branch, where)
  return where
}

describe('sbx migration new: the file', () => {
  it('turns "add users" into <14 digits>_add_users.sql, empty, and says where', async () => {
    const workdir = tmpProject()
    const before = formatVersion(new Date())
    const result = await migrationNew(['add users'], {cwd: workdir})
    const after = formatVersion(new Date())

    expect(result.exitCode).toBe(0)
    const [file] = listMigrations(workdir)
    expect(file).toMatch(/^\d{14}_add_users\.sql$/)
    expect(result.stdout).toBe(`Created new migration at supabase/migrations/${file}`)
    // The current UTC second, since nothing later is known.
    const version = versionOf(file as string)
    expect(version >= before && version <= after).toBe(true)
    expect(fs.readFileSync(path.join(migrationsDir(workdir), file as string))).toHaveLength(0)
  })

  it('turns hyphens into _ and steps one second past a later version already in the folder', async () => {
    const workdir = tmpProject({'supabase/migrations/20990101000000_future.sql': 'select 1;'})
    const result = await migrationNew(['add-user-roles'], {cwd: workdir})
    expect(result.exitCode).toBe(0)
    expect(createdFile(result)).toBe('20990101000001_add_user_roles.sql')
    expect(listMigrations(workdir)).toEqual(['20990101000000_future.sql', '20990101000001_add_user_roles.sql'])
  })

  it('refuses bad names with exit 2 and writes nothing at all', async () => {
    const workdir = tmpProject({'supabase/migrations/20250101000000_init.sql': 'select 1;'})
    const before = snapshotTree(workdir)
    const bad = ['../x', 'a/b', '..\\x', '', 'x'.repeat(300), '..', '/', '\\', 'a\u0001b', 'x/../../y']
    const results = await Promise.all(bad.map((name) => migrationNew([name], {cwd: workdir})))
    results.forEach((result, i) => {
      expect({name: bad[i], exitCode: result.exitCode, stdout: result.stdout}).toEqual({
        name: bad[i],
        exitCode: 2,
        stdout: '',
      })
      expect(result.stderr).toContain('EBADNAME')
    })
    expect(snapshotTree(workdir)).toEqual(before)
  })

  it('writes 5 MB of random bytes from stdin byte-exact', async () => {
    const workdir = tmpProject()
    const bytes = randomBytes(5 * 1024 * 1024)
    const result = await migrationNew(['bulk_load'], {cwd: workdir, input: bytes})
    expect(result.exitCode).toBe(0)
    const content = fs.readFileSync(path.join(migrationsDir(workdir), createdFile(result)))
    expect(content.length).toBe(bytes.length)
    expect(sha256(content)).toBe(sha256(bytes))
  })

  it.each([
    ['/dev/null', '</dev/null'],
    ['closed', '<&-'],
  ])('creates an empty file when stdin is %s, in the fast path and through oclif', async (_, redirect) => {
    for (const fastPath of ['1', '0']) {
      const workdir = tmpProject()
      const result = await execa('bash', ['-c', `node "${SBX_BIN}" migration new from_stdin ${redirect}`], {
        cwd: workdir,
        reject: false,
        env: {SUPABASE_NO_UPDATE_NOTIFIER: '1', NODE_ENV: undefined, SBX_FAST_PATH: fastPath},
      })
      expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0)
      const [file] = listMigrations(workdir)
      expect(file).toMatch(/^\d{14}_from_stdin\.sql$/)
      expect(fs.readFileSync(path.join(migrationsDir(workdir), file as string), 'utf8')).toBe('')
    }
  })

  it('--json prints {version, name, path} with an absolute path', async () => {
    const workdir = tmpProject()
    const result = await migrationNew(['add users', '--json'], {cwd: workdir})
    expect(result.exitCode).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(Object.keys(json).sort()).toEqual(['name', 'path', 'version'])
    expect(json.version).toMatch(/^\d{14}$/)
    expect(json.name).toBe('add_users')
    expect(json.path).toBe(path.join(workdir, 'supabase', 'migrations', `${json.version}_add_users.sql`))
    expect(listMigrations(workdir)).toEqual([`${json.version}_add_users.sql`])
  })

  it('keeps exit codes under --json: 0, 2 and 4 (with the error code on stdout)', async () => {
    const workdir = tmpProject()
    const ok = await migrationNew(['fine', '--json'], {cwd: workdir})
    const bad = await migrationNew(['a/b', '--json'], {cwd: workdir})
    expect(ok.exitCode).toBe(0)
    expect(bad.exitCode).toBe(2)
    expect(JSON.parse(bad.stdout).error).toMatchObject({code: 'EBADNAME', exitCode: 2})

    await holdLock(workdir)
    const locked = await migrationNew(['late', '--json', '--lock-timeout', '0'], {cwd: workdir})
    expect(locked.exitCode).toBe(4)
    expect(JSON.parse(locked.stdout).error).toMatchObject({code: 'ELOCKTIMEOUT', exitCode: 4})
    expect(listMigrations(workdir)).toHaveLength(1)
  })
})

describe('sbx migration new: where the project is', () => {
  it('works without git and without config.toml, creating supabase/migrations in the cwd', async () => {
    const workdir = tmpProject({}, {config: false})
    const result = await migrationNew(['x'], {cwd: workdir})
    expect(result.exitCode).toBe(0)
    expect(listMigrations(workdir)).toEqual([createdFile(result)])
    // Outside git the lock and ledger live in supabase/.temp/sbx.
    expect(fs.existsSync(path.join(workdir, 'supabase', '.temp', 'sbx', 'ledger.json'))).toBe(true)
  })

  it('uses the nearest ancestor holding supabase/config.toml', async () => {
    const outer = tmpProject({'inner/supabase/config.toml': 'project_id = "inner"\n', 'inner/src/deep/.keep': ''})
    const fromDeep = await migrationNew(['from_deep'], {cwd: path.join(outer, 'inner', 'src', 'deep')})
    fs.mkdirSync(path.join(outer, 'docs'))
    const fromDocs = await migrationNew(['from_docs'], {cwd: path.join(outer, 'docs')})

    expect([fromDeep.exitCode, fromDocs.exitCode]).toEqual([0, 0])
    expect(listMigrations(path.join(outer, 'inner'))).toEqual([createdFile(fromDeep)])
    expect(listMigrations(outer)).toEqual([createdFile(fromDocs)])
    expect(fs.existsSync(path.join(outer, 'inner', 'src', 'deep', 'supabase'))).toBe(false)
  })

  it('prefers SUPABASE_WORKDIR to the ancestor search, and --workdir to both (relative to the cwd)', async () => {
    const here = tmpProject()
    const fromEnv = tmpProject({}, {config: false})
    const fromFlag = tmpProject({}, {config: false})

    const env = await migrationNew(['by_env'], {cwd: here, env: {SUPABASE_WORKDIR: fromEnv}})
    const flag = await migrationNew(['by_flag', '--workdir', fromFlag], {cwd: here, env: {SUPABASE_WORKDIR: fromEnv}})
    const relative = await migrationNew(['by_relative_env'], {
      cwd: path.dirname(fromEnv),
      env: {SUPABASE_WORKDIR: path.basename(fromEnv)},
    })
    const relativeFlag = await migrationNew(['by_relative_flag', '--workdir', path.basename(fromFlag)], {
      cwd: path.dirname(fromFlag),
    })

    for (const result of [env, flag, relative, relativeFlag]) expect(result.exitCode).toBe(0)
    expect(listMigrations(here)).toEqual([])
    expect(listMigrations(fromEnv)).toEqual([createdFile(env), createdFile(relative)].sort())
    expect(listMigrations(fromFlag)).toEqual([createdFile(flag), createdFile(relativeFlag)].sort())
    // The message names the path relative to the workdir, as supabase prints it.
    expect(createdFile(flag)).toMatch(/^\d{14}_by_flag\.sql$/)
  })
})

describe('sbx migration new: many processes at once', () => {
  it('100 parallel processes in one project: 100 files, 100 distinct versions, every exit 0', async () => {
    const workdir = gitProject()
    const results = await Promise.all(
      Array.from({length: 100}, (_, i) => migrationNew([`parallel_${i}`], {cwd: workdir, timeoutMs: 150_000})),
    )

    expect(results.map((r) => r.exitCode)).toEqual(Array(100).fill(0))
    const files = listMigrations(workdir)
    expect(files).toHaveLength(100)
    expect(new Set(files.map(versionOf)).size).toBe(100)
    expect(results.map(createdFile).sort()).toEqual(files)
  }, 240_000)

  it('three worktrees of one repository, 30 processes in each at once: 90 files, 90 distinct versions', async () => {
    const repo = gitProject()
    const worktrees = [repo, addWorktree(repo, 'feature_a'), addWorktree(repo, 'feature_b')]
    const runs = worktrees.flatMap((worktree, w) =>
      Array.from({length: 30}, (_, i) => migrationNew([`wt${w}_${i}`], {cwd: worktree, timeoutMs: 150_000})),
    )
    const results = await Promise.all(runs)

    expect(results.map((r) => r.exitCode)).toEqual(Array(90).fill(0))
    const perWorktree = worktrees.map(listMigrations)
    expect(perWorktree.map((files) => files.length)).toEqual([30, 30, 30])
    perWorktree.forEach((files, w) => {
      for (const file of files) expect(file).toMatch(new RegExp(`^\\d{14}_wt${w}_\\d+\\.sql$`))
    })
    const versions = perWorktree.flat().map(versionOf)
    expect(new Set(versions).size).toBe(90)
    // The lock and the ledger are shared through the git common dir, not per worktree.
    expect(fs.existsSync(path.join(repo, '.git', 'sbx', 'ledger.json'))).toBe(true)
    for (const worktree of worktrees)
      expect(fs.existsSync(path.join(worktree, 'supabase', '.temp', 'sbx', 'ledger.json'))).toBe(false)
  }, 240_000)
})

describe('sbx migration new: the lock', () => {
  it('says whom it waits for once it has waited 1 s, then gives up with exit 4 naming the holder', async () => {
    const workdir = tmpProject()
    const holder = await holdLock(workdir)

    const [patient, impatient] = await Promise.all([
      migrationNew(['patient', '--lock-timeout', '2'], {cwd: workdir}),
      migrationNew(['impatient', '--lock-timeout', '0'], {cwd: workdir}),
    ])

    const who = `pid ${holder.pid} on ${os.hostname()} (hold-lock fixture, since `
    expect(patient.exitCode).toBe(4)
    expect(patient.stderr).toContain(`sbx: waiting for the migrations lock held by ${who}`)
    expect(patient.stderr).toMatch(/since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)
    expect(patient.stderr).toContain('Timed out after 2s')
    expect(patient.stderr.split('sbx: waiting for').length - 1).toBe(1)
    // Giving up before a second has passed: the error names the holder, but there is no waiting line.
    expect(impatient.exitCode).toBe(4)
    expect(impatient.stderr).not.toContain('sbx: waiting for')
    expect(impatient.stderr).toContain(`pid ${holder.pid}`)
    expect(listMigrations(workdir)).toEqual([])
  })

  it('is shared by all worktrees of a repository (it lives in the git common dir)', async () => {
    const repo = gitProject()
    const other = addWorktree(repo, 'feature')
    const holder = await holdLock(other)
    expect(holder.lockHome).toBe(path.join(repo, '.git', 'sbx'))

    const result = await migrationNew(['blocked', '--lock-timeout', '0'], {cwd: repo})
    expect(result.exitCode).toBe(4)
    expect(result.stderr).toContain(`pid ${holder.pid}`)
    expect(listMigrations(repo)).toEqual([])
  })

  it('after its holder is killed with SIGKILL, the next call gets the lock once it is stale and leaves no stray file', async () => {
    const workdir = tmpProject()
    const holder = await holdLock(workdir, {stage: true})
    const staged = path.join(workdir, 'supabase', '.temp', 'sbx', 'tmp')
    expect(fs.readdirSync(staged)).toHaveLength(1)

    await holder.kill()
    // The bound is sbx's own: a dead holder's lock goes stale after STALE_MS (10 s), well inside this timeout.
    const result = await migrationNew(['after_kill', '--lock-timeout', '20'], {cwd: workdir})

    expect(result.exitCode).toBe(0)
    expect(result.stderr).toContain(`pid ${holder.pid} on ${os.hostname()} (hold-lock fixture`)
    expect(result.stderr).toContain('no longer running')
    expect(listMigrations(workdir)).toEqual([createdFile(result)])
    // The dead holder's staged temp file is cleaned up, and nothing else of ours is left behind.
    expect(fs.readdirSync(staged)).toEqual([])
    expect(fs.existsSync(path.join(workdir, 'supabase', '.temp', 'sbx', 'lock'))).toBe(false)
  }, 60_000)
})
