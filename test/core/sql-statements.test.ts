import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {migrationStatements, splitStatements, stripLeadingComments} from '../../src/core/sql/sql-statements.js'

// Every expectation here was also checked against what supabase 3.1 records in
// supabase_migrations.schema_migrations.statements (see test/shell/sql-statements.supabase.test.ts).
describe('splitStatements', () => {
  it.each([
    {case: 'an empty file gives no statements', sql: '', statements: []},
    {case: 'whitespace only gives no statements', sql: '   \n\n  ', statements: []},
    {case: 'a final statement needs no semicolon', sql: 'select 1', statements: ['select 1']},
    {
      case: 'repeated semicolons give no empty statements',
      sql: 'select 1;;;  select 2;',
      statements: ['select 1', 'select 2'],
    },
    {case: "';' inside a string", sql: "select ';'; select 2", statements: ["select ';'", 'select 2']},
    {
      case: 'a doubled quote stays in the string',
      sql: "select 'it''s; ok'; select 3",
      statements: ["select 'it''s; ok'", 'select 3'],
    },
    {
      case: "E'…' honours backslash escapes",
      sql: "select E'a\\'b;c'; select 4",
      statements: ["select E'a\\'b;c'", 'select 4'],
    },
    {
      case: 'lower-case e-string ending in an escaped backslash',
      sql: "select e'x\\\\'; select 5",
      statements: ["select e'x\\\\'", 'select 5'],
    },
    {
      case: 'an E-string continued on the next line',
      sql: "select E'a'\n  'b;c'; select 6",
      statements: ["select E'a'\n  'b;c'", 'select 6'],
    },
    {
      case: 'an E-string continued after a comment line',
      sql: "select E'ab'\n-- c\n'cd;'; select 43",
      statements: ["select E'ab'\n-- c\n'cd;'", 'select 43'],
    },
    {
      case: 'a backslash in a plain string is not an escape',
      sql: "select 'a\\'; select 7",
      statements: ["select 'a\\'", 'select 7'],
    },
    {
      case: "_E'…' is a plain string: no backslash escapes",
      sql: "select _E'a\\'b; select 54",
      statements: ["select _E'a\\'b", 'select 54'],
    },
    {
      case: '";" inside a quoted identifier',
      sql: 'select "we;ird" from t; select 9',
      statements: ['select "we;ird" from t', 'select 9'],
    },
    {case: '$$ quotes', sql: 'select $$a;b$$; select 10', statements: ['select $$a;b$$', 'select 10']},
    {
      case: 'a $tag$ quote holding $$',
      sql: 'select $tag$ a $$ ; $tag$; select 11',
      statements: ['select $tag$ a $$ ; $tag$', 'select 11'],
    },
    {
      case: '$ inside an identifier opens nothing',
      sql: 'select a$b; select 12',
      statements: ['select a$b', 'select 12'],
    },
    {
      case: 'x$$ is an identifier, so the later $$ opens a quote',
      sql: 'select x$$ from t; select 53 $$',
      statements: ['select x$$ from t', 'select 53 $$'],
    },
    {case: 'a positional parameter', sql: 'select $1; select 13', statements: ['select $1', 'select 13']},
    {
      case: 'a DO block',
      sql: "do $$ begin raise notice 'x;y'; end $$; select 30",
      statements: ["do $$ begin raise notice 'x;y'; end $$", 'select 30'],
    },
    {
      case: '$$$ closes a $$ quote (supabase quirk)',
      sql: 'select $$$; select 31',
      statements: ['select $$$', 'select 31'],
    },
    {
      case: 'a comment stays with the statement after it',
      sql: '-- comment; still\nselect 14; select 15',
      statements: ['-- comment; still\nselect 14', 'select 15'],
    },
    {
      case: 'a trailing comment becomes its own statement',
      sql: 'select 20;\n-- trailing comment only\n',
      statements: ['select 20', '-- trailing comment only'],
    },
    {case: 'a comment-only file', sql: '--only a comment', statements: ['--only a comment']},
    {
      case: '---- still starts a comment',
      sql: 'select 49 ----; x\n; select 50',
      statements: ['select 49 ----; x', 'select 50'],
    },
    {
      case: 'nested block comments',
      sql: '/* a; /* nested; */ still; */ select 16; select 17',
      statements: ['/* a; /* nested; */ still; */ select 16', 'select 17'],
    },
    {
      case: '/*/ does not close the comment',
      sql: 'select 47 /*/ still comment; */; select 48',
      statements: ['select 47 /*/ still comment; */', 'select 48'],
    },
    {case: 'an empty block comment', sql: 'select 51 /**/; select 52', statements: ['select 51 /**/', 'select 52']},
    {
      case: 'an unterminated comment swallows the rest',
      sql: '/* unterminated; select 18',
      statements: ['/* unterminated; select 18'],
    },
    {
      // Measured with supabase 3.1 on PostgreSQL 15: it prints "At statement: 2" and the statement "/*;".
      case: 'an unterminated comment keeps a ; that whitespace follows: trailing ;s go before the trim',
      sql: 'select 53; /*; ',
      statements: ['select 53', '/*;'],
    },
    {case: 'and so does an unclosed parenthesis', sql: 'select (1;\t;', statements: ['select (1;']},
    {
      case: 'an unterminated string swallows the rest',
      sql: "select 'unterminated; select 38",
      statements: ["select 'unterminated; select 38"],
    },
    {
      case: 'BEGIN ATOMIC … END',
      sql: 'create function f() returns int language sql begin atomic select 1; select 2; end; select 22',
      statements: ['create function f() returns int language sql begin atomic select 1; select 2; end', 'select 22'],
    },
    {
      case: 'BEGIN ATOMIC with CASE … END inside and mixed case',
      sql: 'create function g() returns int language sql\nBEGIN   ATOMIC\n  select case when true then 1 end;\n  select 2;\nEND;\nselect 23',
      statements: [
        'create function g() returns int language sql\nBEGIN   ATOMIC\n  select case when true then 1 end;\n  select 2;\nEND',
        'select 23',
      ],
    },
    {
      case: 'an empty atomic body',
      sql: 'create procedure p() language sql begin atomic; end; select 24',
      statements: ['create procedure p() language sql begin atomic; end', 'select 24'],
    },
    {
      case: '"atomic" as an alias is not a body',
      sql: 'select 1 as atomic; select 44',
      statements: ['select 1 as atomic', 'select 44'],
    },
    {case: 'parentheses protect ";"', sql: 'select (1; 2); select 25', statements: ['select (1; 2)', 'select 25']},
    {
      case: 'the first ")" closes every open parenthesis (supabase quirk)',
      sql: 'select ((1);2); select 27',
      statements: ['select ((1)', '2)', 'select 27'],
    },
    {
      case: 'a backslash outside quotes protects ";"',
      sql: 'select \\; select 28; select 29',
      statements: ['select \\; select 28', 'select 29'],
    },
    {
      case: 'BEGIN/COMMIT are ordinary statements',
      sql: 'begin; select 45; commit;',
      statements: ['begin', 'select 45', 'commit'],
    },
    {
      case: 'a byte-order mark is trimmed away',
      sql: '\uFEFFselect 33; select 34',
      statements: ['select 33', 'select 34'],
    },
    {
      case: 'CRLF line ends are trimmed',
      sql: 'select 35\r\n;\r\nselect 36\r\n',
      statements: ['select 35', 'select 36'],
    },
    {
      case: 'non-ASCII text; even a final comment loses its trailing ;',
      sql: "select 'é;'; select 46 -- ünïcode ;",
      statements: ["select 'é;'", 'select 46 -- ünïcode'],
    },
  ])('$case', ({sql, statements}) => {
    expect(splitStatements(sql)).toEqual(statements)
  })

  it('returns trimmed, non-empty statements without trailing semicolons for any input', () => {
    fc.assert(
      fc.property(fc.string({unit: fc.constantFrom(...';\'"$-/*\\()E atomicbeginend\n\tx'.split(''))}), (sql) => {
        let cursor = 0
        for (const statement of splitStatements(sql)) {
          expect(statement).toBe(statement.trim())
          expect(statement).not.toBe('')
          const at = sql.indexOf(statement, cursor)
          expect(at).toBeGreaterThanOrEqual(cursor)
          cursor = at + statement.length
          // supabase removes a token's trailing ;s, then trims: a ; it protected (quoted, commented, escaped, in
          // parentheses) that whitespace follows is kept, as "select (1;\t;" gives "select (1;" (measured).
          if (statement.endsWith(';')) expect(sql.slice(cursor)).toMatch(/^\s+(;|$)/u)
        }
      }),
    )
  })

  it('keeps every non-space, non-separator character of plain SQL', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9 ,=]{1,20}$/u), {maxLength: 8}), (pieces) => {
        const expected = pieces.map((piece) => piece.trim()).filter((piece) => piece !== '')
        expect(splitStatements(pieces.join(';\n'))).toEqual(expected)
      }),
    )
  })
})

describe('migrationStatements', () => {
  it.each([
    {case: 'runs in transactions by default', text: 'select 1;', mode: 'transactional', statements: ['select 1']},
    {
      case: 'a first line "-- pg-delta: transaction=false" turns transactions off',
      text: '-- pg-delta: transaction=false\ncreate index concurrently i on t (c);',
      mode: 'none',
      statements: ['-- pg-delta: transaction=false\ncreate index concurrently i on t (c)'],
    },
    {
      case: 'the marker may end with CRLF',
      text: '-- pg-delta: transaction=false\r\nselect 1',
      mode: 'none',
      statements: ['-- pg-delta: transaction=false\r\nselect 1'],
    },
    {
      case: 'the marker may follow a BOM',
      text: '\uFEFF-- pg-delta: transaction=false\nselect 1',
      mode: 'none',
      statements: ['-- pg-delta: transaction=false\nselect 1'],
    },
    {
      case: 'the marker counts only on the first line',
      text: 'select 1;\n-- pg-delta: transaction=false\n',
      mode: 'transactional',
      statements: ['select 1', '-- pg-delta: transaction=false'],
    },
    {
      case: 'the marker must match exactly',
      text: '-- pg-delta: transaction=false \nselect 1',
      mode: 'transactional',
      statements: ['-- pg-delta: transaction=false \nselect 1'],
    },
  ])('$case', ({text, mode, statements}) => {
    expect(migrationStatements(text)).toEqual({statements, transactionMode: mode})
  })
})

describe('stripLeadingComments', () => {
  it.each([
    {statement: '-- a\n-- b\ncreate table t ()', head: 'create table t ()'},
    {statement: '/* a /* b */ c */ vacuum', head: 'vacuum'},
    {statement: '\uFEFF  begin', head: 'begin'},
    {statement: '-- only a comment', head: ''},
    {statement: '/* unterminated', head: ''},
  ])('$statement', ({statement, head}) => {
    expect(stripLeadingComments(statement)).toBe(head)
  })
})
