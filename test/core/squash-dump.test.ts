import {describe, expect, it} from 'vitest'
import {aclStatements, changedAcls, parseDump, sqlLiteral, subtractBaseline} from '../../src/core/squash/squash-dump.js'
import {describeDifference, filesWritingTo, firstDifference} from '../../src/core/squash/squash-proof.js'

const entry = (name: string, type: string, schema: string, body: string) =>
  `--\n-- Name: ${name}; Type: ${type}; Schema: ${schema}; Owner: -\n--\n\n${body}\n\n\n`
const dump = (...entries: string[]) =>
  `--\n-- PostgreSQL database dump\n--\n\nSET x = 0;\n\n${entries.join('')}--\n-- PostgreSQL database dump complete\n--\n\n`

describe('parseDump and subtractBaseline', () => {
  const baseline = parseDump(
    dump(
      entry('users', 'TABLE', 'auth', 'CREATE TABLE auth.users (id uuid);'),
      entry('EXTENSION pgcrypto', 'COMMENT', '-', "COMMENT ON EXTENSION pgcrypto IS 'c';"),
    ),
  )
  it('reads entries without the preamble or the closing comment', () => {
    expect(baseline.map((e) => [e.type, e.schema, e.name, e.body])).toEqual([
      ['TABLE', 'auth', 'users', 'CREATE TABLE auth.users (id uuid);'],
      ['COMMENT', '-', 'EXTENSION pgcrypto', "COMMENT ON EXTENSION pgcrypto IS 'c';"],
    ])
  })

  it('keeps what the baseline lacks, drops extension comments and object ACLs, refuses a changed baseline object', () => {
    const replayed = parseDump(
      dump(
        entry('users', 'TABLE', 'auth', 'CREATE TABLE auth.users (id uuid, extra int);'),
        entry('notes', 'TABLE', 'public', 'CREATE TABLE public.notes (id int);'),
        entry('EXTENSION pg_trgm', 'COMMENT', '-', "COMMENT ON EXTENSION pg_trgm IS 't';"),
        entry('TABLE notes', 'ACL', 'public', 'GRANT ALL ON TABLE public.notes TO anon;'),
        entry('COLUMN notes.id', 'ACL', 'public', 'GRANT SELECT(id) ON TABLE public.notes TO anon;'),
      ),
    )
    const {entries, changedBaseline} = subtractBaseline(baseline, replayed)
    expect(entries.map((e) => e.name)).toEqual(['notes', 'COLUMN notes.id'])
    expect(changedBaseline.map((e) => e.name)).toEqual(['users'])
  })
})

describe('privileges from the catalog', () => {
  it('revokes from PUBLIC and every default grantee, then grants exactly; a complete set is ALL', () => {
    expect(
      aclStatements(
        {
          kind: 'FUNCTION',
          object: 'public.f(integer)',
          acl: '{=X/postgres,postgres=X/postgres,service_role=X*/postgres}',
        },
        ['anon', 'authenticated'],
      ),
    ).toEqual([
      'REVOKE ALL ON FUNCTION public.f(integer) FROM PUBLIC, anon, authenticated, postgres, service_role;',
      'GRANT ALL ON FUNCTION public.f(integer) TO PUBLIC;',
      'GRANT ALL ON FUNCTION public.f(integer) TO postgres;',
      'GRANT ALL ON FUNCTION public.f(integer) TO service_role WITH GRANT OPTION;',
    ])
    expect(
      aclStatements({kind: 'TABLE', object: 'public.t', acl: '{anon=r/postgres,postgres=arwdDxtm/postgres}'}, []),
    ).toEqual([
      'REVOKE ALL ON TABLE public.t FROM PUBLIC, anon, postgres;',
      'GRANT SELECT ON TABLE public.t TO anon;',
      'GRANT ALL ON TABLE public.t TO postgres;',
    ])
  })

  it('only objects whose privileges differ from the baseline', () => {
    const base = [{kind: 'SCHEMA', object: 'public', acl: '{a=U/p}'}]
    const now = [
      ...base,
      {kind: 'TABLE', object: 'public.t', acl: '{a=r/p}'},
      {kind: 'SCHEMA', object: 'auth', acl: '{x=U/p}'},
    ]
    expect(changedAcls(base, now).map((row) => row.object)).toEqual(['public.t', 'auth'])
  })
})

describe('the proof', () => {
  it('names the first difference, catalog before data', () => {
    const a = {
      catalog: new Map([
        ['column public.t.a', 'int'],
        ['index public.i', 'x'],
      ]),
      data: new Map([['rows public.t', '1 rows']]),
    }
    const b = {
      catalog: new Map([
        ['column public.t.a', 'text'],
        ['index public.i', 'x'],
      ]),
      data: new Map([['rows public.t', '2 rows']]),
    }
    const difference = firstDifference(a, b)
    expect(difference).toMatchObject({kind: 'catalog', key: 'column public.t.a'})
    expect(describeDifference(difference as never)).toBe(
      'column public.t.a differs: int originally, text after the squash',
    )
    expect(firstDifference(a, {...a, data: new Map()})).toMatchObject({kind: 'data', key: 'rows public.t'})
    expect(firstDifference(a, a)).toBeUndefined()
  })

  it('finds the files writing to a table', () => {
    const files = [
      {file: '1_a.sql', statements: ['create table public.t (id int)']},
      {file: '2_b.sql', statements: ['insert into t (id) values (1)']},
      {file: '3_c.sql', statements: ['UPDATE public."t" set id = 2']},
      {file: '4_d.sql', statements: ['insert into public.other values (1)']},
    ]
    expect(filesWritingTo('public.t', files)).toEqual(['2_b.sql', '3_c.sql'])
  })

  it('writes SQL literals', () => {
    expect([sqlLiteral(null), sqlLiteral(true), sqlLiteral(3), sqlLiteral("it's"), sqlLiteral(['a', 'b'])]).toEqual([
      'NULL',
      'true',
      '3',
      "'it''s'",
      "ARRAY['a', 'b']::text[]",
    ])
  })
})
