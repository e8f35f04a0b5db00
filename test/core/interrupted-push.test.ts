import {describe, expect, it} from 'vitest'
import {type JournalEntry, judgeInterruptedPushes} from '../../src/core/push/interrupted-push.js'

const entry: JournalEntry = {
  run: 'r1',
  files: ['1_a.sql', '2_self.sql', '3_c.sql'],
  autocommit: ['2_self.sql'],
  sha256: ['ha', 'hself', 'hc'],
  startedBy: 'ana@ci pid 7',
  startedAt: '2026-01-01T00:00:00.000Z',
}

describe('what a stopped push left partly committed', () => {
  it('the first unrecorded file, self-committing, still pending unchanged: interrupted', () => {
    const verdict = judgeInterruptedPushes({
      entries: [entry],
      applied: new Set(['1']),
      pending: new Map([
        ['2_self.sql', 'hself'],
        ['3_c.sql', 'hc'],
      ]),
    })
    expect(verdict).toEqual({
      interrupted: [
        {
          file: '2_self.sql',
          version: '2',
          pending: '2_self.sql',
          run: 'r1',
          startedBy: 'ana@ci pid 7',
          startedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
      resolved: [],
    })
  })

  it('found by content when it was renamed since', () => {
    const verdict = judgeInterruptedPushes({
      entries: [entry],
      applied: new Set(['1']),
      pending: new Map([['5_self.sql', 'hself']]),
    })
    expect(verdict.interrupted.map((i) => i.pending)).toEqual(['5_self.sql'])
  })

  it.each([
    ['the file in flight is one transaction with its row', new Set<string>(), new Map([['1_a.sql', 'ha']])],
    ['every file got its row', new Set(['1', '2', '3']), new Map<string, string>()],
    ['the file was edited since', new Set(['1']), new Map([['2_self.sql', 'edited']])],
    ['the file was recorded applied (repair)', new Set(['1', '2']), new Map([['3_c.sql', 'hc']])],
  ])('resolved: %s', (_, applied, pending) => {
    expect(judgeInterruptedPushes({entries: [entry], applied, pending})).toEqual({interrupted: [], resolved: ['r1']})
  })
})
