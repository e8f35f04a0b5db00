import {describe, expect, it} from 'vitest'
import {Forwarding, mergeFollowUp} from '../../src/core/watch/follow-up.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array) => new TextDecoder().decode(data)

describe('mergeFollowUp', () => {
  it.each([
    {
      case: 'appends a fresh part that does not begin with what is there',
      current: 'select 1;\n',
      incoming: 'select 2;\n',
      movedIn: false,
      reason: 'appended-after-rename',
      result: 'select 1;\nselect 2;\n',
    },
    {
      case: 'takes the SQL written to an empty migration as its content (supabase migration new, then a write)',
      current: '',
      incoming: 'create table x (id int);\n',
      movedIn: false,
      reason: 'rewritten-after-rename',
      result: 'create table x (id int);\n',
    },
    {
      case: 'takes a rewrite that begins with what was there as the new content, not doubled',
      current: 'create table a (id int);\n',
      incoming: 'create table a (id int);\ncreate index on a (id);\n',
      movedIn: false,
      reason: 'rewritten-after-rename',
      result: 'create table a (id int);\ncreate index on a (id);\n',
    },
    {
      case: 'takes the same content written again as a rewrite: nothing doubled',
      current: 'select 1;\n',
      incoming: 'select 1;\n',
      movedIn: false,
      reason: 'rewritten-after-rename',
      result: 'select 1;\n',
    },
    {
      case: 'takes a file moved in whole (an atomic save) as the new content, whatever it begins with',
      current: 'select 1;\n',
      incoming: 'select 99;\n',
      movedIn: true,
      reason: 'rewritten-after-rename',
      result: 'select 99;\n',
    },
    {
      case: 'the documented limit: a truncate-and-rewrite with different content is taken as an append',
      current: 'select 1;\n',
      incoming: 'select 42;\n',
      movedIn: false,
      reason: 'appended-after-rename',
      result: 'select 1;\nselect 42;\n',
    },
    {
      case: 'an empty fresh file adds nothing',
      current: 'select 1;\n',
      incoming: '',
      movedIn: false,
      reason: 'appended-after-rename',
      result: 'select 1;\n',
    },
  ])('$case', ({current, incoming, movedIn, reason, result}) => {
    const merged = mergeFollowUp(bytes(current), bytes(incoming), {movedIn})
    expect({reason: merged.reason, result: text(merged.content)}).toEqual({reason, result})
  })

  it('takes only the bytes past what an earlier merge of the same file took', () => {
    const merged = mergeFollowUp(bytes('select 1;\nselect 2;\n'), bytes('select 2;\nselect 3;\n'), {
      movedIn: false,
      merged: {bytes: 'select 2;\n'.length, reason: 'appended-after-rename'},
    })
    expect(text(merged.content)).toBe('select 1;\nselect 2;\nselect 3;\n')
  })

  it('keeps arbitrary bytes exact', () => {
    const current = Uint8Array.from([0, 255, 10])
    const incoming = Uint8Array.from([200, 0, 13, 10])
    expect([...mergeFollowUp(current, incoming, {movedIn: false}).content]).toEqual([0, 255, 10, 200, 0, 13, 10])
  })
})

describe('Forwarding', () => {
  it('forwards an old name to where its migration is now, through a second rename', () => {
    const forwarding = new Forwarding()
    forwarding.renamed('1_a.sql', '2_a.sql', 'h1')
    forwarding.renamed('2_a.sql', '5_a.sql', 'h1')
    expect(forwarding.get('1_a.sql')).toEqual({current: '5_a.sql', sha256: 'h1'})
    expect(forwarding.get('2_a.sql')).toEqual({current: '5_a.sql', sha256: 'h1'})
    expect(forwarding.oldNamesOf('5_a.sql')).toEqual(['1_a.sql', '2_a.sql'])
    expect(forwarding.isCurrent('5_a.sql')).toBe(true)
    expect(forwarding.isCurrent('2_a.sql')).toBe(false)
  })

  it('records the latest content hash for every old name of a migration', () => {
    const forwarding = new Forwarding()
    forwarding.renamed('1_a.sql', '2_a.sql', 'h1')
    forwarding.recorded('2_a.sql', 'h2')
    expect(forwarding.get('1_a.sql')?.sha256).toBe('h2')
  })

  it('remembers a partly merged file until it is consumed, and forgets names on request', () => {
    const forwarding = new Forwarding()
    forwarding.renamed('1_a.sql', '2_a.sql', 'h1')
    forwarding.partlyMerged('1_a.sql', {ino: 7, bytes: 3, reason: 'appended-after-rename'})
    expect(forwarding.get('1_a.sql')?.merged).toEqual({ino: 7, bytes: 3, reason: 'appended-after-rename'})
    forwarding.consumed('1_a.sql')
    expect(forwarding.get('1_a.sql')?.merged).toBeUndefined()
    forwarding.forget('1_a.sql')
    expect(forwarding.get('1_a.sql')).toBeUndefined()
  })

  it('stops treating a name as old once a file is moved to it', () => {
    const forwarding = new Forwarding()
    forwarding.renamed('1_a.sql', '2_a.sql', 'h1')
    forwarding.renamed('3_b.sql', '1_a.sql', 'h2')
    expect(forwarding.get('1_a.sql')).toBeUndefined()
  })
})
