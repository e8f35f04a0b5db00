import {describe, expect, it} from 'vitest'
import {
  decideBatch,
  decideReservation,
  defaultProjectKey,
  type Holder,
  judgePending,
  queue,
  type Reservation,
  registryConflicts,
  reservationsOvertaken,
} from '../../src/core/registry/registry.js'

const now = new Date('2026-03-01T12:00:00Z')
const ana: Holder = {user: 'ana', host: 'laptop', pid: 1, branch: 'feat/a', clone: 'aaaaaaaaaaaaaaaa'}
const bo: Holder = {user: 'bo', host: 'ci-7', pid: 2, clone: 'bbbbbbbbbbbbbbbb'}

function record(version: string, name: string, state: Reservation['state'] = 'reserved', by = ana): Reservation {
  return {version, name, state, by, at: '2026-03-01T11:00:00.000Z'}
}

const migration = (file: string) => {
  const [version, ...rest] = file.replace(/\.sql$/, '').split('_')
  return {file, version: version as string, name: rest.join('_')}
}

describe('decideReservation', () => {
  it.each([
    {
      case: 'an empty registry gives the requested version',
      request: {version: '20260301120000', mode: 'at-or-after' as const},
      facts: {},
      expected: {outcome: 'reserved', version: '20260301120000', write: true},
    },
    {
      case: 'one second past the registry maximum when that is later',
      request: {version: '20260301120000', mode: 'at-or-after' as const},
      facts: {max: '20260301120005'},
      expected: {outcome: 'reserved', version: '20260301120006', write: true},
    },
    {
      case: 'the requested version when the registry maximum is earlier',
      request: {version: '20260301120000', mode: 'at-or-after' as const},
      facts: {max: '20260101000000'},
      expected: {outcome: 'reserved', version: '20260301120000', write: true},
    },
    {
      case: 'past a released maximum too: released versions are never handed out again',
      request: {version: '20260301120000', mode: 'at-or-after' as const},
      facts: {max: '20260301120000'},
      expected: {outcome: 'reserved', version: '20260301120001', write: true},
    },
    {
      case: 'exactly: a free version',
      request: {version: '20260301120000', mode: 'exactly' as const},
      facts: {max: '20260302000000'},
      expected: {outcome: 'reserved', version: '20260301120000', write: true},
    },
    {
      case: 'exactly: already reserved for the same migration, nothing to write',
      request: {version: '20260301120000', mode: 'exactly' as const},
      facts: {atVersion: record('20260301120000', 'add_users')},
      expected: {outcome: 'reserved', version: '20260301120000', write: false},
    },
    {
      case: 'exactly: held for another migration',
      request: {version: '20260301120000', mode: 'exactly' as const},
      facts: {atVersion: record('20260301120000', 'other', 'reserved', bo)},
      expected: {outcome: 'held', version: '20260301120000', write: false},
    },
    {
      case: 'exactly: a released version may be taken',
      request: {version: '20260301120000', mode: 'exactly' as const},
      facts: {atVersion: record('20260301120000', 'other', 'released', bo)},
      expected: {outcome: 'reserved', version: '20260301120000', write: true},
    },
  ])('$case', ({request, facts, expected}) => {
    const decision = decideReservation({...request, name: 'add_users', by: ana}, facts, now)
    expect({outcome: decision.outcome, version: decision.reservation.version, write: decision.write}).toEqual(expected)
  })

  it('records who and when, never SQL', () => {
    const {reservation} = decideReservation(
      {name: 'x', version: '20260301120000', mode: 'at-or-after', by: bo},
      {},
      now,
    )
    expect(reservation).toEqual({
      version: '20260301120000',
      name: 'x',
      state: 'reserved',
      by: bo,
      at: '2026-03-01T12:00:00.000Z',
      // Pending until its file is written: the lease says until when its holder may take.
      lease: {expires: '2026-03-01T12:10:00.000Z'},
    })
    const linked = decideReservation(
      {name: 'x', version: '20260301120000', mode: 'exactly', by: bo, linked: true},
      {},
      now,
    )
    expect(linked.reservation.lease).toBeUndefined()
  })
})

describe('decideBatch', () => {
  it('gives each request of a batch its own version past the maximum, and confirms pending records', () => {
    const pending = {...record('20260301120005', 'written'), lease: {expires: '2026-03-01T12:10:00.000Z'}}
    const batch = decideBatch(
      [
        {name: 'a', version: '20260301120000', mode: 'at-or-after', by: ana},
        {name: 'b', version: '20260301120000', mode: 'at-or-after', by: bo},
      ],
      ['20260301120005', '20990101000000'],
      new Map([[pending.version, pending]]),
      '20260301120005',
      now,
    )
    expect(batch.outcomes.map((o) => [o.reservation.version, o.reservation.name, o.reservation.by.user])).toEqual([
      ['20260301120006', 'a', 'ana'],
      ['20260301120007', 'b', 'bo'],
    ])
    expect(batch.writes.map((r) => [r.version, 'lease' in r])).toEqual([
      ['20260301120006', true],
      ['20260301120007', true],
      ['20260301120005', false],
    ])
  })
})

describe('judgePending', () => {
  const lease = (expires: string) => ({lease: {expires}})
  const later = '2026-03-01T12:10:00.000Z'
  const earlier = '2026-03-01T11:59:00.000Z'
  const here = {...ana, host: 'here', pid: 100}
  const records: Reservation[] = [
    {...record('20260301000001', 'mine_written', 'reserved', here), ...lease(later)},
    {...record('20260301000002', 'mine_killed', 'reserved', {...here, pid: 101}), ...lease(later)},
    {...record('20260301000003', 'mine_in_flight', 'reserved', {...here, pid: 102}), ...lease(later)},
    {...record('20260301000004', 'other_host', 'reserved', bo), ...lease(later)},
    {...record('20260301000005', 'other_host_expired', 'reserved', bo), ...lease(earlier)},
    record('20260301000006', 'confirmed', 'reserved', bo),
    {...record('20260301000007', 'released', 'released', bo), ...lease(earlier)},
  ]
  it('confirms this clone’s written files, releases dead holders and expired leases, keeps what is in flight', () => {
    const judged = judgePending(records, {
      now,
      host: 'here',
      clone: here.clone,
      alive: (pid) => pid === 102,
      hasFile: (version) => version === '20260301000001',
    })
    expect(judged.confirm.map((r) => r.name)).toEqual(['mine_written'])
    expect(judged.leaked.map((l) => [l.reservation.name, l.reason])).toEqual([
      ['mine_killed', 'holder-gone'],
      ['other_host_expired', 'lease-expired'],
    ])
  })
})

describe('registryConflicts', () => {
  it('flags a local file whose version the registry holds for another name, and nothing else', () => {
    const records = [
      record('20260301000001', 'from_a', 'reserved', ana),
      record('20260301000002', 'same', 'reserved', ana),
      record('20260301000003', 'gone', 'released', ana),
    ]
    const local = ['20260301000001_from_b.sql', '20260301000002_same.sql', '20260301000003_mine.sql'].map(migration)
    expect(registryConflicts(local, records)).toEqual([
      {file: '20260301000001_from_b.sql', version: '20260301000001', holder: records[0]},
    ])
  })
})

describe('queue and push warnings', () => {
  const records = [
    record('20260301000003', 'c', 'reserved', bo),
    record('20260301000001', 'a', 'applied', ana),
    record('20260301000002', 'b', 'released', bo),
    record('20260301000004', 'd', 'reserved', ana),
  ]

  it('lists pending reservations oldest first; --all adds the rest', () => {
    expect(queue(records).map((r) => r.version)).toEqual(['20260301000003', '20260301000004'])
    expect(queue(records, true).map((r) => r.version)).toEqual([
      '20260301000001',
      '20260301000002',
      '20260301000003',
      '20260301000004',
    ])
  })

  it("warns about other clones' reservations sorting before the newest pushed version, not about local files", () => {
    expect(reservationsOvertaken(records, ['20260301000005'], new Set(), ana.clone).map((r) => r.version)).toEqual([
      '20260301000003',
    ])
    expect(reservationsOvertaken(records, ['20260301000005'], new Set(['20260301000003']), ana.clone)).toEqual([])
    expect(reservationsOvertaken(records, ['20260301000002'], new Set(), ana.clone)).toEqual([])
  })
})

describe('defaultProjectKey', () => {
  it.each([
    ['git@github.com:acme/app.git', '', 'github.com/acme/app'],
    ['https://user:token@github.com/acme/app', '', 'github.com/acme/app'],
    ['ssh://git@github.com/acme/app.git/', '', 'github.com/acme/app'],
    ['/srv/git/app.git', 'services/db', '/srv/git/app#services/db'],
  ])('%s in %j → %s', (url, rel, key) => {
    expect(defaultProjectKey(url, rel)).toBe(key)
  })
})
