/**
 * Which files a high-only risk trace lets go by with its screen (one query before the Sync) rather than a probe
 * after each statement. The database side (the screen catching what the prediction let through, a screened file
 * running once) is in test/shell/risk-trace.test.ts.
 */
import {describe, expect, it} from 'vitest'
import {NAMES_TABLESPACE, screenable, watermarkOf} from '../../src/workflows/steps/risk-screen.js'

const existing = new Set(['public.old', 'old', '"Old"'])
const exists = (name: string) => existing.has(name.replaceAll(/\s/gu, ''))

describe('screenable', () => {
  it('lets DDL and DML through that names no existing table it could index or rewrite', () => {
    expect(
      screenable(['create table public.fresh (id int primary key)', 'create index on public.fresh (id)'], exists),
    ).toBe(true)
    expect(
      screenable(['alter table public.fresh enable row level security', 'insert into public.fresh values (1)'], exists),
    ).toBe(true)
    expect(screenable(['grant select on public.old to anon', "comment on table public.old is 'x'"], exists)).toBe(true)
    expect(screenable([], exists)).toBe(true)
  })

  it('probes from the start a file that builds an index on an existing table (always high)', () => {
    expect(screenable(['create index on public.old (n)'], exists)).toBe(false)
    expect(screenable(['create unique index if not exists old_n on only public . old (n)'], exists)).toBe(false)
    expect(screenable(['-- an index\ncreate index old_n on old (n)'], exists)).toBe(false)
  })

  it('screens an ALTER TABLE of an existing table, unless DML in the file would run twice after a failed screen', () => {
    expect(screenable(['alter table public.old add column x int'], exists)).toBe(true)
    expect(screenable(['alter table public.old add column x int', 'insert into public.fresh values (1)'], exists)).toBe(
      false,
    )
    expect(
      screenable(['update public.old set n = 1', 'alter table if exists only old alter column n type bigint'], exists),
    ).toBe(false)
  })

  it('probes what runs code, validates, or may drop the prepared screen', () => {
    for (const statement of [
      "select cron.schedule('x', '* * * * *', 'select 1')",
      'do $$ begin perform 1; end $$',
      'call public.p()',
      'with x as (select 1) insert into public.fresh select * from x',
      'truncate public.old',
      'alter table public.fresh add constraint c check (n > 0)',
      'create function f() returns void language sql as $$ deallocate all $$',
    ]) {
      expect(screenable([statement], exists), statement).toBe(false)
    }
  })
})

describe('the screen watermark', () => {
  it('is above every oid and filenode known', () => {
    expect(
      watermarkOf(
        new Map([
          [16400, {filenode: 16390}],
          [16500, {filenode: 17000}],
        ]),
      ),
    ).toBe(17000)
    expect(watermarkOf(new Map())).toBe(0)
  })

  it('gives up on screening once a file names a tablespace (the screen reads the default one only)', () => {
    expect(NAMES_TABLESPACE.test('create table t (id int) tablespace fast')).toBe(true)
    expect(NAMES_TABLESPACE.test('create table tablespaces_seen (id int)')).toBe(false)
  })
})
