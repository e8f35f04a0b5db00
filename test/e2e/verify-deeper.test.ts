/**
 * `sbx verify` goes deeper, as a user runs it (the built CLI; npm run build first): Supabase's security advisors
 * run by the real supabase binary on the replayed PGlite, each finding attributed to its migration; the real
 * squawk on the files; blocking per supabase/sbx.toml and flags; push refusing with nothing sent.
 */
import {writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {schemaFingerprint} from '../helpers/baseline.js'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {POSTGRES_URL, throwawayDatabase} from '../helpers/databases.js'
import {git, tmpProject} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'

const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR, SBX_SUPABASE_BIN: SUPABASE_BIN}
const sbx = (cwd: string, ...args: string[]) => runSbx(args, {cwd, env, timeoutMs: 180_000})

const NOTES = 'supabase/migrations/20260101000000_notes.sql'
const VIEW = 'supabase/migrations/20260102000000_notes_view.sql'
const FUNCTION = 'supabase/migrations/20260103000000_note_count.sql'
/** The three mistakes agents make: no RLS, a SECURITY DEFINER view, a function without search_path. */
const UNSAFE = {
  [NOTES]: 'create table public.notes (id bigint generated always as identity primary key, body text);\n',
  [VIEW]: 'create view public.notes_view with (security_invoker = false) as select id, body from public.notes;\n',
  [FUNCTION]:
    'create function public.note_count() returns bigint language sql security definer\nas $$ select count(*) from public.notes $$;\n',
}
const file = (key: string) => path.basename(key)
const IGNORING =
  '[verify]\nadvisors = "error"\nignore = ["rls_disabled_in_public", "security_definer_view:public.notes_view"]\n'

function advisorLines(report: VerifyReport) {
  return (report.advisors?.findings ?? []).map(
    (f) => `${f.level} ${f.rule} ${f.object.schema}.${f.object.name} ${f.migration} ${f.blocking}`,
  )
}

describe('sbx verify: Supabase security advisors on the replay', () => {
  it('reports each finding with its rule and the file that created it, and exits 0 by default', async () => {
    const cwd = tmpProject(UNSAFE)

    const human = await sbx(cwd, 'verify')
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toMatch(
      /ERROR rls_disabled_in_public: table public\.notes, created by 20260101000000_notes\.sql/,
    )
    expect(human.stdout).toMatch(
      /ERROR security_definer_view: view public\.notes_view, created by 20260102000000_notes_view\.sql/,
    )
    expect(human.stdout).toMatch(
      /WARN function_search_path_mutable: function public\.note_count, created by 20260103000000_note_count\.sql/,
    )
    expect(human.stdout).toContain(
      'https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public',
    )
    expect(human.stdout).toMatch(/Security advisors \(supabase [\d.]+\): 3 findings; report only/)
  }, 180_000)

  it('[verify] advisors = "error": the RLS finding fails verify (exit 3); ignoring the ERROR rules lets it pass', async () => {
    const cwd = tmpProject({...UNSAFE, 'supabase/sbx.toml': '[verify]\nadvisors = "error"\n'})

    const verified = await sbx(cwd, 'verify', '--json')
    expect(verified.exitCode, verified.stderr).toBe(3)
    const report = JSON.parse(verified.stdout) as VerifyReport
    expect(report).toMatchObject({ok: false, blocked: true, advisors: {status: 'ran', level: 'error', scope: 'all'}})
    expect(report.failure).toBeUndefined()
    expect(advisorLines(report).sort()).toEqual([
      `ERROR rls_disabled_in_public public.notes ${file(NOTES)} true`,
      `ERROR security_definer_view public.notes_view ${file(VIEW)} true`,
      `WARN function_search_path_mutable public.note_count ${file(FUNCTION)} false`,
    ])

    writeFiles(cwd, {'supabase/sbx.toml': IGNORING})
    const ignored = await sbx(cwd, 'verify')
    expect(ignored.exitCode, ignored.stdout).toBe(0)
    expect(ignored.stdout).toContain('(+ 2 ignored by [verify] ignore)')
  }, 180_000)

  it('[verify] advisors = "error": push refuses with exit 3 and sends nothing; with the rules ignored it deploys', async () => {
    const db = await throwawayDatabase(POSTGRES_URL ? 'postgres' : 'pglite', {baseline: true})
    const cwd = tmpProject({...UNSAFE, 'supabase/sbx.toml': '[verify]\nadvisors = "error"\n'})
    const before = await schemaFingerprint(db)

    const pushed = await sbx(cwd, 'push', '--db-url', db.url)
    expect(pushed.exitCode, pushed.stderr).toBe(3)
    expect(pushed.stdout).toContain('Refused: nothing was sent')
    expect(pushed.stdout).toMatch(
      /error {2}ERROR rls_disabled_in_public: table public\.notes, created by 20260101000000_notes\.sql/,
    )
    expect(await schemaFingerprint(db)).toBe(before)

    writeFiles(cwd, {'supabase/sbx.toml': IGNORING})
    const pushedAfter = await sbx(cwd, 'push', '--db-url', db.url)
    expect(pushedAfter.exitCode, pushedAfter.stdout + pushedAfter.stderr).toBe(0)
  }, 180_000)

  it('verify --against main: an ERROR finding on an object the branch introduces exits 3; an old table of main without RLS does not', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_legacy.sql': 'create table public.legacy (id int primary key);\n',
    })
    git(cwd, 'init', '-q', '-b', 'main')
    git(cwd, 'add', '.')
    git(cwd, 'commit', '-qm', 'main')
    git(cwd, 'checkout', '-qb', 'feature')
    writeFiles(cwd, {[NOTES]: UNSAFE[NOTES]})
    git(cwd, 'add', '.')
    git(cwd, 'commit', '-qm', 'notes')

    const plain = await sbx(cwd, 'verify')
    expect(plain.exitCode, plain.stdout).toBe(0)

    const against = await sbx(cwd, 'verify', '--against', 'main', '--json')
    expect(against.exitCode, against.stderr).toBe(3)
    const report = JSON.parse(against.stdout) as VerifyReport
    expect(report.advisors).toMatchObject({level: 'error', scope: 'branch'})
    expect(advisorLines(report).sort()).toEqual([
      'ERROR rls_disabled_in_public public.legacy 20250101000000_legacy.sql false',
      `ERROR rls_disabled_in_public public.notes ${file(NOTES)} true`,
    ])
    // Only the branch's files are linted.
    expect(report.lint?.files).toEqual([file(NOTES)])
  }, 180_000)

  it('a clean realistic set (RLS on, policies, definer functions with search_path) has no blocking finding in any mode', async () => {
    const cwd = tmpProject(REALISTIC_MIGRATIONS)

    const strictest = await sbx(cwd, 'verify', '--advisors', 'warn', '--lint', 'warn', '--json')
    expect(strictest.exitCode, strictest.stdout).toBe(0)
    const report = JSON.parse(strictest.stdout) as VerifyReport
    expect(report.advisors?.status).toBe('ran')
    expect(report.advisors?.findings.filter((f) => f.level !== 'INFO')).toEqual([])
    expect(report.lint?.findings).toEqual([])
  }, 180_000)
})

describe('sbx lint and the lint in verify: squawk in supabase’s transaction context', () => {
  const LINT_FILES = {
    'supabase/migrations/20260101000000_big.sql': 'create table public.big (id bigint primary key, x int);\n',
    'supabase/migrations/20260102000000_index.sql': 'create index on public.big (x);\n',
    'supabase/migrations/20260103000000_required.sql':
      '-- a harmless first statement\nselect 1;\nalter table public.big add column c int not null;\n',
    'supabase/migrations/20260104000000_concurrently.sql':
      'create index concurrently if not exists big_x_idx on public.big (x);\n',
    'supabase/migrations/20260105000000_ignored.sql':
      '-- squawk-ignore require-concurrent-index-creation\ncreate index big_id_x on public.big (id, x);\n',
  }

  it('names file, statement and rule; CONCURRENTLY in its own file has no transaction finding; squawk-ignore works', async () => {
    const cwd = tmpProject(LINT_FILES)

    const result = await sbx(cwd, 'lint', '--json')
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as NonNullable<VerifyReport['lint']>
    expect(report.findings.map((f) => `${f.file} ${f.statementIndex} ${f.rule} ${f.context}`)).toEqual([
      '20260102000000_index.sql 0 require-concurrent-index-creation file-transaction',
      '20260103000000_required.sql 1 adding-required-field file-transaction',
    ])
    expect(report.findings[0]).toMatchObject({
      line: 1,
      docs: 'https://squawkhq.com/docs/require-concurrent-index-creation',
    })
    expect(report.rulesOff.map((r) => r.rule)).toContain('require-lock-timeout')

    const one = await sbx(
      cwd,
      'lint',
      path.join(cwd, 'supabase/migrations/20260102000000_index.sql'),
      '--level',
      'warn',
    )
    expect(one.exitCode).toBe(3)
    expect(one.stdout).toMatch(
      /error {2}.*20260102000000_index\.sql statement 0 \(line 1\): require-concurrent-index-creation/,
    )

    const verified = await sbx(cwd, 'verify')
    expect(verified.exitCode, verified.stdout).toBe(0)
    expect(verified.stdout).toMatch(/20260103000000_required\.sql statement 1 \(line 3\): adding-required-field/)
    expect(verified.stdout).toMatch(/Lock-safety lint \(squawk [\d.]+\) of 5 files: 2 findings; report only/)

    const checked = await sbx(cwd, 'check', '--lint')
    expect(checked.exitCode).toBe(0)
    expect(checked.stdout).toMatch(
      /20260102000000_index\.sql statement 0 \(line 1\): require-concurrent-index-creation/,
    )
  }, 180_000)

  it('[lint] level = "warn" makes verify fail on them; exclude turns a rule off', async () => {
    const cwd = tmpProject({
      ...LINT_FILES,
      'supabase/sbx.toml': '[verify]\nadvisors = "off"\n[lint]\nlevel = "warn"\nexclude = ["adding-required-field"]\n',
    })
    const result = await sbx(cwd, 'verify', '--json')
    expect(result.exitCode).toBe(3)
    const report = JSON.parse(result.stdout) as VerifyReport
    expect(report.advisors?.status).toBe('off')
    expect(report.lint?.findings.map((f) => `${f.file} ${f.rule} ${f.blocking}`)).toEqual([
      '20260102000000_index.sql require-concurrent-index-creation true',
    ])
  }, 180_000)
})

function writeFiles(cwd: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(cwd, name), content)
}
