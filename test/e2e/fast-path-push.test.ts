import {describe, expect, it} from 'vitest'
import {parsePlainPush} from '../../src/fast-path-push.js'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'

const FILES = {
  'supabase/migrations/20260101000000_a.sql': 'create table a (id int primary key);',
  'supabase/migrations/20260101000001_b.sql': 'create index a_id on a (id);',
}
const DUPLICATES = {
  'supabase/migrations/20260101000000_a.sql': 'select 1;',
  'supabase/migrations/20260101000000_b.sql': 'select 2;',
}

/** What differs from run to run: durations, the throwaway database, the temp folder, the embedded port. */
const normalize = (text: string) =>
  text
    .replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T')
    .replace(/sbx_test_\w+/g, 'DB')
    .replace(/\/\S*sbx-test-\w+/g, 'DIR')
    .replace(/127\.0\.0\.1:\d+/g, 'HOST')
    .replace(/"(startedAt|finishedAt|at)": "[^"]*"/g, '"$1": "WHEN"')
    .replace(/pid \d+/g, 'pid N')
    .replace(/"durationMs": \d+/g, '"durationMs": T')

/** The same arguments through the fast path and through oclif, each on its own copy of the project and target. */
async function both(files: Record<string, string>, args: (url?: string) => string[], target?: 'postgres') {
  const runs = []
  for (const fastPath of ['1', '0']) {
    const url = target ? (await throwawayDatabase(target, {baseline: true})).url : undefined
    runs.push(
      await runSbx(['push', ...args(url)], {
        cwd: tmpProject(files),
        env: {SBX_SUPABASE_BIN: SUPABASE_BIN, SBX_FAST_PATH: fastPath, SUPABASE_DB_URL: undefined},
        timeoutMs: 180_000,
      }),
    )
  }
  const [fast, oclif] = runs as [(typeof runs)[0], (typeof runs)[0]]
  expect(fast.exitCode, fast.stderr).toBe(oclif.exitCode)
  expect(normalize(fast.stdout)).toBe(normalize(oclif.stdout))
  expect(normalize(fast.stderr)).toBe(normalize(oclif.stderr))
  return fast
}

describe('the push fast path prints exactly what the oclif command prints', () => {
  it('the embedded database, --dry-run --no-verify', async () => {
    const fast = await both(FILES, () => ['--dry-run', '--no-verify'])
    expect(fast.exitCode).toBe(0)
    expect(fast.stdout).toContain('20260101000001_b.sql')
  }, 300_000)

  it.each([[[]], [['--json']]])(
    'duplicate versions refused before anything is sent %j: exit 3',
    async (extra) => {
      const fast = await both(DUPLICATES, () => ['--no-verify', ...extra])
      expect(fast.exitCode).toBe(3)
    },
    300_000,
  )

  it.each([[[]], [['--json']]])('a mysql:// --db-url %j: exit 2, the one-line usage error', async (extra) => {
    const fast = await both(FILES, () => ['--db-url', 'mysql://u:secret@h/db', ...extra])
    expect(fast.exitCode).toBe(2)
    expect(fast.stdout + fast.stderr).not.toContain('secret')
  })

  it('a --workdir that does not exist: exit 2', async () => {
    expect((await both(FILES, () => ['--workdir', '/nonexistent/dir'])).exitCode).toBe(2)
  })

  describe('to PostgreSQL', () => {
    needsServer()
    it.each([[[]], [['--json']]])(
      'a push of two files %j: exit 0, the same report',
      async (extra) => {
        const fast = await both(FILES, (url) => ['--db-url', url as string, '--no-verify', ...extra], 'postgres')
        expect(fast.exitCode, fast.stderr).toBe(0)
      },
      300_000,
    )
  })
})

describe('parsePlainPush hands everything but the plain shapes to oclif', () => {
  it.each([
    [['push', '--help']],
    [['push', '-h']],
    [['push', '--linked']],
    [['push', '--db-url', 'x', '--linked']],
    [['push', 'extra']],
    [['push', '--no-such-flag']],
    [['push', '--db-url', 'a', '--db-url', 'b']],
    [['push', '--verify', '--no-verify']],
    [['push', '--no-dry-run']],
    [['push', '--no-json']],
    [['push', '--db-url']],
    [['push', '--db-url', '--json']],
    [['push', '--db-url=']],
    [['push', '--lock-timeout', 'soon']],
    [['push', '--lock-timeout', '-1']],
    [['check']],
  ])('%j', (argv) => {
    expect(parsePlainPush(argv, {})).toBeUndefined()
  })

  it('SBX_FAST_PATH=0, SBX_CONTENT_TYPE and an empty SUPABASE_DB_URL go to oclif', () => {
    expect(parsePlainPush(['push'], {SBX_FAST_PATH: '0'})).toBeUndefined()
    expect(parsePlainPush(['push'], {SBX_CONTENT_TYPE: 'json'})).toBeUndefined()
    expect(parsePlainPush(['push'], {SUPABASE_DB_URL: ''})).toBeUndefined()
  })

  it('reads the plain flags, and $SUPABASE_DB_URL when --db-url is absent', () => {
    expect(parsePlainPush(['push', '--no-verify', '--no-cache', '--lock-timeout=5', '--json'], {})).toEqual({
      workdir: undefined,
      target: {kind: 'embedded'},
      dryRun: false,
      includeAll: false,
      verify: false,
      cache: false,
      shadowUrl: undefined,
      lockTimeoutSeconds: 5,
      json: true,
    })
    expect(parsePlainPush(['push', '--include-all', '--dry-run'], {SUPABASE_DB_URL: 'postgresql://h/d'})).toMatchObject(
      {target: {kind: 'url', url: 'postgresql://h/d', env: 'SUPABASE_DB_URL'}, dryRun: true, includeAll: true},
    )
    expect(
      parsePlainPush(['push', '--db-url', 'postgresql://a/b'], {SUPABASE_DB_URL: 'postgresql://h/d'}),
    ).toMatchObject({target: {kind: 'url', url: 'postgresql://a/b'}})
  })
})
