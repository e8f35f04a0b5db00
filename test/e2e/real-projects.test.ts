/**
 * Projects in the shape of the open-source apps that broke sbx (issue 18), through the built CLI: each verifies
 * (exit 0, what was skipped named per migration), plans (exit 0) and pushes to the embedded database.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {PlanReport} from '../../src/core/plan/plan-report.js'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {
  EMOJI_OVERLOAD_APP,
  GEO_FDW_APP,
  LONG_OVERLOADS,
  QUEUE_APP,
  RAG_APP,
  SKIPPED_CHAIN_APP,
} from '../helpers/app-corpus.js'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'

const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR, SBX_SUPABASE_BIN: SUPABASE_BIN}
const sbx = (dir: string, ...args: string[]) => runSbx(args, {cwd: dir, env, timeoutMs: 240_000})

async function verifyPlanPush(files: Record<string, string>, options: {push: boolean} = {push: true}) {
  const dir = tmpProject(files)
  const verified = await sbx(dir, 'verify', '--json')
  expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0)
  const planned = await sbx(dir, 'plan', '--format', 'json')
  expect(planned.exitCode, planned.stdout + planned.stderr).toBe(0)
  if (options.push) {
    const pushed = await sbx(dir, 'push', '--json')
    expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(0)
    expect(JSON.parse(pushed.stdout)).toMatchObject({status: 'pushed'})
  }
  return {dir, verify: JSON.parse(verified.stdout) as VerifyReport, plan: JSON.parse(planned.stdout) as PlanReport}
}

const byFile = (plan: PlanReport, file: string) => plan.migrations.find((m) => m.file === file)

describe('real project shapes verify, plan and push to the embedded database', () => {
  it('a RAG app on vector, http and pg_net with emoji defaults', async () => {
    const {verify, plan} = await verifyPlanPush(RAG_APP)
    expect(verify.partlyVerified).toEqual([])
    expect(verify.extensions.map((use) => `${use.name} ${use.status}`)).toEqual(
      expect.arrayContaining(['http stand-in', 'pg_net stand-in', 'vector loaded']),
    )
    expect(plan).toMatchObject({pending: 4, notReplayed: []})
    // Filling a table is a dependency on the file that created it.
    expect(byFile(plan, '20240104000000_secrets.sql')?.dependsOn).toContain('20240102000000_notes.sql')
  }, 600_000)

  it('a workflow engine on pgmq and pg_cron: everything replays, nothing is skipped', async () => {
    const {verify, plan} = await verifyPlanPush(QUEUE_APP)
    expect(verify.partlyVerified).toEqual([])
    expect(verify.extensions.map((use) => `${use.name} ${use.status}`)).toEqual(
      expect.arrayContaining(['pg_cron stand-in', 'pgmq stand-in']),
    )
    const schedule = byFile(plan, '20240204000000_schedule.sql')
    expect(schedule?.alters.map((o) => o.qualified)).toEqual([
      'public.set_vt_batch(queue_name text, msg_ids bigint[], vt integer)',
    ])
    expect(schedule?.dependsOn).toEqual(
      expect.arrayContaining(['20240202000000_queues.sql', '20240203000000_runs.sql']),
    )
  }, 600_000)

  it('an app on PostGIS with a Stripe foreign data wrapper', async () => {
    const {verify, plan} = await verifyPlanPush(GEO_FDW_APP)
    expect(verify.partlyVerified).toEqual([])
    expect(verify.extensions.map((use) => `${use.name} ${use.status}`)).toEqual(
      expect.arrayContaining(['postgis loaded', 'wrappers stand-in']),
    )
    expect(byFile(plan, '20240302000000_places.sql')?.creates.map((o) => o.qualified)).toEqual(
      expect.arrayContaining(['public.places', 'public.places.location']),
    )
  }, 600_000)

  it('emoji defaults and overloads longer than 63 bytes: both overloads whole and apart; one schema name', async () => {
    const {plan} = await verifyPlanPush(EMOJI_OVERLOAD_APP)
    const scores = byFile(plan, '20240402000000_scores.sql')
    expect(scores?.creates.map((o) => o.qualified)).toEqual([...LONG_OVERLOADS])
    expect(plan.checklist.filter((o) => o.kind === 'function').map((o) => o.qualified)).toEqual([...LONG_OVERLOADS])
    const accounts = byFile(plan, '20240401000000_accounts.sql')
    expect(accounts?.creates.find((o) => o.kind === 'schema')).toMatchObject({name: 'basejump', qualified: 'basejump'})
    // A foreign key dropped and added again alters the table and depends on the one it references.
    const backfill = byFile(plan, '20240403000000_backfill.sql')
    expect(backfill?.alters.map((o) => o.qualified)).toContain('public.workspace_members')
    expect(backfill?.dependsOn).toEqual(['20240401000000_accounts.sql'])
  }, 600_000)

  it('a chain of statements needing a missing extension is skipped and named, never advice to reorder', async () => {
    // Not pushed: the embedded database lacks pg_partman, and a push there fails as on any server without it.
    const {verify, plan} = await verifyPlanPush(SKIPPED_CHAIN_APP, {push: false})
    expect(verify.partlyVerified).toMatchObject([
      {file: '20240501000000_partman.sql', missingExtensions: ['pg_partman'], skipped: [{statementIndex: 1}]},
      {
        file: '20240502000000_parts.sql',
        missingExtensions: ['pg_partman'],
        skipped: [
          {statementIndex: 0, needs: ['pg_partman']},
          {statementIndex: 1, needs: ['pg_partman'], through: 'public.part_batch'},
          {statementIndex: 2, needs: ['pg_partman'], through: 'public.part_batch'},
        ],
      },
      {file: '20240503000000_redefine.sql', skipped: [{statementIndex: 0, needs: ['pg_partman']}]},
    ])
    expect(byFile(plan, '20240502000000_parts.sql')?.skipped).toHaveLength(3)
    expect(byFile(plan, '20240502000000_parts.sql')?.creates.map((o) => o.qualified)).toContain('public.events')
  }, 600_000)

  it('the reported crash: an emoji after a statement skipped for an extension the embedded database lacks', async () => {
    const dir = tmpProject({
      'supabase/migrations/20240601000000_geo.sql':
        'create extension if not exists pgrouting;\ncreate table p (g pgr_costmatrix);\n',
      'supabase/migrations/20240602000000_t.sql': "create table t (id int);\ncomment on table t is '🧠 x';\n",
    })
    fs.appendFileSync(
      path.join(dir, 'supabase', 'migrations', '20240602000000_t.sql'),
      Buffer.from([...Buffer.from('-- caf'), 0xe9, 0x0a]),
    )
    const verified = await sbx(dir, 'verify', '--json')
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0)
    const report = JSON.parse(verified.stdout) as VerifyReport
    expect(report.partlyVerified).toMatchObject([{file: '20240601000000_geo.sql', missingExtensions: ['pgrouting']}])
    // squawk cannot read a file that is not UTF-8: one lint finding, not a failed verify.
    expect(report.lint?.findings).toMatchObject([
      {file: '20240602000000_t.sql', rule: 'invalid-utf8', statementIndex: 2, blocking: false},
    ])
  }, 600_000)
})

describe('plan on a replay that fails', () => {
  it('counts every pending file and lists those the replay did not reach (exit 3)', async () => {
    const dir = tmpProject({
      'supabase/migrations/20240701000000_a.sql': 'create table public.a (id int);\n',
      'supabase/migrations/20240702000000_b.sql': 'insert into public.missing values (1);\n',
      'supabase/migrations/20240703000000_c.sql': 'create table public.c (id int);\n',
    })
    const planned = await sbx(dir, 'plan', '--json')
    expect(planned.exitCode, planned.stderr).toBe(3)
    const report = JSON.parse(planned.stdout) as PlanReport
    expect(report).toMatchObject({
      pending: 3,
      applied: 0,
      notReplayed: ['20240702000000_b.sql', '20240703000000_c.sql'],
      failure: {file: '20240702000000_b.sql', statementIndex: 0},
    })
    expect(report.migrations.map((m) => m.file)).toEqual(['20240701000000_a.sql'])
    const human = await sbx(dir, 'plan')
    expect(human.stdout).toContain('3 pending migrations')
  }, 600_000)
})

describe.each(DATABASE_KINDS)('whole names in the drift check (%s)', (kind) => {
  needsServer(kind)
  it('dropping one of two 63+-byte overloads on the target makes the next push exit 6 naming it', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject(EMOJI_OVERLOAD_APP)
    const first = await sbx(dir, 'push', '--db-url', db.url, '--json')
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    await db.query(`drop function ${LONG_OVERLOADS[1].replace(/\(.*$/u, '')}(uuid, timestamptz, jsonb, boolean)`)
    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', '20240404000000_more.sql'), 'select 1;\n')
    const second = await sbx(dir, 'push', '--db-url', db.url, '--json')
    expect(second.exitCode, second.stdout + second.stderr).toBe(6)
    expect(JSON.parse(second.stdout).drift.map((o: {qualified: string}) => o.qualified)).toEqual([LONG_OVERLOADS[1]])
  }, 600_000)
})
