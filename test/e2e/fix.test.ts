import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {git, gitProject, listMigrations, migrationsDir, tmpProject, writeTree} from '../helpers/project.js'

/** The audit file's entries, one parsed object per line. */
const auditEntries = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'supabase', 'sbx-renames.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

function incidentProject(): {dir: string; newcomers: Record<string, string>} {
  const dir = gitProject({
    'supabase/migrations/20260207080000_fix_numeric_search.sql': 'create table search (id int);\n',
  })
  const newcomers = {
    '20260207080000_grw011_churn_scoring_function.sql':
      'create function churn() returns int language sql as $$ select 1 $$;\n',
    '20260207080000_ctx010_add_metadata_to_document_chunks.sql': 'alter table search add column metadata jsonb;\n',
    '20260207080000_sec006_security_monitoring.sql': 'create table security_events (id int);\n',
  }
  writeTree(migrationsDir(dir), newcomers)
  return {dir, newcomers}
}

describe('the incident INF-015: one committed file and three newcomers with its version', () => {
  it('check exits 3 naming the version; fix --dry-run changes nothing', async () => {
    const {dir} = incidentProject()
    const before = listMigrations(dir)

    const checked = await runSbx(['check'], {cwd: dir})
    expect(checked.exitCode).toBe(3)
    expect(checked.stdout).toContain('20260207080000')

    const dry = await runSbx(['fix', '--dry-run'], {cwd: dir})
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('would rename')
    expect(listMigrations(dir)).toEqual(before)
    expect(fs.existsSync(path.join(dir, 'supabase', 'sbx-renames.jsonl'))).toBe(false)
  })

  it('fix keeps the committed file, moves the three after it unchanged, audits each, and check passes', async () => {
    const {dir, newcomers} = incidentProject()
    const hashes = Object.fromEntries(
      Object.keys(newcomers).map((f) => [f.slice(15), sha(path.join(migrationsDir(dir), f))]),
    )

    const fixed = await runSbx(['fix', '--json'], {cwd: dir})
    expect(fixed.exitCode).toBe(0)

    const files = listMigrations(dir)
    expect(files).toHaveLength(4)
    expect(files).toContain('20260207080000_fix_numeric_search.sql')
    const versions = files.map((f) => f.slice(0, 14))
    expect(new Set(versions).size).toBe(4)
    for (const file of files.filter((f) => !f.includes('fix_numeric_search'))) {
      expect(file.slice(0, 14) > '20260207080000').toBe(true)
      expect(sha(path.join(migrationsDir(dir), file))).toBe(hashes[file.slice(15)])
    }

    const entries = auditEntries(dir)
    expect(entries).toHaveLength(3)
    for (const entry of entries) {
      expect(entry).toMatchObject({
        reason: 'duplicate-version',
        kept: '20260207080000_fix_numeric_search.sql',
        by: {pid: expect.any(Number), host: expect.any(String), user: expect.any(String), command: 'sbx fix'},
      })
      expect(new Date(entry.at).toISOString()).toBe(entry.at)
      expect(files).toContain(entry.to)
      expect(entry.sha256).toBe(hashes[entry.from.slice(15)])
    }

    const after = await runSbx(['check'], {cwd: dir})
    expect(after.exitCode).toBe(0)
  })

  it('moves tracked files with git mv so the rename is staged', async () => {
    const dir = gitProject({
      'supabase/migrations/20260101000000_a.sql': 'select 1;',
      'supabase/migrations/20260101000000_b.sql': 'select 2;',
    })
    expect((await runSbx(['fix'], {cwd: dir})).exitCode).toBe(0)
    const status = git(dir, 'status', '--porcelain')
    expect(status).toMatch(
      /^R {2}supabase\/migrations\/20260101000000_b\.sql -> supabase\/migrations\/20260101000001_b\.sql$/m,
    )
  })
})

describe('branches: check --against and rebase --onto', () => {
  function divergedRepo(): string {
    const dir = gitProject({'supabase/migrations/20260201000000_init.sql': 'create table t (id int);'})
    git(dir, 'checkout', '-q', '-b', 'feature')
    writeTree(dir, {'supabase/migrations/20260301000000_feature.sql': 'alter table t add column f int;'})
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'feature')
    git(dir, 'checkout', '-q', 'main')
    writeTree(dir, {'supabase/migrations/20260302000000_main.sql': 'alter table t add column m int;'})
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'main moves on')
    git(dir, 'checkout', '-q', 'feature')
    return dir
  }

  it('check --against main exits 3 for a branch migration older than main’s newest', async () => {
    const dir = divergedRepo()
    const result = await runSbx(['check', '--against', 'main'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('20260301000000_feature.sql')
    expect((await runSbx(['check'], {cwd: dir})).exitCode).toBe(0)
  })

  it('rebase --onto main moves the feature file after main’s newest with an audit line', async () => {
    const dir = divergedRepo()
    const result = await runSbx(['rebase', '--onto', 'main'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(listMigrations(dir)).toEqual(['20260201000000_init.sql', '20260302000001_feature.sql'])
    const [entry] = auditEntries(dir)
    expect(entry).toMatchObject({
      from: '20260301000000_feature.sql',
      to: '20260302000001_feature.sql',
      reason: 'rebase',
    })
    expect((await runSbx(['check', '--against', 'main'], {cwd: dir})).exitCode).toBe(0)
  })

  it('an unknown ref is a clear error with exit 2', async () => {
    const dir = divergedRepo()
    const result = await runSbx(['check', '--against', 'nope'], {cwd: dir})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('git cannot find "nope"')
  })
})

describe('sbx log', () => {
  it('shows renames and reports a torn last line without failing', async () => {
    const {dir} = incidentProject()
    await runSbx(['fix'], {cwd: dir})
    fs.appendFileSync(path.join(dir, 'supabase', 'sbx-renames.jsonl'), '{"at":"2026-')
    const result = await runSbx(['log'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(result.stdout.match(/→/g)).toHaveLength(3)
    expect(result.stdout).toContain('line 4 is incomplete')
    const json = JSON.parse((await runSbx(['log', '--json'], {cwd: dir})).stdout)
    expect(json.entries).toHaveLength(3)
    expect(json.problems).toEqual([{line: 4, text: '{"at":"2026-', torn: true}])
  })
})

describe('a rename interrupted between link and unlink', () => {
  it('is finished by the next fix and recorded, with nothing lost', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const dirPath = migrationsDir(dir)
    // What a crash after link(2) and before unlink(2) leaves: two names for one file.
    fs.linkSync(path.join(dirPath, '20260101000000_a.sql'), path.join(dirPath, '20260101000001_a.sql'))

    const result = await runSbx(['fix'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(listMigrations(dir)).toEqual(['20260101000001_a.sql'])
    expect(fs.readFileSync(path.join(dirPath, '20260101000001_a.sql'), 'utf8')).toBe('select 1;')
    const [entry] = auditEntries(dir)
    expect(entry).toMatchObject({
      from: '20260101000000_a.sql',
      to: '20260101000001_a.sql',
      reason: 'interrupted-rename-completed',
    })
  })
})

describe('a git repository without a commit yet', () => {
  it('fix works: every file is uncommitted, so the first to exist keeps the version', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    git(dir, 'init', '-q', '-b', 'main')
    fs.writeFileSync(path.join(migrationsDir(dir), '20260101000000_b.sql'), 'select 2;')
    const result = await runSbx(['fix'], {cwd: dir})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql', '20260101000001_b.sql'])
  })
})
