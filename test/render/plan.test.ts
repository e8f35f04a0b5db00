import {describe, expect, it} from 'vitest'
import type {PlanReport} from '../../src/core/plan/plan-report.js'
import {renderPlanMarkdown, renderPlanText} from '../../src/render/plan.js'

const migration = {
  file: '20240202000000_queues.sql',
  version: '20240202000000',
  dependsOn: [],
  creates: [{kind: 'table' as const, schema: 'public', name: 'jobs', qualified: 'public.jobs'}],
  alters: [],
  drops: [],
  transaction: true,
  destructive: [],
  destructiveReasons: [],
  replayMs: 5,
  skipped: [
    {statementIndex: 0, needs: ['pg_partman']},
    {statementIndex: 1, needs: ['pg_partman'], through: 'public.part_batch'},
  ],
}

const failed: PlanReport = {
  against: 'nothing applied',
  migrations: [migration],
  pending: 3,
  notReplayed: ['20240203000000_runs.sql', '20240204000000_schedule.sql'],
  applied: 0,
  checklist: [],
  renames: [],
  failure: {
    file: '20240203000000_runs.sql',
    version: '20240203000000',
    statementIndex: 0,
    statements: 1,
    statement: 'select nope()',
    transactionMode: 'transactional',
    partial: false,
    error: {message: 'function nope() does not exist', code: '42883'},
  },
  elapsedMs: 10,
}

describe('plan on a failed, partial replay', () => {
  it('counts every pending file, names what was not replayed and what was skipped, and why', () => {
    const text = renderPlanText(failed)
    expect(text).toContain('3 pending migrations (compared with nothing applied; 0 applied)')
    expect(text).not.toContain('Nothing pending')
    expect(text).toContain(
      '   skipped on the embedded database: statement 0 (needs pg_partman), statement 1 (needs pg_partman, through public.part_batch); what they do is not listed',
    )
    expect(text).toContain(
      'The replay failed, so these 2 were not replayed and are not described: 20240203000000_runs.sql, 20240204000000_schedule.sql.',
    )
    const markdown = renderPlanMarkdown({...failed, migrations: []})
    expect(markdown).toContain('> **Replay failed** at `20240203000000_runs.sql`')
    expect(markdown).toContain('these 2 were not replayed')
    expect(markdown).not.toContain('Nothing pending')
  })
})
