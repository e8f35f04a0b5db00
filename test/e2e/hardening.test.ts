/**
 * Bad input and a hostile environment, through the built CLI: each gets one line naming what was wrong and what to
 * do, its documented exit code (also with --json), and loses nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'

/**
 * Root may write anywhere: as root, these tests run sbx without the capabilities that let root ignore file
 * permissions (setpriv, from util-linux), so a read-only folder refuses it as it refuses any user. Running as
 * another user instead would need the repository itself readable by that user, which a clone under /root is not.
 */
const isRoot = process.getuid?.() === 0
const WITHOUT_OVERRIDE = ['--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search,-fowner', 'node', SBX_BIN]

/** A name with a byte that is not UTF-8 (é in Latin-1). */
function writeLatin1Name(dir: string, prefix: string, content: string): void {
  fs.writeFileSync(
    Buffer.concat([Buffer.from(path.join(migrationsDir(dir), prefix)), Buffer.from([0xe9]), Buffer.from('.sql')]),
    content,
  )
}

describe('names supabase cannot read cleanly', () => {
  it('check exits 3 naming a non-UTF-8 file, escaped', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_ok.sql': 'select 1;'})
    writeLatin1Name(dir, '20260101000001_caf', 'select 2;')
    const result = await runSbx(['check'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('20260101000001_caf\\xe9.sql')
    expect(result.stdout).toContain('not valid UTF-8')
    const json = await runSbx(['check', '--json'], {cwd: dir})
    expect(json.exitCode).toBe(3)
    expect(JSON.parse(json.stdout).findings).toContainEqual(
      expect.objectContaining({kind: 'skipped-file', file: '20260101000001_caf\\xe9.sql', blocking: true}),
    )
  })

  it('check exits 3 naming a file with a control character, escaped', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a\u001b[31m.sql': 'select 1;'})
    const result = await runSbx(['check'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('20260101000000_a\\u001b[31m.sql')
    expect(result.stdout).not.toContain('\u001b')
  })

  it('verify refuses before replaying anything (exit 3)', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_ok.sql': 'select 1;'})
    writeLatin1Name(dir, '20260101000001_caf', 'select 2;')
    const result = await runSbx(['verify', '--json'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ok: false, applied: 0})
    expect(report.unreadableNames[0].file).toBe('20260101000001_caf\\xe9.sql')
  })
})

describe('malformed database URLs are usage errors (exit 2)', () => {
  it.each([
    ['check', '--db-url', 'postgresql://u:secret@127.0.0.1:notaport/db'],
    ['fix', '--db-url', 'postgresql://u:secret@127.0.0.1:notaport/db'],
    ['watch', '--db-url', 'postgresql://u:secret@127.0.0.1:notaport/db'],
    ['push', '--db-url', 'postgresql://u:secret@127.0.0.1:notaport/db'],
    ['check', '--db-url', 'postgres//u:secret@@/'],
    ['push', '--db-url', 'mysql://u:secret@127.0.0.1/db'],
    // libpq's key=value form is not a URL: refused, and its password masked like a URL's.
    ['check', '--db-url', 'host=127.0.0.1 port=5432 user=u password=secret dbname=db'],
    ['push', '--db-url', "host=127.0.0.1 user=u password='secret' dbname=db"],
    ['plan', '--db-url', 'host=127.0.0.1 user=u password=secret dbname=db'],
    ['sync', '--db-url', 'host=127.0.0.1 user=u password=secret dbname=db'],
    ['sync', '--db-url', 'mysql://u:secret@127.0.0.1/db'],
  ])('%s %s %s', async (...args) => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const result = await runSbx(args, {cwd: dir, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}})
    expect(result.exitCode, result.stderr).toBe(2)
    // One line naming what was wrong, never wrapped.
    expect(result.stderr).toMatch(/^Error: --db-url .* is not a (valid|Postgres) URL.*\(EBADURL\)$/mu)
    expect(result.stdout + result.stderr).not.toContain('secret')
    expect(result.stderr).not.toMatch(/TypeError|at .*\.js:\d+/)
    if (args[0] !== 'watch') {
      const json = await runSbx([...args, '--json'], {cwd: dir, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}})
      expect(json.exitCode).toBe(2)
      expect(JSON.parse(json.stdout).error).toMatchObject({code: 'EBADURL', exitCode: 2})
      expect(json.stdout + json.stderr).not.toContain('secret')
    }
  })
})

describe('a read-only migrations folder, as a user who may not write it', () => {
  /** A project owned by `nobody`, with the migrations folder read-only to it. */
  function readOnlyProject(files: Record<string, string>): string {
    const dir = tmpProject(files)
    fs.mkdirSync(migrationsDir(dir), {recursive: true})
    fs.chmodSync(dir, 0o755)
    fs.chmodSync(migrationsDir(dir), 0o555)
    return dir
  }
  const withoutOverride = async (args: string[], cwd: string) => {
    if (!isRoot) return runSbx(args, {cwd})
    const result = await execa('setpriv', [...WITHOUT_OVERRIDE, ...args], {cwd, reject: false, stdin: 'ignore'})
    return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
  }

  it('migration new: exit 5 naming the path, no stack trace, nothing written; the same under --json', async () => {
    const dir = readOnlyProject({})
    const result = await withoutOverride(['migration', 'new', 'add_users'], dir)
    expect(result.exitCode, result.stderr).toBe(5)
    expect(result.stderr).toContain(migrationsDir(dir))
    expect(result.stderr).toContain('permission denied')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    const json = await withoutOverride(['migration', 'new', 'add_users', '--json'], dir)
    expect(json.exitCode).toBe(5)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'EFILESYSTEM', exitCode: 5})
    expect(listMigrations(dir)).toEqual([])
  })

  it('fix outside git: exit 5 naming the path; both files are still there, unchanged', async () => {
    const dir = readOnlyProject({
      'supabase/migrations/20260101000000_a.sql': 'select 1;',
      'supabase/migrations/20260101000000_b.sql': 'select 2;',
    })
    const result = await withoutOverride(['fix', '--json'], dir)
    expect(result.exitCode, result.stdout).toBe(5)
    expect(JSON.parse(result.stdout).error.message).toContain(migrationsDir(dir))
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000000_b.sql'])
  })
})

describe('fix with a duplicate that has no free version left', () => {
  it('solves what it can, exits 3 naming what it cannot', async () => {
    const dir = tmpProject({
      'supabase/migrations/20260101000000_a.sql': 'select 1;',
      'supabase/migrations/20260101000000_b.sql': 'select 2;',
      'supabase/migrations/99991231235959_last.sql': 'select 3;',
      'supabase/migrations/99991231235959_later.sql': 'select 4;',
    })
    const result = await runSbx(['fix', '--json'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    const report = JSON.parse(result.stdout)
    expect(report.renames).toEqual([
      expect.objectContaining({from: '20260101000000_b.sql', to: '20260101000001_b.sql'}),
    ])
    expect(report.remaining).toContainEqual(
      expect.objectContaining({kind: 'no-free-version', file: '99991231235959_later.sql'}),
    )
    expect(listMigrations(dir)).toContain('20260101000001_b.sql')
    const human = await runSbx(['fix'], {cwd: dir})
    expect(human.exitCode).toBe(3)
    expect(human.stdout).toContain('99991231235959_later.sql must move, but no free version sorts after')
  })
})

describe("verify replays in supabase's order on folders mixing version widths", () => {
  it("8-digit and 14-digit versions, each file using the previous one's table: verify passes", async () => {
    const dir = tmpProject({
      'supabase/migrations/20250117_database_performance_optimization.sql': 'create table base (id int primary key);',
      'supabase/migrations/20250117000000_t1.sql': 'create table t1 (id int primary key references base(id));',
      'supabase/migrations/20250117000001_t2.sql': 'create table t2 (id int primary key references t1(id));',
      'supabase/migrations/20251117_typesense_auto_sync.sql': 'create table t3 (id int primary key references t2(id));',
      'supabase/migrations/20251117183906_t4.sql': 'create table t4 (id int primary key references t3(id));',
    })
    const result = await runSbx(['verify', '--json'], {cwd: dir})
    expect(result.exitCode, result.stdout).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ok: true, migrations: 5, applied: 5})
  })
})
