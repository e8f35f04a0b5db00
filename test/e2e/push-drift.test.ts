import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {INCIDENT_MIGRATIONS} from '../helpers/incident-migrations.js'
import {tmpProject} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const push = (dir: string, ...args: string[]) => runSbx(['push', ...args], {cwd: dir, env, timeoutMs: 180_000})

describe.each(DATABASE_KINDS)('post-deploy verification in sbx push (%s)', (kind) => {
  needsServer(kind)
  it('no drift after a clean push; an object dropped on the server is drift (exit 6) after the next push', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject(INCIDENT_MIGRATIONS)
    const first = await push(dir, '--db-url', db.url, '--json')
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({status: 'pushed'})

    await db.query('drop function public.assess_all_users_churn_risk()')
    fs.writeFileSync(
      path.join(dir, 'supabase', 'migrations', '20260208000000_one_more.sql'),
      'create table public.one_more (id int primary key);\n',
    )
    const second = await push(dir, '--db-url', db.url, '--json')
    expect(second.exitCode, second.stderr).toBe(6)
    const report = JSON.parse(second.stdout)
    expect(report).toMatchObject({status: 'drift', applied: ['20260208000000_one_more.sql']})
    expect(report.drift).toEqual([
      {
        kind: 'function',
        schema: 'public',
        name: 'assess_all_users_churn_risk',
        qualified: 'public.assess_all_users_churn_risk()',
      },
    ])
    // The deploy happened.
    expect(await db.query("select to_regclass('public.one_more') as t")).toEqual([{t: 'one_more'}])

    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', '20260209000000_another.sql'), 'select 1;\n')
    const human = await push(dir, '--db-url', db.url)
    expect(human.exitCode).toBe(6)
    expect(human.stdout).toContain('function public.assess_all_users_churn_risk()')

    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', '20260210000000_last.sql'), 'select 2;\n')
    const skipped = await push(dir, '--db-url', db.url, '--no-verify', '--json')
    expect(skipped.exitCode, skipped.stderr).toBe(0)
    expect(JSON.parse(skipped.stdout)).toMatchObject({status: 'pushed'})
  }, 300_000)

  it('a realistic set (extensions, triggers on auth.users, storage policies) pushes without drift', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject(REALISTIC_MIGRATIONS)
    const result = await push(dir, '--db-url', db.url, '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({status: 'pushed'})
  }, 300_000)
})
