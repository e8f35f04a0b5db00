import {describe, expect, it} from 'vitest'
import type {AuditEntry} from '../../src/core/migrations/audit.js'
import {planRepair, squashRecords} from '../../src/core/squash/squash-repair.js'

const by = {user: 'u', host: 'h', pid: 1, command: 'sbx squash'}
const line = (from: string, to: string, at = '2026-01-01T00:00:00.000Z'): AuditEntry => ({
  at,
  from,
  to,
  reason: 'squashed',
  sha256: 'x',
  by,
})
const squash = (versions: string[], at?: string) =>
  versions.map((v) => line(`${v}_f${v}.sql`, `${versions.at(-1)}_f${versions.at(-1)}.sql`, at))

describe('squashRecords', () => {
  it('groups one squash by its time and file, ignoring other reasons', () => {
    const entries = [...squash(['1', '2', '3']), {...line('9_x.sql', '10_x.sql'), reason: 'duplicate-version' as const}]
    expect(squashRecords(entries)).toEqual([
      {
        at: '2026-01-01T00:00:00.000Z',
        target: '3_f3.sql',
        version: '3',
        files: ['1_f1.sql', '2_f2.sql', '3_f3.sql'],
        versions: ['1', '2', '3'],
      },
    ])
  })
})

describe('planRepair', () => {
  const records = squashRecords(squash(['1', '2', '3']))
  const local = new Set(['3_f3.sql', '4_f4.sql'])
  it.each([
    {case: 'a fresh database: nothing', applied: [], plan: {kind: 'none'}},
    {case: 'the squashed row already: nothing', applied: ['3'], plan: {kind: 'none'}},
    {case: 'a database pushed after the squash, then more', applied: ['3', '4'], plan: {kind: 'none'}},
    {
      case: 'every original: their rows become the squash row',
      applied: ['1', '2', '3', '4'],
      plan: {
        kind: 'repair',
        rows: [{file: '3_f3.sql', version: '3', replaces: ['1', '2', '3']}],
        remove: ['1', '2', '3'],
      },
    },
  ])('$case', ({applied, plan}) => {
    expect(planRepair(records, new Set(applied), local)).toEqual(plan)
  })

  it('part of the range: partial, naming what is applied and missing', () => {
    expect(planRepair(records, new Set(['1', '2']), local)).toMatchObject({
      kind: 'partial',
      applied: ['1', '2'],
      missing: ['3'],
    })
    expect(planRepair(records, new Set(['1']), local)).toMatchObject({kind: 'partial', missing: ['2', '3']})
  })

  it('follows a squash of a squashed file', () => {
    const chain = squashRecords([
      ...squash(['1', '2', '3'], '2026-01-01T00:00:00.000Z'),
      line('3_f3.sql', '5_f5.sql', '2026-02-01T00:00:00.000Z'),
      line('4_f4.sql', '5_f5.sql', '2026-02-01T00:00:00.000Z'),
      line('5_f5.sql', '5_f5.sql', '2026-02-01T00:00:00.000Z'),
    ])
    const files = new Set(['5_f5.sql'])
    expect(planRepair(chain, new Set(['1', '2', '3', '4', '5']), files)).toEqual({
      kind: 'repair',
      rows: [{file: '5_f5.sql', version: '5', replaces: ['1', '2', '3', '4', '5']}],
      remove: ['1', '2', '3', '4', '5'],
    })
    expect(planRepair(chain, new Set(['3', '4', '5']), files)).toMatchObject({kind: 'repair', remove: ['3', '4', '5']})
  })

  it('a squash whose file is not here (not merged, or undone) repairs nothing', () => {
    expect(planRepair(records, new Set(['1', '2', '3']), new Set(['1_f1.sql', '2_f2.sql']))).toEqual({kind: 'none'})
  })
})
