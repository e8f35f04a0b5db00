import {describe, expect, it} from 'vitest'
import {assessMigration, type MigrationTrace, type TableStats, validationReason} from '../../src/core/risk/risk.js'
import {formatBytes, parseSize, riskViolations, saferForm} from '../../src/core/risk/risk-policy.js'
import {estimatedRows, estimateSeconds} from '../../src/core/risk/risk-time.js'

const big: TableStats = {relation: 'public.big', bytes: 200 * 1024 ** 2, rows: 1_000_000, indexes: 1}
const stats = new Map([[big.relation, big]])

const retype: MigrationTrace = {
  statements: [
    'alter table public.big alter column n type bigint',
    'select 1',
    'alter table public.big add column c int',
  ],
  observations: [
    {
      statement: 0,
      locks: [{relation: 'public.big', mode: 'AccessExclusiveLock'}],
      rewritten: ['public.big'],
      indexBuilt: [],
    },
    {statement: 1, locks: [{relation: 'public.big', mode: 'AccessExclusiveLock'}], rewritten: [], indexBuilt: []},
    {statement: 2, locks: [{relation: 'public.big', mode: 'AccessExclusiveLock'}], rewritten: [], indexBuilt: []},
  ],
}

describe('assessMigration', () => {
  it('reports a lock once, where it was taken, with the statements it was held through', () => {
    const risk = assessMigration(retype)
    expect(risk).toEqual({
      level: 'high',
      locks: [{statement: 0, relation: 'public.big', mode: 'AccessExclusiveLock', heldThrough: [1, 2]}],
      rewrites: [{statement: 0, relation: 'public.big'}],
      scans: [],
      blocksReads: true,
      blocksWrites: true,
    })
  })

  it('adds a stronger mode taken later as its own lock; the weaker one is still held', () => {
    const risk = assessMigration({
      statements: ['create index on public.t (a)', 'alter table public.t add column b int'],
      observations: [
        {
          statement: 0,
          locks: [{relation: 'public.t', mode: 'ShareLock'}],
          rewritten: [],
          indexBuilt: [{table: 'public.t', concurrently: false}],
        },
        {statement: 1, locks: [{relation: 'public.t', mode: 'AccessExclusiveLock'}], rewritten: [], indexBuilt: []},
      ],
    })
    expect(risk.locks).toEqual([
      {statement: 0, relation: 'public.t', mode: 'ShareLock', heldThrough: [1]},
      {statement: 1, relation: 'public.t', mode: 'AccessExclusiveLock', heldThrough: []},
    ])
    expect(risk.scans).toEqual([{statement: 0, relation: 'public.t', reason: 'index build'}])
  })

  it.each([
    {mode: 'ShareUpdateExclusiveLock', level: 'low', reads: false, writes: false},
    {mode: 'ShareRowExclusiveLock', level: 'medium', reads: false, writes: true},
    {mode: 'AccessExclusiveLock', level: 'medium', reads: true, writes: true},
  ] as const)('a $mode alone is $level', ({mode, level, reads, writes}) => {
    const risk = assessMigration({
      statements: ['comment on table public.t is $$x$$'],
      observations: [{statement: 0, locks: [{relation: 'public.t', mode}], rewritten: [], indexBuilt: []}],
    })
    expect(risk).toMatchObject({level, blocksReads: reads, blocksWrites: writes})
  })

  it('a truncate changes relfilenode but is no rewrite', () => {
    const risk = assessMigration({
      statements: ['truncate public.big'],
      observations: [
        {
          statement: 0,
          locks: [{relation: 'public.big', mode: 'AccessExclusiveLock'}],
          rewritten: ['public.big'],
          indexBuilt: [],
        },
      ],
    })
    expect(risk.rewrites).toEqual([])
  })

  it('sizes the touched tables and estimates the time with the target statistics', () => {
    const risk = assessMigration(retype, stats)
    expect(risk.tables).toEqual([{relation: 'public.big', bytes: big.bytes, rows: 1_000_000}])
    expect(risk.estimatedSeconds).toBe(0.7)
  })

  it.each([
    ['alter table t add constraint c check (n > 0)', 'check validation'],
    ['alter table t add constraint c check (n > 0) not valid', undefined],
    ['alter table t add constraint f foreign key (p) references p (id)', 'foreign key validation'],
    ['alter table t add column p int references p (id)', 'foreign key validation'],
    ['alter table t alter column n set not null', 'not null validation'],
    ['alter table t validate constraint c', undefined],
    ['create index on t (n)', undefined],
  ])('%s → %s', (statement, reason) => {
    expect(validationReason(statement)).toBe(reason)
  })
})

describe('the time model', () => {
  it('charges rewrites per row and per index, validations per row; tables the target lacks cost nothing', () => {
    const table = {relation: 'public.t', bytes: 0, rows: 2_000_000, indexes: 2}
    const s = new Map([[table.relation, table]])
    expect(estimateSeconds([{kind: 'rewrite', relation: 'public.t'}], s)).toBe(2.4)
    expect(estimateSeconds([{kind: 'index build', relation: 'public.t'}], s)).toBe(0.9)
    expect(estimateSeconds([{kind: 'validation', relation: 'public.t'}], s)).toBe(0.1)
    expect(estimateSeconds([{kind: 'rewrite', relation: 'public.new'}], s)).toBe(0)
  })

  it('takes reltuples, or the heap size when the table was never analyzed', () => {
    expect(estimatedRows(1234.4, 0)).toBe(1234)
    expect(estimatedRows(-1, 52_000_000)).toBe(1_000_000)
  })
})

describe('the risk = "error" policy', () => {
  it.each([
    ['100MB', 100 * 1024 ** 2],
    ['1.5 GB', 1.5 * 1024 ** 3],
    ['512kB', 512 * 1024],
    ['0B', 0],
    ['100 rows', undefined],
    ['MB', undefined],
  ])('parseSize(%s) = %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it('refuses the rewrite of a table larger than the threshold, naming size, estimate and the safer form', () => {
    const risk = assessMigration(retype, stats)
    const found = riskViolations('f.sql', retype.statements, risk, stats, 100 * 1024 ** 2)
    expect(found).toEqual([
      {
        file: 'f.sql',
        statement: 0,
        sql: 'alter table public.big alter column n type bigint',
        relation: 'public.big',
        bytes: big.bytes,
        why: 'rewrite',
        estimatedSeconds: 0.7,
        saferForm: 'add a new column of the new type, backfill it in batches, then switch reads and writes to it',
      },
    ])
    expect(formatBytes(big.bytes)).toBe('200 MB')
  })

  it('lets a small table through, and counts a table of unknown size as large', () => {
    const risk = assessMigration(retype, stats)
    expect(riskViolations('f.sql', retype.statements, risk, stats, 1024 ** 3)).toEqual([])
    expect(riskViolations('f.sql', retype.statements, assessMigration(retype), undefined, 1024 ** 3)).toMatchObject([
      {statement: 0, relation: 'public.big', why: 'rewrite'},
    ])
  })

  it.each([
    ['create index on t (n)', 'index build', /CONCURRENTLY/],
    ['alter table t add constraint c check (n > 0)', 'validation', /NOT VALID, then VALIDATE/],
    ['alter table t alter column n set not null', 'validation', /CHECK \(column IS NOT NULL\) NOT VALID/],
    ['alter table t add column at timestamptz default clock_timestamp()', 'rewrite', /without a volatile default/],
    ['create policy p on t using (true)', 'AccessExclusiveLock', /lock_timeout/],
  ] as const)('%s → the safer form', (statement, why, form) => {
    expect(saferForm(statement, why)).toMatch(form)
  })
})
