import {describe, expect, it} from 'vitest'
import {withSkippedCreators} from '../../src/core/plan/plan-report.js'
import {type CatalogRow, toObject} from '../../src/core/sql/catalog.js'
import {dmlTarget} from '../../src/core/verify/missing-object.js'

const row = (kind: CatalogRow['kind'], schema: string, name: string): CatalogRow => ({
  kind,
  schema,
  name,
  parent: null,
  sig: '',
  classid: 0,
  objid: 0,
  subid: 0,
  typid: null,
  relid: null,
  ext: false,
})

describe('dmlTarget', () => {
  it.each([
    {statement: 'insert into public.plans (id) values (1)', target: {schema: 'public', name: 'plans'}},
    {statement: 'INSERT INTO Plans(id) select 1', target: {name: 'plans'}},
    {statement: 'update only "Accounts" set x = 1 where id = 2', target: {name: 'Accounts'}},
    {
      statement: '-- backfill\ndelete from basejump.invitations where true',
      target: {schema: 'basejump', name: 'invitations'},
    },
    {statement: 'merge into t using s on true when matched then do nothing', target: {name: 't'}},
    {statement: 'truncate table audit.log', target: {schema: 'audit', name: 'log'}},
    {statement: 'select * from t', target: undefined},
    {statement: 'create table t (id int)', target: undefined},
  ])('$statement', ({statement, target}) => {
    expect(dmlTarget(statement)).toEqual(target)
  })
})

describe('withSkippedCreators', () => {
  it('a redefinition of what a skipped statement would have created alters it, and depends on that file', () => {
    const diffs = [
      {file: 'a.sql', created: [] as CatalogRow[], altered: [] as CatalogRow[], dependsOn: [] as string[]},
      {
        file: 'b.sql',
        created: [row('function', 'public', 'set_vt_batch(q text)'), row('table', 'public', 'jobs')],
        altered: [],
        dependsOn: [],
      },
    ]
    const [, b] = withSkippedCreators(diffs, [
      {
        file: 'a.sql',
        statement: 'create function public.set_vt_batch(q text) returns setof pgmq.message_record as $$ $$',
      },
    ])
    expect(b?.created.map((r) => r.name)).toEqual(['jobs'])
    expect(b?.altered.map((r) => r.name)).toEqual(['set_vt_batch(q text)'])
    expect(b?.dependsOn).toEqual(['a.sql'])
  })

  it('a schema is named once', () => {
    expect(toObject(row('schema', 'basejump', 'basejump')).qualified).toBe('basejump')
  })
})
