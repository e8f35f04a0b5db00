/**
 * The risk trace against the real engines: each kind of DDL replayed as its own migration file (as supabase runs
 * it) on the embedded database (PostgreSQL 18 in PGlite) and, with SBX_TEST_DATABASE_URL, on a throwaway
 * database of the PostgreSQL server; the strongest lock it holds on the table must be the one PostgreSQL's
 * documentation gives ("Explicit Locking", and each command's page), and rewrites must be the ones it does.
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {assessMigration, type MigrationRisk} from '../../src/core/risk/risk.js'
import {migrationStatements} from '../../src/core/sql/sql-statements.js'
import {planReplay} from '../../src/core/verify/replay-plan.js'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'
import {createHistoryTable, type ReplayDatabase, replayMigration} from '../../src/shell/replay/migration-replay.js'
import {preparedSession} from '../../src/shell/replay/prepared-query.js'
import {openShadow} from '../../src/shell/replay/shadow-db.js'
import {locksSql, type TraceOptions, traceRisk} from '../../src/workflows/steps/risk-tracer.js'
import {DATABASE_KINDS, type DatabaseKind, skipWithoutServer} from '../helpers/databases.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}
const serverUrl = process.env.SBX_TEST_DATABASE_URL

/** Each table is its own, created before the cases; `ddl` runs alone in a migration file. */
const SETUP = `
create table public.parent (id int primary key);
create function public.noop() returns trigger language plpgsql as $$ begin return new; end $$;
${Array.from(
  {length: 40},
  (_, i) => `create table public.t${i} (id int primary key, parent_id int, n int, note text);
insert into public.t${i} (id, parent_id, n, note) values (1, 1, 1, 'a');`,
).join('\n')}
insert into public.parent values (1);
create index t11_n_idx on public.t11 (n);
create index t27_n_idx on public.t27 (n);
alter table public.t8 add constraint t8_parent_fk foreign key (parent_id) references public.parent (id) not valid;
create trigger t15_trigger before insert on public.t15 for each row execute function public.noop();
create trigger t16_trigger before insert on public.t16 for each row execute function public.noop();
create materialized view public.m1 as select id from public.t0;
create materialized view public.m2 as select id from public.t0;
create unique index m2_id on public.m2 (id);
create view public.v1 as select id from public.t0;
create table public.p1 (id int, at date) partition by range (at);
create table public.p1_2026 (id int, at date);
create table public.p2 (id int, at date) partition by range (at);
create table public.p2_2026 partition of public.p2 for values from ('2026-01-01') to ('2027-01-01');
create schema other;
`

interface Case {
  ddl: string
  relation: string
  mode: string
  rewrite?: boolean
}

/** PostgreSQL's documented lock levels (docs 15–18: "13.3.1 Table-Level Locks", ALTER TABLE, each command). */
const CASES: Record<string, Case> = {
  'alter table add column': {
    ddl: 'alter table public.t0 add column extra int',
    relation: 'public.t0',
    mode: 'AccessExclusiveLock',
  },
  'alter table add column with a constant default (no rewrite)': {
    ddl: 'alter table public.t1 add column flag int default 0',
    relation: 'public.t1',
    mode: 'AccessExclusiveLock',
  },
  'alter table add column with a volatile default (rewrite)': {
    ddl: 'alter table public.t2 add column at timestamptz default clock_timestamp()',
    relation: 'public.t2',
    mode: 'AccessExclusiveLock',
    rewrite: true,
  },
  'alter table drop column': {
    ddl: 'alter table public.t3 drop column note',
    relation: 'public.t3',
    mode: 'AccessExclusiveLock',
  },
  'alter column type (rewrite)': {
    ddl: 'alter table public.t4 alter column n type bigint',
    relation: 'public.t4',
    mode: 'AccessExclusiveLock',
    rewrite: true,
  },
  'alter column set default': {
    ddl: 'alter table public.t5 alter column n set default 1',
    relation: 'public.t5',
    mode: 'AccessExclusiveLock',
  },
  'alter column set not null': {
    ddl: 'alter table public.t6 alter column n set not null',
    relation: 'public.t6',
    mode: 'AccessExclusiveLock',
  },
  'add check constraint': {
    ddl: 'alter table public.t7 add constraint t7_n check (n > 0)',
    relation: 'public.t7',
    mode: 'AccessExclusiveLock',
  },
  'validate constraint': {
    ddl: 'alter table public.t8 validate constraint t8_parent_fk',
    relation: 'public.t8',
    mode: 'ShareUpdateExclusiveLock',
  },
  'add foreign key': {
    ddl: 'alter table public.t9 add constraint t9_fk foreign key (parent_id) references public.parent (id)',
    relation: 'public.t9',
    mode: 'ShareRowExclusiveLock',
  },
  'add foreign key: the referenced table': {
    ddl: 'alter table public.t10 add constraint t10_fk foreign key (parent_id) references public.parent (id) not valid',
    relation: 'public.parent',
    mode: 'ShareRowExclusiveLock',
  },
  'drop index': {ddl: 'drop index public.t11_n_idx', relation: 'public.t11', mode: 'AccessExclusiveLock'},
  'create index': {ddl: 'create index on public.t12 (n)', relation: 'public.t12', mode: 'ShareLock'},
  'create index concurrently': {
    ddl: 'create index concurrently t13_n_idx on public.t13 (n)',
    relation: 'public.t13',
    mode: 'ShareUpdateExclusiveLock',
  },
  'create trigger': {
    ddl: 'create trigger t14_trigger before insert on public.t14 for each row execute function public.noop()',
    relation: 'public.t14',
    mode: 'ShareRowExclusiveLock',
  },
  'alter table disable trigger': {
    ddl: 'alter table public.t15 disable trigger t15_trigger',
    relation: 'public.t15',
    mode: 'ShareRowExclusiveLock',
  },
  'drop trigger': {ddl: 'drop trigger t16_trigger on public.t16', relation: 'public.t16', mode: 'AccessExclusiveLock'},
  'create policy': {
    ddl: 'create policy t17_read on public.t17 for select using (true)',
    relation: 'public.t17',
    mode: 'AccessExclusiveLock',
  },
  'enable row level security': {
    ddl: 'alter table public.t18 enable row level security',
    relation: 'public.t18',
    mode: 'AccessExclusiveLock',
  },
  'comment on table': {
    ddl: "comment on table public.t19 is 'rows'",
    relation: 'public.t19',
    mode: 'ShareUpdateExclusiveLock',
  },
  'rename table': {
    ddl: 'alter table public.t20 rename to t20_renamed',
    relation: 'public.t20',
    mode: 'AccessExclusiveLock',
  },
  'rename column': {
    ddl: 'alter table public.t21 rename column note to body',
    relation: 'public.t21',
    mode: 'AccessExclusiveLock',
  },
  'alter column set statistics': {
    ddl: 'alter table public.t22 alter column n set statistics 500',
    relation: 'public.t22',
    mode: 'ShareUpdateExclusiveLock',
  },
  'set storage parameter (fillfactor)': {
    ddl: 'alter table public.t23 set (fillfactor = 70)',
    relation: 'public.t23',
    mode: 'ShareUpdateExclusiveLock',
  },
  truncate: {ddl: 'truncate public.t24', relation: 'public.t24', mode: 'AccessExclusiveLock'},
  'drop table': {ddl: 'drop table public.t25', relation: 'public.t25', mode: 'AccessExclusiveLock'},
  analyze: {ddl: 'analyze public.t26', relation: 'public.t26', mode: 'ShareUpdateExclusiveLock'},
  'reindex table': {ddl: 'reindex table public.t27', relation: 'public.t27', mode: 'ShareLock'},
  'create statistics': {
    ddl: 'create statistics t28_stats on n, parent_id from public.t28',
    relation: 'public.t28',
    mode: 'ShareUpdateExclusiveLock',
  },
  'alter table set schema': {
    ddl: 'alter table public.t29 set schema other',
    relation: 'public.t29',
    mode: 'AccessExclusiveLock',
  },
  'alter table owner': {
    ddl: 'alter table public.t30 owner to postgres',
    relation: 'public.t30',
    mode: 'AccessExclusiveLock',
  },
  'create rule': {
    ddl: 'create rule t31_rule as on delete to public.t31 do instead nothing',
    relation: 'public.t31',
    mode: 'AccessExclusiveLock',
  },
  'add primary key (index build)': {
    ddl: 'alter table public.t32 add constraint t32_n_key unique (n)',
    relation: 'public.t32',
    mode: 'AccessExclusiveLock',
  },
  'alter column drop not null': {
    ddl: 'alter table public.t33 alter column n set not null, alter column n drop not null',
    relation: 'public.t33',
    mode: 'AccessExclusiveLock',
  },
  'set unlogged (rewrite)': {
    ddl: 'alter table public.t34 set unlogged',
    relation: 'public.t34',
    mode: 'AccessExclusiveLock',
    rewrite: true,
  },
  // It fills a new heap and swaps it in: a rewrite, as pg_class.relfilenode shows.
  'refresh materialized view': {
    ddl: 'refresh materialized view public.m1',
    relation: 'public.m1',
    mode: 'AccessExclusiveLock',
    rewrite: true,
  },
  'refresh materialized view concurrently': {
    ddl: 'refresh materialized view concurrently public.m2',
    relation: 'public.m2',
    mode: 'ExclusiveLock',
  },
  'create or replace view': {
    ddl: 'create or replace view public.v1 as select id, 1 as one from public.t0',
    relation: 'public.v1',
    mode: 'AccessExclusiveLock',
  },
  'attach partition: the parent': {
    ddl: "alter table public.p1 attach partition public.p1_2026 for values from ('2026-01-01') to ('2027-01-01')",
    relation: 'public.p1',
    mode: 'ShareUpdateExclusiveLock',
  },
  'detach partition': {
    ddl: 'alter table public.p2 detach partition public.p2_2026',
    relation: 'public.p2',
    mode: 'AccessExclusiveLock',
  },
}

type Engine = DatabaseKind
const ENGINES = DATABASE_KINDS

async function open(engine: Engine): Promise<ReplayDatabase> {
  if (engine === 'pglite') {
    const database = await freshDatabaseFromBaseline({env})
    onTestFinished(() => database.close())
    return database.db
  }
  const shadow = await openShadow(serverUrl as string, {apiSchemas: ['public']})
  onTestFinished(() => shadow.close())
  return shadow.db
}

/**
 * Replays each text as one migration file, traced; the risk of each. `prepared`: as verify does, with the probe
 * prepared in the session (bound by name in each pipeline); otherwise sent as text.
 */
async function traced(
  db: ReplayDatabase,
  files: readonly string[],
  prepared = true,
  options: TraceOptions = {},
): Promise<MigrationRisk[]> {
  await createHistoryTable(db)
  const tracer = traceRisk(options)
  const session = prepared ? preparedSession(db) : undefined
  if (session) onTestFinished(() => session.close())
  await tracer.start(db, session)
  const risks: MigrationRisk[] = []
  for (const [index, text] of files.entries()) {
    const file = {version: String(20260101000000 + index), name: `f${index}`, ...migrationStatements(text)}
    const name = `${file.version}_${file.name}.sql`
    const failure = await replayMigration(db, file, planReplay(file), undefined, tracer.probe(name, file.statements))
    expect(failure, `${text}: ${failure?.error.message}`).toBeUndefined()
    await tracer.replayed(db, name)
    const trace = tracer.traces.get(name)
    risks.push(assessMigration(trace ?? {statements: file.statements, observations: []}))
  }
  return risks
}

const strongest = (risk: MigrationRisk, relation: string) =>
  risk.locks
    .filter((l) => l.relation === relation)
    .map((l) => l.mode)
    .at(-1)

describe.each(ENGINES)('the risk trace on %s', (engine) => {
  it(`gives the documented lock of ${Object.keys(CASES).length} kinds of DDL, and sees which rewrite`, async (context) => {
    skipWithoutServer(context, engine)
    const db = await open(engine)
    const cases = Object.entries(CASES)
    const risks = await traced(db, [SETUP, ...cases.map(([, c]) => `${c.ddl};`)])
    expect(risks[0]?.locks, 'objects created in the same file do not count').toEqual([])
    const seen = cases.map(([kind, c], i) => ({kind, mode: strongest(risks[i + 1] as MigrationRisk, c.relation)}))
    expect(seen).toEqual(cases.map(([kind, c]) => ({kind, mode: c.mode})))
    const rewrites = cases.map(([kind], i) => ({kind, rewrite: (risks[i + 1] as MigrationRisk).rewrites.length > 0}))
    expect(rewrites).toEqual(cases.map(([kind, c]) => ({kind, rewrite: c.rewrite === true})))
  }, 240_000)
})

describe.each(ENGINES)('the high-only trace (verify, push) on %s', (engine) => {
  it('reports exactly the high-risk files of the full trace, screening the others', async (context) => {
    skipWithoutServer(context, engine)
    const files = [
      SETUP,
      ...Object.values(CASES).map((c) => `${c.ddl};`),
      // Made and indexed in one file: not high. Then indexed from the next file: high, predicted.
      'create table public.later (id int primary key, n int); create index on public.later (n);',
      'create index later_n on public.later (n);',
      // Rewritten, then indexed by a file the prediction passes (an ALTER TABLE): the screen must catch it.
      'alter table public.later alter column n type bigint;',
      'alter table public.later add constraint later_n_key unique (n);',
      'create table public.after (id int primary key); alter table public.after add column n int;',
    ]
    const full = await traced(await open(engine), files)
    const high = await traced(await open(engine), files, true, {highOnly: true})
    const highOf = (risks: MigrationRisk[]) =>
      risks.flatMap((risk, file) => (risk.level === 'high' ? [{file, risk}] : []))
    expect(highOf(full).length).toBeGreaterThan(5)
    expect(highOf(high)).toEqual(highOf(full))
    // What is not high is not traced at all: the screen stood for it.
    expect(high.filter((risk) => risk.locks.length > 0 && risk.level !== 'high').length).toBeLessThan(
      full.filter((risk) => risk.locks.length > 0 && risk.level !== 'high').length,
    )
  }, 240_000)

  it('runs a file with DML once: an ALTER of an existing table in it is probed from the start', async (context) => {
    skipWithoutServer(context, engine)
    const db = await open(engine)
    await traced(
      db,
      [
        'create table public.seeded (id serial primary key, n int);',
        // Screened and passing: runs once.
        'insert into public.seeded (n) values (1);',
        // A rewrite beside an INSERT: screened, it would fail its screen and run (and take an id) twice.
        'alter table public.seeded alter column n type bigint; insert into public.seeded (n) values (2);',
      ],
      true,
      {highOnly: true},
    )
    const {rows} = await db.query<{ids: string}>(
      "select string_agg(id::text, ',' order by id) as ids from public.seeded",
    )
    expect(rows[0]?.ids).toBe('1,2')
  })
})

describe('the risk trace within one transaction', () => {
  it('says which later statements run while a lock is held, and counts no lock on what the step created', async () => {
    const db = await open('pglite')
    const [, risk] = await traced(
      db,
      [
        'create table public.big (id int primary key, n int);',
        `alter table public.big alter column n type bigint;
       create table public.fresh (id int primary key);
       create index on public.fresh (id);
       alter table public.big add column flag int default 0;`,
      ],
      false,
    )
    expect(risk?.locks).toEqual([
      {statement: 0, relation: 'public.big', mode: 'AccessExclusiveLock', heldThrough: [1, 2, 3]},
    ])
    expect(risk?.rewrites).toEqual([{statement: 0, relation: 'public.big'}])
    expect(risk?.scans).toEqual([])
    expect(risk).toMatchObject({level: 'high', blocksReads: true, blocksWrites: true})
  })
})

describe('the risk trace of a long file', () => {
  it("returns a lock on what the file created once, and still sees a known table's index built after it", async () => {
    const db = await open('pglite')
    await db.query('create table public.known (id int primary key, n int)')
    const newest = Number((await db.query<{oid: number}>('select max(oid)::int4 as oid from pg_class')).rows[0]?.oid)
    const oids = async (name: string) =>
      Number((await db.query<{oid: number}>(`select '${name}'::regclass::oid::int4 as oid`)).rows[0]?.oid)
    await db.query('begin')
    try {
      await db.query('create table public.made1 (id int)')
      const first = (await db.query<{oid: number}>(locksSql(newest))).rows.map((r) => Number(r.oid))
      await db.query('create table public.made2 (id int)')
      await db.query('lock table public.known in share mode')
      const second = (await db.query<{oid: number}>(locksSql(newest))).rows.map((r) => Number(r.oid))
      expect(first).toContain(await oids('public.made1'))
      expect(second).not.toContain(await oids('public.made1'))
      expect(second).toContain(await oids('public.made2'))
      expect(second, 'a known relation is returned every time').toContain(await oids('public.known'))
    } finally {
      await db.query('rollback')
    }
    const [, risk] = await traced(db, [
      'create table public.big (id int primary key, n int);',
      `${Array.from({length: 30}, (_, i) => `create table public.fresh${i} (id int primary key);`).join('\n')}
       create index big_n on public.big (n);`,
    ])
    expect(risk?.scans).toEqual([expect.objectContaining({statement: 30, relation: 'public.big'})])
  })
})

describe.each(ENGINES)('the prepared probe on %s', (engine) => {
  it('survives a migration that deallocates every prepared statement, and traces that file by text', async (context) => {
    skipWithoutServer(context, engine)
    const db = await open(engine)
    const risks = await traced(db, [
      'create table public.a (id int primary key, n int); create table public.b (id int primary key, n int);',
      'alter table public.a add column x int; deallocate all; alter table public.b add column x int;',
      'alter table public.b alter column n type bigint;',
      'create index a_n on public.a (n);',
    ])
    expect(risks[1]?.locks.map(({statement, relation, mode}) => ({statement, relation, mode}))).toEqual([
      {statement: 0, relation: 'public.a', mode: 'AccessExclusiveLock'},
      {statement: 2, relation: 'public.b', mode: 'AccessExclusiveLock'},
    ])
    expect(risks[2]?.rewrites).toEqual([{statement: 0, relation: 'public.b'}])
    expect(risks[3]?.scans).toEqual([expect.objectContaining({statement: 0, relation: 'public.a'})])
  })
})
