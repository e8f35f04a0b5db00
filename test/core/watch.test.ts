import {describe, expect, it} from 'vitest'
import type {Rename} from '../../src/core/migrations/rename-plan.js'
import {Arrivals, PRESENT_AT_START} from '../../src/core/watch/watch.js'

const move = (from: string, to: string): Rename => ({from, to, reason: 'duplicate-version'})

describe('Arrivals', () => {
  it('counts files present at start as complete and seen first; birth times decide among them until the first pass', () => {
    const arrivals = new Arrivals()
    arrivals.presentAtStart(['1_a.sql', '1_b.sql'])
    arrivals.noticed('1_c.sql', 500)
    expect(arrivals.firstSeen({startFilesFirst: false})).toEqual(new Map([['1_c.sql', 500]]))
    expect(arrivals.firstSeen({startFilesFirst: true})).toEqual(
      new Map([
        ['1_a.sql', PRESENT_AT_START],
        ['1_b.sql', PRESENT_AT_START],
        ['1_c.sql', 500],
      ]),
    )
    expect(arrivals.movableNow([move('1_a.sql', '2_a.sql'), move('1_c.sql', '3_c.sql')])).toEqual([
      move('1_a.sql', '2_a.sql'),
    ])
  })

  it('keeps the first notice of a name, and moves a file only once the watcher reports it complete', () => {
    const arrivals = new Arrivals()
    arrivals.noticed('1_x.sql', 100)
    arrivals.noticed('1_x.sql', 150)
    expect(arrivals.movableNow([move('1_x.sql', '2_x.sql')])).toEqual([])
    expect(arrivals.completed('1_x.sql', 210)).toBe(true)
    expect(arrivals.firstSeen({startFilesFirst: true}).get('1_x.sql')).toBe(100)
    expect(arrivals.movableNow([move('1_x.sql', '2_x.sql')])).toEqual([move('1_x.sql', '2_x.sql')])
  })

  it('treats the add of its own rename as an echo that starts no pass, and the new name keeps the first sighting', () => {
    const arrivals = new Arrivals()
    arrivals.completed('1_x.sql', 100)
    arrivals.renamed('1_x.sql', '2_x.sql')
    expect(arrivals.firstSeen({startFilesFirst: true})).toEqual(new Map([['2_x.sql', 100]]))
    expect(arrivals.completed('2_x.sql', 300)).toBe(false)
    // A later add of the same name is someone else's file again.
    arrivals.removed('2_x.sql')
    expect(arrivals.completed('2_x.sql', 400)).toBe(true)
    expect(arrivals.firstSeen({startFilesFirst: true}).get('2_x.sql')).toBe(400)
  })

  it('forgets sightings of files that vanished before completing, but not of files seen after the listing', () => {
    const arrivals = new Arrivals()
    arrivals.presentAtStart(['1_kept.sql'])
    arrivals.noticed('1_gone.sql', 100)
    arrivals.noticed('1_late.sql', 300)
    arrivals.forgetVanished(new Set(['1_kept.sql']), 200)
    expect([...arrivals.firstSeen({startFilesFirst: true}).keys()].sort()).toEqual(['1_kept.sql', '1_late.sql'])
  })
})

describe('Arrivals.replaced', () => {
  it('treats the next add of a file whose content sbx replaced as an echo, once', () => {
    const arrivals = new Arrivals()
    arrivals.presentAtStart(['2_x.sql'])
    arrivals.replaced('2_x.sql')
    expect(arrivals.completed('2_x.sql', 100)).toBe(false)
    expect(arrivals.completed('2_x.sql', 200)).toBe(true)
  })
})
