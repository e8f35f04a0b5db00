/**
 * One-file migrations for the differential suite (test/e2e/differential.test.ts): each is pushed with the real
 * supabase to PostgreSQL 15 and verified with sbx verify in a project on major_version 15, and both must agree.
 * `since`: the major that added the feature (PostgreSQL release notes); verify is also run on that major's
 * PGlite line (where one exists) and must pass there, and fail on the major before it.
 */
export interface DifferentialCase {
  name: string
  sql: string
  since?: number
}

const deferredTables = `create table p (id int primary key);
create table c (p int references p deferrable initially deferred);
`

export const DIFFERENTIAL_CASES: DifferentialCase[] = [
  {name: 'plain DDL', sql: 'create table t (id int primary key);\ninsert into t values (1);\n'},
  {name: 'LOCK TABLE', sql: 'create table t (id int);\nlock table t in exclusive mode;\nselect 1;\n'},
  {name: 'SAVEPOINT', sql: 'create table t (id int);\nsavepoint a;\nrelease savepoint a;\n'},
  {name: 'DECLARE CURSOR', sql: 'declare c cursor for select 1;\n'},
  {
    name: 'enum value used in the same file',
    sql: "create type e as enum ('a');\ncreate table x (v e);\nalter type e add value 'b';\nselect 'b'::e;\n",
  },
  {name: 'enum value added alone', sql: "create type e as enum ('a');\nalter type e add value 'b';\n"},
  {name: 'COPY FROM STDIN', sql: 'create table t (id int);\ncopy t from stdin;\n'},
  {name: 'deferred FK violated at commit', sql: `${deferredTables}insert into c values (5);\n`},
  {
    name: 'deferred FK satisfied before commit',
    sql: `${deferredTables}insert into c values (5);\ninsert into p values (5);\n`,
  },
  {
    name: 'SET CONSTRAINTS IMMEDIATE makes it fail at once',
    sql: `${deferredTables}set constraints all immediate;\ninsert into c values (5);\n`,
  },
  {name: 'SET LOCAL', sql: "set local lock_timeout = '4s';\ncreate table t (id int);\n"},
  {name: 'SET session', sql: 'set search_path = public;\ncreate table t (id int);\n'},
  {name: 'RESET', sql: 'set work_mem = 1024;\nreset work_mem;\nreset all;\ncreate table t (id int);\n'},
  {name: 'BEGIN … COMMIT', sql: 'begin;\ncreate table t (id int);\ncommit;\n'},
  {
    name: 'BEGIN, a failure, COMMIT',
    sql: 'begin;\ncreate table t (id int);\ninsert into missing values (1);\ncommit;\n',
  },
  {name: 'BEGIN … ROLLBACK', sql: 'begin;\ncreate table t (id int);\nrollback;\n'},
  {
    name: 'SAVEPOINT inside BEGIN',
    sql: 'begin;\ncreate table t (id int);\nsavepoint s;\ninsert into t values (1);\nrollback to savepoint s;\ncommit;\n',
  },
  {name: 'LOCK inside BEGIN', sql: 'create table t (id int);\nbegin;\nlock table t;\ncommit;\n'},
  {
    name: 'CREATE INDEX CONCURRENTLY alone',
    sql: 'create table t (id int);\ncreate index concurrently t_id on t (id);\n',
  },
  {
    name: 'CREATE INDEX CONCURRENTLY inside BEGIN',
    sql: 'create table t (id int);\nbegin;\ncreate index concurrently t_id on t (id);\ncommit;\n',
  },
  {
    name: 'CONCURRENTLY then a failure',
    sql: 'create table t (id int);\ncreate index concurrently t_id on t (id);\ninsert into missing values (1);\n',
  },
  {
    name: 'deferred FK violated before CONCURRENTLY',
    sql: `${deferredTables}insert into c values (5);\ncreate index concurrently c_p on c (p);\n`,
  },
  {name: 'VACUUM alone', sql: 'create table t (id int);\nvacuum t;\n'},
  {name: 'VACUUM inside BEGIN', sql: 'create table t (id int);\nbegin;\nvacuum t;\ncommit;\n'},
  {
    name: 'pg-delta transaction=false',
    sql: '-- pg-delta: transaction=false\ncreate table t (id int);\ncreate index concurrently t_id on t (id);\n',
  },
  {
    name: 'pg-delta transaction=false with a failure',
    sql: '-- pg-delta: transaction=false\ncreate table t (id int);\ninsert into missing values (1);\n',
  },
  {name: 'psql meta-command', sql: 'create table t (id int);\n\\set x 1\nselect 1;\n'},
  {name: 'DO block', sql: 'do $$ begin perform 1; end $$;\ncreate table t (id int);\n'},
  {name: 'DO block raising', sql: "create table t (id int);\ndo $$ begin raise exception 'no'; end $$;\n"},
  {
    name: 'BEGIN ATOMIC function',
    sql: 'create table t (id int);\ncreate function f() returns int language sql begin atomic; select count(*)::int from t; end;\nselect f();\n',
  },
  {
    name: 'BEGIN ATOMIC on a missing table',
    sql: 'create function f() returns int language sql begin atomic; select count(*)::int from nowhere; end;\n',
  },
  // Not first: as the first statement of a pipeline PostgreSQL runs it (and would create it); after another, 25001.
  {name: 'CREATE DATABASE', sql: 'create table t (id int);\ncreate database sbx_differential_never;\n'},
  {name: 'DISCARD ALL', sql: 'discard all;\n'},
  {name: 'LISTEN / NOTIFY', sql: "listen sbx_channel;\nnotify sbx_channel, 'x';\n"},
  {name: 'duplicate table', sql: 'create table t (id int);\ncreate table t (id int);\n'},
  {name: 'missing table', sql: 'create table t (id int);\nalter table nowhere add column x int;\n'},
  {name: 'comments only', sql: '-- nothing to do\n/* at all */\n'},
  {
    name: 'RLS policy on auth.uid()',
    sql: 'create table t (id uuid);\nalter table t enable row level security;\ncreate policy p on t for select using (id = auth.uid());\n',
  },
  {
    name: 'any_value() (16)',
    sql: 'create table t (a int, b int);\nselect a, any_value(b) from t group by a;\n',
    since: 16,
  },
  {name: 'IS JSON (16)', sql: "select '{}' is json;\n", since: 16},
  {name: 'JSON_ARRAY() (16)', sql: 'select json_array(1, 2);\n', since: 16},
  {name: 'random(min, max) (17)', sql: 'select random(1, 10);\n', since: 17},
  {
    name: 'JSON_TABLE (17)',
    sql: "create table t (j jsonb);\nselect * from json_table('[1]'::jsonb, '$[*]' columns (x int path '$')) jt;\n",
    since: 17,
  },
  {
    name: 'MERGE … RETURNING (17)',
    sql: 'create table t (id int);\nmerge into t using (select 1 as id) s on t.id = s.id when not matched then insert values (s.id) returning *;\n',
    since: 17,
  },
  {name: 'uuidv7() (18)', sql: 'create table t (id uuid default uuidv7());\n', since: 18},
  {
    name: 'virtual generated column (18)',
    sql: 'create table t (a int, b int generated always as (a * 2) virtual);\n',
    since: 18,
  },
]
