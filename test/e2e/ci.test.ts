import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {git, gitProject, listMigrations, migrationsDir, writeTree} from '../helpers/project.js'

describe('CI: GitHub annotations and rebase --commit', () => {
  it('check --format github prints an ::error annotation on each file of a duplicate version', async () => {
    const dir = gitProject({'supabase/migrations/20260207080000_fix_numeric_search.sql': 'select 1;\n'})
    writeTree(migrationsDir(dir), {'20260207080000_sec006_security_monitoring.sql': 'select 2;\n'})
    const result = await runSbx(['check', '--format', 'github'], {cwd: dir})
    expect(result.exitCode).toBe(3)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(
      /^::error file=supabase\/migrations\/20260207080000_fix_numeric_search\.sql,line=1,title=sbx check%3A duplicate-version::version 20260207080000 is used by 2 files/,
    )
    expect(lines[1]).toContain('::error file=supabase/migrations/20260207080000_sec006_security_monitoring.sql,line=1')
  })

  it('verify --format github annotates the failing migration', async () => {
    const dir = gitProject({
      'supabase/migrations/20260101000000_functions.sql':
        'create function f() returns int language sql as $$ select count(*)::int from missing_table $$;\n',
    })
    const result = await runSbx(['verify', '--format', 'github'], {cwd: dir, timeoutMs: 120_000})
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toMatch(
      /^::error file=supabase\/migrations\/20260101000000_functions\.sql,line=1,title=sbx verify::/m,
    )
  })

  it('rebase --onto REF --commit commits the renumbering with a message listing the renames', async () => {
    const dir = gitProject({'supabase/migrations/20260207070000_base.sql': 'select 1;\n'})
    git(dir, 'checkout', '-q', '-b', 'feature')
    writeTree(migrationsDir(dir), {'20260207060000_feature.sql': 'select 2;\n'})
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'feature')
    git(dir, 'checkout', '-q', 'main')
    writeTree(migrationsDir(dir), {'20260207090000_main_later.sql': 'select 3;\n'})
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'main moves on')
    git(dir, 'checkout', '-q', 'feature')

    const result = await runSbx(['rebase', '--onto', 'main', '--commit', '--json'], {cwd: dir})
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/)
    const [renamed] = listMigrations(dir).filter((f) => f.endsWith('_feature.sql'))
    expect(renamed > '20260207090000').toBe(true)
    expect(git(dir, 'status', '--porcelain')).toBe('')
    const message = git(dir, 'log', '-1', '--format=%B')
    expect(message).toContain('sbx rebase --onto main: renumber 1 migration')
    expect(message).toContain(`20260207060000_feature.sql -> ${renamed}`)
    expect(git(dir, 'show', '--name-status', '--format=', 'HEAD')).toContain('supabase/sbx-renames.jsonl')
  })
})
