import {describe, expect, it} from 'vitest'
import {SkippedWork} from '../../src/core/verify/skipped-work.js'

const never = () => false
const always = () => true

describe('SkippedWork', () => {
  it('skips nothing before an extension was left out', () => {
    const work = new SkippedWork()
    expect(work.reason({code: '42P01', message: 'relation "t" does not exist'}, never)).toBeUndefined()
  })

  it('skips a statement needing the missing schema of an extension left out', () => {
    const work = new SkippedWork()
    work.omit('pgmq', 'a.sql', 0, 'create extension if not exists pgmq')
    expect(work.reason({code: '3F000', message: 'schema "pgmq" does not exist'}, always)).toEqual({needs: ['pgmq']})
  })

  it('propagates through what skipped statements would have made, even when a later file redefines it', () => {
    const work = new SkippedWork()
    work.omit('pgmq', 'a.sql', 0, 'create extension pgmq')
    const fn =
      'create function public.set_vt_batch(q text) returns setof pgmq.message_record language sql as $$ select 1 $$'
    const first = work.reason({code: '42704', message: 'type "pgmq.message_record" does not exist'}, never)
    expect(first).toEqual({needs: ['pgmq']})
    work.stepped('b.sql', 0, fn, first as {needs: string[]})
    // A later migration does `create or replace function set_vt_batch`: still skipped, never "created later".
    const second = work.reason({code: '42883', message: 'function set_vt_batch(unknown) does not exist'}, always)
    expect(second).toEqual({needs: ['pgmq'], through: 'set_vt_batch'})
    work.stepped('b.sql', 1, 'create view public.batches as select * from set_vt_batch($$q$$)', second as never)
    expect(work.reason({code: '42P01', message: 'relation "public.batches" does not exist'}, always)).toEqual({
      needs: ['pgmq'],
      through: 'public.batches',
    })
    expect(work.creatorOf({kind: 'function', name: 'set_vt_batch'})).toEqual({
      file: 'b.sql',
      statementIndex: 0,
      needs: ['pgmq'],
    })
  })

  it('leaves a missing object that a later statement creates to fail as an ordering mistake', () => {
    const work = new SkippedWork()
    work.omit('postgis', 'a.sql', 0, 'create extension postgis')
    expect(work.reason({code: '42P01', message: 'relation "later" does not exist'}, always)).toBeUndefined()
    expect(work.reason({code: '23505', message: 'duplicate key'}, never)).toBeUndefined()
  })
})
