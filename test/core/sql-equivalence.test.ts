import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {findIssues} from '../../src/core/migrations/findings.js'
import type {History} from '../../src/core/migrations/history.js'
import {classifyEntries} from '../../src/core/migrations/migration-file.js'
import {comparableStatements, sameSql, sqlKey} from '../../src/core/sql/sql-equivalence.js'
import {splitStatements} from '../../src/core/sql/sql-statements.js'
import {fetchedContent} from '../../src/core/sync/sync-plan.js'

const file = "create table a (id int);\n-- users\ncreate table users (\n  id int,\n  note text default 'x;y'\n);\n"

describe('sameSql', () => {
  it.each([
    {case: 'db push shape (split) against the file', recorded: splitStatements(file), local: splitStatements(file)},
    {
      case: 'API shape (the whole query as one element) against the file',
      recorded: [file],
      local: splitStatements(file),
    },
    {
      case: 'whitespace runs and trailing semicolons differ',
      recorded: ['create  table\ta (id int);;'],
      local: ['create table a (id int)'],
    },
  ])('equal: $case', ({recorded, local}) => {
    expect(sameSql(recorded, local)).toBe(true)
  })

  it.each([
    {case: 'a different literal', recorded: ["select 'a'"], local: ["select 'b'"]},
    {case: 'one statement more', recorded: [file], local: [...splitStatements(file), 'select 1']},
    {case: 'a comment changed', recorded: ['-- one\nselect 1'], local: ['-- two\nselect 1']},
  ])('different: $case', ({recorded, local}) => {
    expect(sameSql(recorded, local)).toBe(false)
  })

  it('SQL with no statement has no key: an empty file is no evidence of anything', () => {
    expect(sqlKey([])).toBeUndefined()
    expect(sqlKey(['', ' ;\n'])).toBeUndefined()
    expect(sameSql([], [])).toBe(true)
  })

  it('a file written from recorded statements holds the same SQL, whatever the statements', () => {
    const statement = fc.constantFrom(
      'create table t (id int)',
      "select 'a;b' -- trailing comment",
      '-- only a comment',
      'create function f() returns int language sql as $$ select 1; $$',
      'insert into t values (1);',
      'select 1 /* c; */',
    )
    fc.assert(
      fc.property(fc.array(statement, {minLength: 1, maxLength: 6}), (statements) => {
        const recorded = splitStatements(statements.join(';\n'))
        expect(sameSql(recorded, splitStatements(fetchedContent(recorded)))).toBe(true)
        expect(sameSql([statements.join(';\n')], splitStatements(fetchedContent([statements.join(';\n')])))).toBe(true)
      }),
    )
  })

  it('comparableStatements splits a whole-query element into its statements', () => {
    expect(comparableStatements(['select 1; select  2;'])).toEqual(['select 1', 'select 2'])
  })
})

describe('edited-after-apply uses the same equivalence', () => {
  const history = (statements: string[]): History => ({
    origin: {kind: 'database', via: {flag: '--db-url'}, display: 'postgresql://db'},
    applied: new Map([['20260101000000', {version: '20260101000000', name: 'users', statements}]]),
  })
  const folder = classifyEntries([{name: '20260101000000_users.sql', isDirectory: false}])

  it('a file the API recorded as one element is not reported as edited', () => {
    const localStatements = new Map([['20260101000000_users.sql', splitStatements(file)]])
    expect(findIssues({folder, history: history([file]), localStatements})).toEqual([])
  })

  it('a real edit is still reported', () => {
    const localStatements = new Map([['20260101000000_users.sql', [...splitStatements(file), 'select 1']]])
    expect(findIssues({folder, history: history([file]), localStatements}).map((f) => f.kind)).toEqual([
      'edited-after-apply',
    ])
  })
})
