import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'
import {supabasePush} from '../helpers/supabase.js'

describe.each(DATABASE_KINDS)('check and fix against a database with history (%s)', (kind) => {
  needsServer(kind)
  it('reports out-of-order, remote-only and edited-after-apply files, and fix never renames an applied file', async () => {
    const db = await throwawayDatabase(kind)
    const dir = tmpProject({
      'supabase/migrations/20260101000000_init.sql':
        'create table a (id int);\n-- a comment\ncreate table b (id int);\n',
      'supabase/migrations/20260103000000_users.sql': "create table users (id int, name text default 'x;y');\n",
      'supabase/migrations/20260104000000_gone.sql': 'create table gone (id int);\n',
    })
    const pushed = await supabasePush(dir, db.url)
    expect(pushed.exitCode, pushed.stderr).toBe(0)

    const dirPath = migrationsDir(dir)
    fs.writeFileSync(path.join(dirPath, '20260102000000_from_branch.sql'), 'create table c (id int);\n')
    fs.rmSync(path.join(dirPath, '20260104000000_gone.sql'))
    fs.appendFileSync(path.join(dirPath, '20260103000000_users.sql'), 'alter table users add column email text;\n')
    // A second file with an applied version: the applied one must keep it.
    fs.writeFileSync(path.join(dirPath, '20260101000000_aaa_dup.sql'), 'create table d (id int);\n')

    const checked = await runSbx(['check', '--db-url', db.url, '--json'], {cwd: dir})
    expect(checked.exitCode).toBe(3)
    const report = JSON.parse(checked.stdout)
    const kinds = report.findings.map((f: {kind: string}) => f.kind).sort()
    expect(kinds).toEqual(['duplicate-version', 'edited-after-apply', 'missing-locally', 'out-of-order'])
    expect(report.findings).toContainEqual(
      expect.objectContaining({kind: 'out-of-order', file: '20260102000000_from_branch.sql'}),
    )
    expect(report.findings).toContainEqual(
      expect.objectContaining({kind: 'missing-locally', version: '20260104000000'}),
    )
    expect(report.findings).toContainEqual(
      expect.objectContaining({kind: 'edited-after-apply', file: '20260103000000_users.sql'}),
    )

    const fixed = await runSbx(['fix', '--db-url', db.url, '--json'], {cwd: dir})
    const fixReport = JSON.parse(fixed.stdout)
    // The remote-only version and the edit cannot be solved by renaming: still blocking.
    expect(fixed.exitCode).toBe(3)
    const moved = fixReport.renames.map((r: {from: string}) => r.from).sort()
    expect(moved).toEqual(['20260101000000_aaa_dup.sql', '20260102000000_from_branch.sql'])
    const files = listMigrations(dir)
    expect(files).toContain('20260101000000_init.sql')
    expect(files).toContain('20260103000000_users.sql')
    for (const renamed of fixReport.renames) expect(renamed.to > '20260104000000').toBe(true)
  })

  it('an absent history table means nothing is applied', async () => {
    const db = await throwawayDatabase(kind)
    const dir = tmpProject({'supabase/migrations/20260101000000_init.sql': 'select 1;'})
    const checked = await runSbx(['check', '--db-url', db.url], {cwd: dir})
    expect(checked.exitCode).toBe(0)
  })
})

describe('database errors', () => {
  it('an unreachable database exits 5 and never prints the password', async () => {
    const dir = tmpProject({})
    const url = 'postgresql://postgres:s3cret-pw@127.0.0.1:9/postgres'
    const result = await runSbx(['check', '--db-url', url], {cwd: dir})
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('Cannot connect')
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw')
  })
})
