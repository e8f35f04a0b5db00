import {describe, expect, it} from 'vitest'
import type {AppliedMigration, History, LocalMigration} from '../../src/core/migrations/history.js'
import {parseMigrationFile} from '../../src/core/migrations/migration-file.js'
import {planFix, planRebase, planRenames} from '../../src/core/migrations/rename-plan.js'

function local(file: string, extra: Partial<LocalMigration> = {}): LocalMigration {
  const parsed = parseMigrationFile(file)
  if (!parsed) throw new Error(`bad fixture ${file}`)
  return {...parsed, ...extra}
}

function database(...applied: Array<string | AppliedMigration>): History {
  const entries = applied.map((a) => (typeof a === 'string' ? {version: a} : a))
  return {
    origin: {kind: 'database', via: {flag: '--db-url'}, display: 'postgresql://db'},
    applied: new Map(entries.map((a) => [a.version, a])),
  }
}

function branch(base: string[], added: string[]): History {
  const applied = base.map((file) => {
    const m = parseMigrationFile(file) as LocalMigration
    return {version: m.version, name: m.name}
  })
  return {
    origin: {kind: 'branch', ref: 'main'},
    applied: new Map(applied.map((a) => [a.version, a])),
    added: new Set(added),
  }
}

describe('planRenames', () => {
  it.each([
    {
      case: 'keeps the first of two uncommitted files by birth time and moves the other one second on',
      migrations: [local('20250101000000_b.sql', {firstSeen: 1}), local('20250101000000_a.sql', {firstSeen: 2})],
      renames: [
        {
          from: '20250101000000_a.sql',
          to: '20250101000001_a.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_b.sql',
        },
      ],
    },
    {
      case: 'breaks a tie on every rank by file name, so the plan never depends on input order',
      migrations: [local('20250101000000_b.sql'), local('20250101000000_a.sql')],
      renames: [
        {
          from: '20250101000000_b.sql',
          to: '20250101000001_b.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_a.sql',
        },
      ],
    },
    {
      case: 'the committed file keeps the version even when an uncommitted one is older on disk',
      migrations: [
        local('20250101000000_new.sql', {firstSeen: 1}),
        local('20250101000000_old.sql', {committedAt: 5, firstSeen: 9}),
      ],
      renames: [
        {
          from: '20250101000000_new.sql',
          to: '20250101000001_new.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_old.sql',
        },
      ],
    },
    {
      case: 'the earliest commit wins among committed files',
      migrations: [local('20250101000000_a.sql', {committedAt: 20}), local('20250101000000_b.sql', {committedAt: 10})],
      renames: [
        {
          from: '20250101000000_a.sql',
          to: '20250101000001_a.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_b.sql',
        },
      ],
    },
    {
      case: 'the incident: one committed file and three newcomers sharing its version',
      migrations: [
        local('20260207080000_fix_numeric_search.sql', {committedAt: 1}),
        local('20260207080000_grw011_churn_scoring_function.sql', {firstSeen: 1}),
        local('20260207080000_ctx010_add_metadata_to_document_chunks.sql', {firstSeen: 2}),
        local('20260207080000_sec006_security_monitoring.sql', {firstSeen: 3}),
        local('20260207090000_later.sql', {committedAt: 1}),
      ],
      renames: [
        {
          from: '20260207080000_grw011_churn_scoring_function.sql',
          to: '20260207080001_grw011_churn_scoring_function.sql',
          reason: 'duplicate-version',
          kept: '20260207080000_fix_numeric_search.sql',
        },
        {
          from: '20260207080000_ctx010_add_metadata_to_document_chunks.sql',
          to: '20260207080002_ctx010_add_metadata_to_document_chunks.sql',
          reason: 'duplicate-version',
          kept: '20260207080000_fix_numeric_search.sql',
        },
        {
          from: '20260207080000_sec006_security_monitoring.sql',
          to: '20260207080003_sec006_security_monitoring.sql',
          reason: 'duplicate-version',
          kept: '20260207080000_fix_numeric_search.sql',
        },
      ],
    },
    {
      case: 'skips versions already taken by the migrations that follow',
      migrations: [local('20250101000000_a.sql'), local('20250101000000_b.sql'), local('20250101000001_c.sql')],
      renames: [
        {
          from: '20250101000000_b.sql',
          to: '20250101000002_b.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_a.sql',
        },
      ],
    },
    {
      case: 'rolls seconds, minutes, hours, days, months and years over',
      migrations: [local('20251231235959_a.sql'), local('20251231235959_b.sql')],
      renames: [
        {
          from: '20251231235959_b.sql',
          to: '20260101000000_b.sql',
          reason: 'duplicate-version',
          kept: '20251231235959_a.sql',
        },
      ],
    },
    {
      case: 'rolls into the next minute when the whole range of seconds is taken',
      migrations: [
        ...Array.from({length: 60}, (_, s) =>
          local(`202501010000${String(s).padStart(2, '0')}_taken${s}.sql`, {firstSeen: 0}),
        ),
        local('20250101000000_extra.sql', {firstSeen: 99}),
      ],
      renames: [
        {
          from: '20250101000000_extra.sql',
          to: '20250101000100_extra.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_taken0.sql',
        },
      ],
    },
    {
      case: 'leap day exists in 2024 and not in 2025',
      migrations: [
        local('20240228235959_a.sql'),
        local('20240228235959_b.sql'),
        local('20250228235959_c.sql'),
        local('20250228235959_d.sql'),
      ],
      renames: [
        {
          from: '20240228235959_b.sql',
          to: '20240229000000_b.sql',
          reason: 'duplicate-version',
          kept: '20240228235959_a.sql',
        },
        {
          from: '20250228235959_d.sql',
          to: '20250301000000_d.sql',
          reason: 'duplicate-version',
          kept: '20250228235959_c.sql',
        },
      ],
    },
    {
      case: 'moves an unapplied file that sorts before the newest applied version to just after it',
      history: database('20250101000000', '20250103000000'),
      migrations: [
        local('20250101000000_init.sql'),
        local('20250102000000_from_branch.sql'),
        local('20250103000000_users.sql'),
      ],
      renames: [{from: '20250102000000_from_branch.sql', to: '20250103000001_from_branch.sql', reason: 'out-of-order'}],
    },
    {
      case: 'keeps the relative order of several out-of-order files',
      history: database('20250105000000'),
      migrations: [
        local('20250102000000_second.sql'),
        local('20250101000000_first.sql'),
        local('20250105000000_applied.sql'),
      ],
      renames: [
        {from: '20250101000000_first.sql', to: '20250105000001_first.sql', reason: 'out-of-order'},
        {from: '20250102000000_second.sql', to: '20250105000002_second.sql', reason: 'out-of-order'},
      ],
    },
    {
      case: 'never renames the applied file of a duplicate, found by the name the database recorded',
      history: database({version: '20250101000000', name: 'z_applied'}),
      migrations: [
        local('20250101000000_a_new.sql', {committedAt: 1}),
        local('20250101000000_z_applied.sql', {committedAt: 9}),
      ],
      renames: [
        {
          from: '20250101000000_a_new.sql',
          to: '20250101000001_a_new.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_z_applied.sql',
        },
      ],
    },
    {
      case: 'finds the applied file by its statements when the database recorded no name',
      history: database({version: '20250101000000', statements: ['select 2']}),
      migrations: [local('20250101000000_a.sql'), local('20250101000000_b.sql')],
      localStatements: new Map([
        ['20250101000000_a.sql', ['select 1']],
        ['20250101000000_b.sql', ['select 2']],
      ]),
      renames: [
        {
          from: '20250101000000_a.sql',
          to: '20250101000001_a.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_b.sql',
        },
      ],
    },
    {
      case: 'a duplicate of an old applied version moves past the newest applied one',
      history: database({version: '20250101000000', name: 'init'}, '20250301000000'),
      migrations: [local('20250101000000_init.sql'), local('20250101000000_dup.sql'), local('20250301000000_x.sql')],
      renames: [
        {
          from: '20250101000000_dup.sql',
          to: '20250301000001_dup.sql',
          reason: 'duplicate-version',
          kept: '20250101000000_init.sql',
        },
      ],
    },
    {
      case: 'nothing to do in a clean folder',
      history: database('20250101000000'),
      migrations: [local('20250101000000_a.sql'), local('20250102000000_b.sql')],
      renames: [],
    },
    {
      case: 'against a branch: only added files move, the base file keeps a shared version',
      history: branch(['20260302000000_main.sql'], ['20260301000000_feature.sql', '20260302000000_mine.sql']),
      migrations: [
        local('20260301000000_feature.sql', {committedAt: 1}),
        local('20260302000000_mine.sql', {committedAt: 1}),
        local('20260302000000_main.sql', {committedAt: 50}),
      ],
      renames: [
        {from: '20260301000000_feature.sql', to: '20260302000001_feature.sql', reason: 'out-of-order'},
        {
          from: '20260302000000_mine.sql',
          to: '20260302000002_mine.sql',
          reason: 'duplicate-version',
          kept: '20260302000000_main.sql',
        },
      ],
    },
  ] satisfies Array<{
    case: string
    migrations: LocalMigration[]
    history?: History
    localStatements?: Map<string, string[]>
    renames: unknown[]
  }>)('$case', ({migrations, history, localStatements, renames}) => {
    expect(planRenames({migrations, history, localStatements})).toEqual(renames)
    // Same input, any order: same plan.
    expect(planRenames({migrations: [...migrations].reverse(), history, localStatements})).toEqual(renames)
  })

  it('refuses with exit code 2 when no version is left after the last possible second', () => {
    const migrations = [local('99991231235959_a.sql'), local('99991231235959_b.sql')]
    expect(() => planRenames({migrations})).toThrowError(expect.objectContaining({exitCode: 2, code: 'ENOROOM'}))
  })
})

describe('planFix', () => {
  it('solves what it can and names the file that has no free version left', () => {
    const plan = planFix({
      migrations: [
        local('20250101000000_a.sql', {firstSeen: 1}),
        local('20250101000000_b.sql', {firstSeen: 2}),
        local('99991231235959_last.sql', {firstSeen: 1}),
        local('99991231235959_later.sql', {firstSeen: 2}),
      ],
    })
    expect(plan.renames).toEqual([
      {
        from: '20250101000000_b.sql',
        to: '20250101000001_b.sql',
        reason: 'duplicate-version',
        kept: '20250101000000_a.sql',
      },
    ])
    expect(plan.unsolvable).toEqual([{file: '99991231235959_later.sql', after: '99991231235959'}])
  })

  it('files a running push is deploying keep their names and win a contested version', () => {
    const plan = planFix({
      migrations: [
        local('20250101000000_first.sql', {firstSeen: 1, committedAt: 1}),
        local('20250101000000_deploying.sql', {firstSeen: 2}),
        local('20250101000005_late.sql', {firstSeen: 3}),
      ],
      history: database('20250101000009'),
      pinned: new Set(['20250101000000_deploying.sql', '20250101000005_late.sql']),
    })
    expect(plan.renames).toEqual([
      {
        from: '20250101000000_first.sql',
        to: '20250101000010_first.sql',
        reason: 'duplicate-version',
        kept: '20250101000000_deploying.sql',
      },
    ])
  })
})

describe('planRebase', () => {
  it('moves the branch file after the base newest and writes reason rebase', () => {
    const history = branch(['20260302000000_main.sql'], ['20260301000000_feature.sql'])
    expect(planRebase({migrations: [local('20260301000000_feature.sql')], history})).toEqual([
      {from: '20260301000000_feature.sql', to: '20260302000001_feature.sql', reason: 'rebase'},
    ])
  })

  it('keeps relative order even when a later branch file sits right after the base newest', () => {
    const history = branch(['20260302000000_main.sql'], ['20260301000000_a.sql', '20260302000001_b.sql'])
    const migrations = [local('20260301000000_a.sql'), local('20260302000001_b.sql'), local('20260302000000_main.sql')]
    expect(planRebase({migrations, history})).toEqual([
      {from: '20260301000000_a.sql', to: '20260302000002_a.sql', reason: 'rebase'},
      {from: '20260302000001_b.sql', to: '20260302000003_b.sql', reason: 'rebase'},
    ])
  })

  it('leaves files that already sort after the base alone', () => {
    const history = branch(['20260302000000_main.sql'], ['20260305000000_a.sql'])
    expect(planRebase({migrations: [local('20260305000000_a.sql')], history})).toEqual([])
  })
})
