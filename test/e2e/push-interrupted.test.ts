/**
 * sbx push's whole process group killed (sbx, its deploy guardian and supabase) while supabase applies a file with
 * its own BEGIN/COMMIT blocks: the first block is committed, the file's history row is not. The next push must
 * not apply that first block again: it refuses (exit 3) naming the file and what to do, and a push after the file
 * was edited down to what is left applies each block exactly once.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import {describe, expect, it, onTestFinished, vi} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {migrationsDir, tmpProject} from '../helpers/project.js'

vi.setConfig({testTimeout: 300_000})

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const push = (dir: string, ...args: string[]) => runSbx(['push', ...args], {cwd: dir, env, timeoutMs: 180_000})

const FILE = '20260301100001_two_parts.sql'
const PART_ONE = "BEGIN;\ninsert into parts(part) values (1);\nselect pg_notify('parts', '1');\nCOMMIT;\n"
// The sleep keeps the file in flight (it is not synchronisation: the test waits for part one's NOTIFY).
const PART_TWO = 'select pg_sleep(5);\nBEGIN;\ninsert into parts(part) values (2);\nCOMMIT;\n'

/** Resolves once listening; `committed` resolves when part one's transaction commits (its NOTIFY arrives). */
async function firstCommit(url: string): Promise<{committed: Promise<void>}> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  onTestFinished(() => client.end())
  const committed = new Promise<void>((resolve) => client.once('notification', () => resolve()))
  await client.query('listen parts')
  return {committed}
}

describe('sbx push whose process group was killed mid-file (postgres)', () => {
  needsServer('postgres')
  it.each([1, 2, 3, 4, 5])(
    'run %i: the next push refuses to apply the partly committed file again; after the edit, every part once',
    async (run) => {
      const db = await throwawayDatabase('postgres')
      await db.query('create table parts (part int not null)')
      const dir = tmpProject({
        'supabase/migrations/20260301100000_first.sql': 'create table first (id int);\n',
        [`supabase/migrations/${FILE}`]: PART_ONE + PART_TWO,
      })
      const {committed} = await firstCommit(db.url)
      // Its own process group, as a terminal or CI job runs it.
      const child = spawn('node', [SBX_BIN, 'push', '--db-url', db.url, '--no-verify'], {
        cwd: dir,
        env: {...process.env, ...env},
        stdio: ['ignore', 'ignore', 'ignore'],
        detached: true,
      })
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const early = exited.then(() => {
        throw new Error('the push ended before part one committed')
      })
      await Promise.race([committed, early])
      const pid = child.pid as number
      // The whole group (sbx, guardian, supabase), and sbx by pid too (odd runs first by pid).
      if (run % 2 === 1) process.kill(pid, 'SIGKILL')
      process.kill(-pid, 'SIGKILL')
      await exited

      const again = await push(dir, '--db-url', db.url, '--no-verify', '--json')
      const parts = await db.query<{part: number; n: number}>(
        'select part, count(*)::int as n from parts group by part order by part',
      )
      expect(
        parts.filter((p) => p.n > 1),
        'parts applied twice',
      ).toEqual([])
      expect(again.exitCode, again.stdout + again.stderr).toBe(3)
      const refused = JSON.parse(again.stdout)
      expect(refused).toMatchObject({status: 'refused', interrupted: [{pending: FILE, version: '20260301100001'}]})
      const text = await push(dir, '--db-url', db.url, '--no-verify')
      expect(text.exitCode).toBe(3)
      expect(text.stdout + text.stderr).toContain(`${FILE} was being applied by a push that stopped`)

      // What to do: the file edited down to what is left, then push again.
      fs.writeFileSync(path.join(migrationsDir(dir), FILE), PART_TWO)
      const finished = await push(dir, '--db-url', db.url, '--no-verify')
      expect(finished.exitCode, finished.stderr).toBe(0)
      const after = await db.query<{part: number; n: number}>(
        'select part, count(*)::int as n from parts group by part order by part',
      )
      expect(after).toEqual([
        {part: 1, n: 1},
        {part: 2, n: 1},
      ])
    },
  )
})
