import {describe, expect, it} from 'vitest'
import {migrationStatements} from '../../src/core/sql/sql-statements.js'
import {
  isNonTransactional,
  isTransactionControl,
  mayRunInAutocommit,
  planReplay,
} from '../../src/core/verify/replay-plan.js'

describe('planReplay', () => {
  it('runs a plain file and its history row in one transaction', () => {
    expect(
      planReplay({statements: ['create table a ()', 'create table b ()'], transactionMode: 'transactional'}),
    ).toEqual({
      mode: 'transactional',
      steps: [{statements: [0, 1], transaction: true, recordsHistory: true}],
    })
  })

  it('records the history of an empty file', () => {
    expect(planReplay({statements: [], transactionMode: 'transactional'}).steps).toEqual([
      {statements: [], transaction: true, recordsHistory: true},
    ])
  })

  it('runs non-transactional statements alone, splitting the transaction around them', () => {
    const plan = planReplay({
      statements: ['create table t (c int)', 'create index concurrently i on t (c)', 'analyze t', 'vacuum t'],
      transactionMode: 'transactional',
    })
    expect(plan.steps).toEqual([
      {statements: [0], transaction: true, recordsHistory: false},
      {statements: [1], transaction: false, recordsHistory: false},
      {statements: [2], transaction: true, recordsHistory: false},
      {statements: [3], transaction: false, recordsHistory: false},
      {statements: [], transaction: true, recordsHistory: true},
    ])
  })

  it.each([
    {
      case: 'BEGIN/COMMIT',
      statements: ['begin', 'create table t ()', 'commit'],
      reason: 'statement 0 controls the transaction itself',
    },
    {
      case: 'a commented COMMIT',
      statements: ['create table t ()', '-- done\nCOMMIT'],
      reason: 'statement 1 controls the transaction itself',
    },
  ])('runs a file with $case statement by statement', ({statements, reason}) => {
    const plan = planReplay({statements, transactionMode: 'transactional'})
    expect(plan.mode).toBe('autocommit')
    expect(plan.reason).toBe(reason)
    expect(plan.steps).toEqual([
      ...statements.map((_, index) => ({statements: [index], transaction: false, recordsHistory: false})),
      {statements: [], transaction: false, recordsHistory: true},
    ])
  })

  it('runs a pg-delta transaction=false file statement by statement', () => {
    const plan = planReplay({statements: ['select 1'], transactionMode: 'none'})
    expect(plan.mode).toBe('autocommit')
    expect(plan.reason).toBe('its first line is "-- pg-delta: transaction=false"')
  })
})

describe('isNonTransactional', () => {
  it.each([
    ['create index concurrently i on t (c)', true],
    ['CREATE UNIQUE INDEX CONCURRENTLY i ON t (c)', true],
    ['-- why\ncreate index concurrently i on t (c)', true],
    ['drop index concurrently i', true],
    ['reindex (verbose) index concurrently i', true],
    ['reindex index i', false],
    ['vacuum', true],
    ['vacuum (analyze) t', true],
    ['alter system set work_mem = 1', true],
    ['cluster t using i', true],
    ['create index i on t (c)', false],
    ['create index concurrently_named on t (c)', false],
    ['select 1', false],
  ])('%s → %s', (statement, expected) => {
    expect(isNonTransactional(statement)).toBe(expected)
  })
})

describe('isTransactionControl', () => {
  it.each([
    ['begin', true],
    ['BEGIN ISOLATION LEVEL SERIALIZABLE', true],
    ['start transaction', true],
    ['commit', true],
    ['end', true],
    ['abort', true],
    ['rollback', true],
    ['rollback work', true],
    ['rollback to savepoint s', false],
    ['rollback transaction to s', false],
    ["prepare transaction 'x'", true],
    ['savepoint s', false],
    ['committed_rows', false],
    ['create function f() returns int language sql begin atomic select 1; end', false],
    ['select 1', false],
  ])('%s → %s', (statement, expected) => {
    expect(isTransactionControl(statement)).toBe(expected)
  })
})

describe('mayRunInAutocommit', () => {
  const autocommit = [
    'begin; create table a (id int); commit;',
    'create table a (id int);\nCOMMIT;',
    '-- pg-delta: transaction=false\ncreate index concurrently i on a (id);',
    'create table a (id int);\nend;',
    'start transaction; select 1;',
    "prepare transaction 'x';",
    'select 1; /* note */rollback;',
    'abort;',
  ]
  const transactional = [
    'create table a (id int primary key);\ncreate index a_id on a (id);',
    'create function f() returns int language plpgsql as $$ begin return 1; end $$;',
    "insert into a values (1); comment on table a is 'the end';",
    'create index concurrently i on a (id);',
  ]
  it.each([...autocommit, ...transactional])('is never false for a file planReplay runs in autocommit: %s', (text) => {
    const mode = planReplay(migrationStatements(text)).mode
    if (!mayRunInAutocommit(text)) expect(mode).toBe('transactional')
    if (autocommit.includes(text)) expect(mode).toBe('autocommit')
  })
  it('is false for plain DDL, so push does not split it', () => {
    expect(mayRunInAutocommit(transactional[0] as string)).toBe(false)
    expect(mayRunInAutocommit(transactional[3] as string)).toBe(false)
  })
})
