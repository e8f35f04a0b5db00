/**
 * `sbx squash` killed by pid (SIGKILL) at every step of its write, and at random moments: once the next sbx run
 * has looked at the folder, it holds the originals or the squash — never both, never neither — and the audit
 * file one line per squashed file exactly when the squash happened.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN, startSbx} from '../helpers/cli.js'
import {gitProject} from '../helpers/project.js'
import {shopMigrations} from '../helpers/squash-migrations.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const COUNT = 8
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex')

function folderOf(dir: string): Map<string, string> {
  const folder = path.join(dir, 'supabase', 'migrations')
  return new Map(fs.readdirSync(folder).map((file) => [file, sha(fs.readFileSync(path.join(folder, file)))]))
}

function auditLines(dir: string): Array<{from: string; to: string; reason: string; sha256: string}> {
  const file = path.join(dir, 'supabase', 'sbx-renames.jsonl')
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

/** The invariant, after the next run has seen the folder. */
function expectOriginalsOrSquash(dir: string, originals: Map<string, string>): 'originals' | 'squash' {
  const now = folderOf(dir)
  const lines = auditLines(dir).filter((line) => line.reason === 'squashed')
  if (now.size === originals.size) {
    expect(now).toEqual(originals)
    expect(lines).toEqual([])
    return 'originals'
  }
  const target = [...originals.keys()].at(-1) as string
  expect([...now.keys()]).toEqual([target])
  expect(lines.map((line) => line.from)).toEqual([...originals.keys()])
  expect(now.get(target)).toBe(lines[0]?.sha256)
  return 'squash'
}

/** Starts a squash, waits until it says it paused at `point` (or `afterMs`), kills it by pid. */
async function killSquash(dir: string, stop: {point: string} | {afterMs: number}): Promise<void> {
  const child = startSbx(['squash'], {
    cwd: dir,
    env: {...env, ...('point' in stop ? {SBX_SQUASH_PAUSE: stop.point} : {})},
    timeoutMs: 240_000,
  })
  await new Promise<void>((resolve) => {
    if ('afterMs' in stop) setTimeout(resolve, stop.afterMs)
    child.stderr?.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('sbx-squash-paused')) resolve()
    })
    child.on('exit', () => resolve())
  })
  // A random moment may fall after the squash finished: then there is nothing to kill, and the invariant still holds.
  try {
    process.kill(child.pid as number, 'SIGKILL')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
  await child.catch(() => undefined)
}

describe('sbx squash killed by pid', () => {
  it.each([
    {point: 'staged', expected: 'originals'},
    {point: 'journaled', expected: 'squash'},
    {point: 'replaced', expected: 'squash'},
    {point: 'audited', expected: 'squash'},
  ])(
    'at "$point": the next run leaves the $expected',
    async ({point, expected}) => {
      const dir = gitProject(shopMigrations(COUNT))
      const originals = folderOf(dir)
      await killSquash(dir, {point})
      const next = await runSbx(['squash', '--dry-run', '--json'], {cwd: dir, env, timeoutMs: 240_000})
      expect(next.exitCode, next.stdout + next.stderr).toBe(0)
      expect(expectOriginalsOrSquash(dir, originals)).toBe(expected)
      if (expected === 'squash') expect(JSON.parse(next.stdout).recovered).toBe([...originals.keys()].at(-1))
      expect(fs.existsSync(path.join(dir, 'supabase', '.temp', 'sbx', 'squash'))).toBe(false)
    },
    300_000,
  )

  it.each([
    ['check', '--json'],
    ['migration', 'new', 'after_squash'],
  ])(
    'killed after the squash is in place: the next `sbx %s` finishes it before reading the folder',
    async (...command) => {
      const dir = gitProject(shopMigrations(COUNT))
      const originals = folderOf(dir)
      await killSquash(dir, {point: 'replaced'})
      const next = await runSbx(command, {cwd: dir, env, timeoutMs: 240_000})
      expect(next.exitCode, next.stdout + next.stderr).toBe(0)
      const made =
        command[0] === 'migration' ? [...folderOf(dir).keys()].filter((file) => file.endsWith('_after_squash.sql')) : []
      for (const file of made) fs.rmSync(path.join(dir, 'supabase', 'migrations', file))
      expect(expectOriginalsOrSquash(dir, originals)).toBe('squash')
      expect(fs.existsSync(path.join(dir, 'supabase', '.temp', 'sbx', 'squash'))).toBe(false)
    },
    300_000,
  )

  it('at random moments: originals or squash, every time', async () => {
    for (const afterMs of [Math.random() * 1500, 1000 + Math.random() * 2500, 2000 + Math.random() * 4000]) {
      const dir = gitProject(shopMigrations(COUNT))
      const originals = folderOf(dir)
      await killSquash(dir, {afterMs})
      const next = await runSbx(['squash', '--dry-run', '--json'], {cwd: dir, env, timeoutMs: 240_000})
      expect(next.exitCode, next.stdout + next.stderr).toBe(0)
      expectOriginalsOrSquash(dir, originals)
    }
  }, 600_000)
})
