import {describe, expect, it} from 'vitest'
import type {AppliedMigration, History} from '../../src/core/migrations/history.js'
import {parseMigrationFile} from '../../src/core/migrations/migration-file.js'
import {splitStatements} from '../../src/core/sql/sql-statements.js'
import {fetchedContent, fetchedName, planSync} from '../../src/core/sync/sync-plan.js'

const history = (...applied: AppliedMigration[]): History => ({
  origin: {kind: 'database', via: {flag: '--db-url'}, display: 'postgresql://db'},
  applied: new Map(applied.map((a) => [a.version, a])),
})

/** Local files as {file: sql}; statements split as supabase splits them. */
function local(files: Record<string, string>) {
  const migrations = Object.keys(files).map((file) => {
    const migration = parseMigrationFile(file)
    if (!migration) throw new Error(`bad test file name ${file}`)
    return migration
  })
  const localStatements = new Map(Object.entries(files).map(([file, sql]) => [file, splitStatements(sql)]))
  return {migrations, localStatements}
}

const apiRecorded = (version: string, name: string, query: string): AppliedMigration => ({
  version,
  name,
  statements: [query],
})

describe('planSync', () => {
  it("adopts the one unapplied file holding a recorded version's SQL, keeping its name part", () => {
    const plan = planSync({
      ...local({
        '20260101000000_init.sql': 'create table a (id int);',
        '20260301000000_users.sql': 'create table users (id int);\ncreate index on users (id);\n',
      }),
      history: history(
        {version: '20260101000000', name: 'init', statements: ['create table a (id int)']},
        apiRecorded('20260201010500', 'add users', 'create table users (id int);\n  create index on users (id);'),
      ),
    })
    expect(plan).toEqual({
      adopt: [{from: '20260301000000_users.sql', to: '20260201010500_users.sql', reason: 'adopt-applied-version'}],
      fetch: [],
      renames: [],
      conflicts: [],
    })
  })

  it('fetches a version no local file holds, under the recorded name, and then moves what sorts before it', () => {
    const plan = planSync({
      ...local({'20260101000000_local.sql': 'create table mine (id int);'}),
      history: history(apiRecorded('20260201000000', 'from dashboard', 'create table remote (id int);')),
    })
    expect(plan.adopt).toEqual([])
    expect(plan.fetch).toEqual([
      {
        file: '20260201000000_from dashboard.sql',
        version: '20260201000000',
        content: 'create table remote (id int);',
      },
    ])
    expect(plan.renames).toEqual([
      {from: '20260101000000_local.sql', to: '20260201000001_local.sql', reason: 'out-of-order'},
    ])
    expect(plan.conflicts).toEqual([])
  })

  it('two files with the recorded SQL: a conflict naming both, and neither is touched, not even as out of order', () => {
    const sql = 'create table twice (id int);'
    const plan = planSync({
      ...local({'20260101000000_a.sql': sql, '20260102000000_b.sql': `${sql}\n`}),
      history: history(apiRecorded('20260301000000', 'twice', sql)),
    })
    expect(plan).toEqual({
      adopt: [],
      fetch: [],
      renames: [],
      conflicts: [
        {
          kind: 'ambiguous-match',
          versions: ['20260301000000'],
          files: ['20260101000000_a.sql', '20260102000000_b.sql'],
        },
      ],
    })
  })

  it('one file matching two recorded versions (an API retry): a conflict, nothing fetched for either', () => {
    const sql = 'create table retried (id int);'
    const plan = planSync({
      ...local({'20260101000000_retried.sql': sql}),
      history: history(apiRecorded('20260301000000', 'r', sql), apiRecorded('20260301000100', 'r', sql)),
    })
    expect(plan.conflicts).toEqual([
      {kind: 'ambiguous-match', versions: ['20260301000000', '20260301000100'], files: ['20260101000000_retried.sql']},
    ])
    expect(plan.fetch).toEqual([])
    expect(plan.adopt).toEqual([])
    expect(plan.renames).toEqual([])
  })

  it('an applied file is never adopted by another version, and an empty file matches nothing', () => {
    const plan = planSync({
      ...local({'20260101000000_same.sql': 'select 1;', '20260102000000_empty.sql': ''}),
      history: history(
        {version: '20260101000000', name: 'same', statements: ['select 1']},
        apiRecorded('20260103000000', 'same again', 'select 1;'),
        {version: '20260104000000', name: 'empty', statements: []},
      ),
    })
    expect(plan.adopt).toEqual([])
    expect(plan.fetch.map((f) => f.file)).toEqual(['20260103000000_same again.sql', '20260104000000_empty.sql'])
    expect(plan.renames.map((r) => r.from)).toEqual(['20260102000000_empty.sql'])
  })

  it('a history without statements cannot be synced: a conflict, not a guess', () => {
    const plan = planSync({...local({}), history: history({version: '20260101000000', name: 'old'})})
    expect(plan.conflicts).toEqual([{kind: 'no-recorded-statements', version: '20260101000000', name: 'old'}])
    expect(plan.fetch).toEqual([])
  })

  it('is deterministic', () => {
    const input = {
      ...local({'20260101000000_x.sql': 'select 2;', '20260101000000_y.sql': 'select 3;'}),
      history: history(apiRecorded('20260201000000', 'y', 'select 3')),
    }
    expect(planSync(input)).toEqual(planSync(input))
  })
})

describe('fetchedName', () => {
  it.each([
    {recorded: 'add users', expected: 'add users'},
    {recorded: undefined, expected: 'fetched'},
    {recorded: '', expected: 'fetched'},
    {recorded: '../../etc/passwd', expected: '____etc_passwd'},
    {recorded: 'a\nb\\c', expected: 'a_b_c'},
    {recorded: 'é'.repeat(150), expected: 'é'.repeat(100)},
  ])('$recorded → $expected', ({recorded, expected}) => {
    expect(fetchedName(recorded)).toBe(expected)
  })
})

describe('fetchedContent', () => {
  it("writes a single recorded element (the API's whole query) byte for byte", () => {
    expect(fetchedContent(['create table a (id int);\n-- done'])).toBe('create table a (id int);\n-- done')
  })

  it('puts the ; after a trailing -- comment on its own line', () => {
    expect(fetchedContent(['select 1 -- one', 'select 2'])).toBe('select 1 -- one\n;\n\nselect 2;\n')
  })
})
