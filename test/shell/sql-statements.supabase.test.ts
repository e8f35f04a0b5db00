/**
 * The splitter against the real supabase binary: `migration repair --status applied` records each file's
 * statements in supabase_migrations.schema_migrations without running them, so even invalid SQL can be
 * compared with what splitStatements returns.
 */
import {describe, expect, it} from 'vitest'
import {splitStatements} from '../../src/core/sql/sql-statements.js'
import {DATABASE_KINDS, skipWithoutServer, throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {supabase} from '../helpers/supabase.js'

const TRICKY_FILES = [
  '',
  'select 1;;;  select 2;',
  "select 'it''s; ok'; select ';'",
  "select E'a\\'b;c'; select e'x\\\\'; select 'a\\'; select 3",
  "select E'a'\n  'b;c'; select E'ab'\n-- c\n'cd;'; select _E'a\\'b; select 4",
  'select "we;ird" from t; select a$b, $1; select x$$ from t; select 5 $$',
  "select $$a;b$$; select $tag$ a $$ ; $tag$; select $$$; do $$ begin raise notice 'x;y'; end $$",
  '-- comment; still\nselect 14; /* a; /* nested; */ still; */ select 16; select 47 /*/ x; */; select 51 /**/;\n-- trailing\n',
  'create function f() returns int language sql begin atomic select 1; select 2; end; select 22',
  'create function g() returns int language sql\nBEGIN   ATOMIC\n  select case when true then 1 end;\n  select 2;\nEND;\nselect 1 as atomic; create procedure p() language sql begin atomic; end',
  'select (1; 2); select ((1);2); select \\; select 28; select 29',
  '\uFEFFselect 33;\r\nselect 36\r\n',
  "select 'é;'; select 46 -- ünïcode ;",
  '/* unterminated; select 18',
  "select 'unterminated; select 38",
  '-- pg-delta: transaction=false\ncreate index concurrently i on t (c);\nvacuum t;',
]

describe('splitStatements matches what supabase records', () => {
  it.for(DATABASE_KINDS)('on %s', async (kind, context) => {
    skipWithoutServer(context, kind)
    const versions = TRICKY_FILES.map((_, index) => String(20250101000000 + index))
    const cwd = tmpProject(
      Object.fromEntries(
        TRICKY_FILES.map((sql, index) => [`supabase/migrations/${versions[index]}_case${index}.sql`, sql]),
      ),
    )
    const db = await throwawayDatabase(kind)

    const repair = await supabase(
      ['migration', 'repair', '--status', 'applied', ...versions, `--remote=${db.url}`, '--yes', '--agent=no'],
      cwd,
    )
    expect(repair.exitCode, repair.stderr).toBe(0)

    const rows = await db.query<{version: string; statements: string[] | null}>(
      'select version, statements from supabase_migrations.schema_migrations order by version',
    )
    expect(rows.map((row) => [row.version, row.statements ?? []])).toEqual(
      TRICKY_FILES.map((sql, index) => [versions[index], splitStatements(sql)]),
    )
  })
})
