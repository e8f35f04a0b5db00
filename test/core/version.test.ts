import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  firstFreeVersionAfter,
  formatVersion,
  isTimestampVersion,
  maxVersion,
  nextVersionAfter,
  VERSION_LENGTH,
} from '../../src/core/migrations/version.js'

/** A UTC date for any year 0–9999 (Date.UTC maps years below 100 to 19xx). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, ms)
  return date
}

/** Independent oracle for the tests: a valid 14-digit version as a Date, through the Date API. */
function parseVersion(version: string): Date {
  const n = (from: number, to: number) => Number(version.slice(from, to))
  return utc(n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14))
}

describe('formatVersion', () => {
  it.each([
    {case: 'a plain date', date: utc(2025, 3, 1, 12, 0, 0), version: '20250301120000'},
    {case: 'drops milliseconds (never rounds up)', date: utc(2025, 3, 1, 12, 0, 59, 999), version: '20250301120059'},
    {case: 'pads every field', date: utc(2025, 1, 2, 3, 4, 5), version: '20250102030405'},
    {case: 'last second of a year', date: utc(2024, 12, 31, 23, 59, 59), version: '20241231235959'},
    {case: 'a leap day', date: utc(2024, 2, 29, 0, 0, 0), version: '20240229000000'},
    {case: 'a year below 1000 keeps four digits', date: utc(999, 7, 4, 1, 2, 3), version: '09990704010203'},
    {case: 'year 0', date: utc(0, 1, 1), version: '00000101000000'},
    {case: 'the largest timestamp', date: utc(9999, 12, 31, 23, 59, 59), version: '99991231235959'},
    {
      case: 'uses UTC, not the local zone',
      date: new Date('2025-06-30T23:30:00-05:00'),
      version: '20250701043000',
    },
  ])('$case', ({date, version}) => {
    expect(formatVersion(date)).toBe(version)
    expect(formatVersion(date)).toHaveLength(VERSION_LENGTH)
  })
})

describe('isTimestampVersion', () => {
  it.each([
    ['20250301120000', true],
    ['20240229235959', true],
    ['00000101000000', true],
    ['99991231235959', true],
    ['20230229000000', false], // 2023 is not a leap year
    ['19000229000000', false], // divisible by 100, not by 400
    ['20000229000000', true], // divisible by 400
    ['20250431000000', false],
    ['20251301000000', false],
    ['20250001000000', false],
    ['20250100000000', false],
    ['20250101240000', false],
    ['20250101006000', false],
    ['20250101000060', false],
    ['2025030112000', false],
    ['202503011200000', false],
    ['2025030112000a', false],
    ['', false],
  ])('%j → %s', (version, expected) => {
    expect(isTimestampVersion(version)).toBe(expected)
  })
})

describe('maxVersion', () => {
  it.each([
    {versions: [], max: undefined},
    {versions: ['20250101000000'], max: '20250101000000'},
    {versions: ['20250101000002', '20250101000009', '20250101000001'], max: '20250101000009'},
    {versions: ['20250101000000', '3'], max: '3'},
    {versions: ['020260207080006', '123'], max: '123'},
  ])('maxVersion($versions) = $max', ({versions, max}) => {
    expect(maxVersion(versions)).toBe(max)
    expect(maxVersion(new Set(versions))).toBe(max)
  })
})

describe('nextVersionAfter', () => {
  it.each([
    // Rollover of each field.
    {case: 'second', from: '20250101000000', next: '20250101000001'},
    {case: 'second 58 → 59', from: '20250101000058', next: '20250101000059'},
    {case: 'seconds roll into minutes', from: '20250101000059', next: '20250101000100'},
    {case: 'minutes roll into hours', from: '20250101005959', next: '20250101010000'},
    {case: 'hours roll into days', from: '20250101235959', next: '20250102000000'},
    {case: '31-day month rolls over', from: '20250131235959', next: '20250201000000'},
    {case: 'day 30 of a 31-day month does not roll', from: '20250130235959', next: '20250131000000'},
    {case: '30-day month rolls over', from: '20250430235959', next: '20250501000000'},
    {case: 'September has 30 days', from: '20250930235959', next: '20251001000000'},
    {case: 'November has 30 days', from: '20251130235959', next: '20251201000000'},
    {case: 'years roll over', from: '20251231235959', next: '20260101000000'},
    {case: 'year 999 rolls into 1000', from: '09991231235959', next: '10000101000000'},
    // Leap years.
    {case: 'Feb 28 of a leap year → Feb 29', from: '20240228235959', next: '20240229000000'},
    {case: 'Feb 29 → Mar 1', from: '20240229235959', next: '20240301000000'},
    {case: 'Feb 28 of a common year → Mar 1', from: '20250228235959', next: '20250301000000'},
    {case: '1900 is not a leap year', from: '19000228235959', next: '19000301000000'},
    {case: '2000 is a leap year', from: '20000228235959', next: '20000229000000'},
    {case: '2100 is not a leap year', from: '21000228235959', next: '21000301000000'},
    {case: 'year 0 is a leap year', from: '00000228235959', next: '00000229000000'},
    // Invalid 14-digit strings: the smallest valid timestamp that sorts after them.
    {case: 'Feb 30', from: '20250230000000', next: '20250301000000'},
    {case: 'Feb 29 of a common year', from: '20230229120000', next: '20230301000000'},
    {case: 'April 31', from: '20250431000000', next: '20250501000000'},
    {case: 'day 99', from: '20250199000000', next: '20250201000000'},
    {case: 'day 00', from: '20250100000000', next: '20250101000000'},
    {case: 'month 00', from: '20250000000000', next: '20250101000000'},
    {case: 'month 13', from: '20251301000000', next: '20260101000000'},
    {case: 'month 99', from: '20259999999999', next: '20260101000000'},
    {case: 'hour 24', from: '20250101240000', next: '20250102000000'},
    {case: 'hour 24 on the last day of the year', from: '20251231240000', next: '20260101000000'},
    {case: 'minute 60', from: '20250101006000', next: '20250101010000'},
    {case: 'second 60', from: '20250101000060', next: '20250101000100'},
    {case: 'second 99 at the end of a day', from: '20250101235999', next: '20250102000000'},
    {case: 'all zeros', from: '00000000000000', next: '00000101000000'},
    // Shorter digit strings: any 14-digit string they prefix sorts after them.
    {case: 'one digit', from: '0', next: '00000101000000'},
    {case: 'a small version', from: '123', next: '12300101000000'},
    {case: 'a lone year', from: '2025', next: '20250101000000'},
    {case: 'a date without a time', from: '20250101', next: '20250101000000'},
    {case: 'prefix padded into an invalid second', from: '2025123123596', next: '20260101000000'},
    {case: 'a single 3 sorts after every 2xxx version', from: '3', next: '30000101000000'},
    {case: 'a single 9 still has room after it', from: '9', next: '90000101000000'},
    // Longer digit strings: the 14-digit prefix itself sorts before them.
    {case: '15 digits', from: '202501010000001', next: '20250101000001'},
    {case: '15 digits ending a day', from: '202501012359595', next: '20250102000000'},
    {case: '15 digits ending a year', from: '202512312359599', next: '20260101000000'},
    {case: 'leading zero, 15 digits (spec §2)', from: '020260207080006', next: '02030101000000'},
    {case: '20 digits', from: '20250101000000999999', next: '20250101000001'},
    // Near the top.
    {case: 'second to last', from: '99991231235958', next: '99991231235959'},
    {case: 'short prefix of the last version', from: '9999123123595', next: '99991231235950'},
  ])('$case: $from → $next', ({from, next}) => {
    expect(nextVersionAfter(from)).toBe(next)
    expect(isTimestampVersion(nextVersionAfter(from))).toBe(true)
    expect(nextVersionAfter(from) > from).toBe(true)
  })

  it.each(['99991231235959', '99991231235960', '99999999999999', '999912312359590', '99999', '999913'])(
    'throws a RangeError when no timestamp sorts after %s',
    (version) => {
      expect(() => nextVersionAfter(version)).toThrow(RangeError)
    },
  )

  it('agrees with Date arithmetic on every valid timestamp (property)', () => {
    const date = fc.date({min: utc(0, 1, 1), max: utc(9999, 12, 31, 23, 59, 58), noInvalidDate: true})
    fc.assert(
      fc.property(date, (d) => {
        const version = formatVersion(d)
        expect(nextVersionAfter(version)).toBe(formatVersion(new Date(parseVersion(version).getTime() + 1000)))
      }),
      {numRuns: 2000},
    )
  })

  it('returns the smallest valid timestamp sorting after any digit string (property)', () => {
    const validVersion = fc
      .date({min: utc(0, 1, 1), max: utc(9999, 12, 31, 23, 59, 59), noInvalidDate: true})
      .map(formatVersion)
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(...'0123456789'), {minLength: min, maxLength: max}).map((d) => d.join(''))
    const input = fc.oneof(
      digits(1, 20),
      digits(14, 14),
      validVersion,
      fc.tuple(validVersion, digits(1, 6)).map(([v, extra]) => v + extra),
      fc.tuple(validVersion, fc.integer({min: 1, max: 13})).map(([v, n]) => v.slice(0, n)),
      // A valid prefix with one field's digits pushed out of range.
      fc
        .tuple(validVersion, fc.integer({min: 4, max: 13}), fc.constantFrom('3', '6', '9'))
        .map(([v, i, d]) => v.slice(0, i) + d + v.slice(i + 1)),
    )
    fc.assert(
      fc.property(input, (version) => {
        if (version >= '99991231235959') {
          expect(() => nextVersionAfter(version)).toThrow(RangeError)
          return
        }
        const next = nextVersionAfter(version)
        expect(isTimestampVersion(next)).toBe(true)
        expect(next > version).toBe(true)
        // Nothing valid in between: the timestamp one second before `next` does not sort after `version`.
        if (next !== '00000101000000') {
          const previous = formatVersion(new Date(parseVersion(next).getTime() - 1000))
          expect(previous <= version).toBe(true)
        }
      }),
      {numRuns: 5000},
    )
  })
})

describe('firstFreeVersionAfter', () => {
  const minute = (prefix: string) => Array.from({length: 60}, (_, s) => prefix + String(s).padStart(2, '0'))

  it.each([
    {case: 'nothing taken', after: '20250101115959', taken: [], free: '20250101120000'},
    {case: 'the next second taken', after: '20250101115959', taken: ['20250101120000'], free: '20250101120001'},
    {
      case: 'a whole minute taken',
      after: '20250101115959',
      taken: minute('202501011200'),
      free: '20250101120100',
    },
    {
      case: 'a whole minute taken across midnight on New Year',
      after: '20251231235959',
      taken: minute('202601010000'),
      free: '20260101000100',
    },
    {
      case: 'gaps are not filled backwards',
      after: '20250101120030',
      taken: ['20250101120031', '20250101120032', '20250101120010'],
      free: '20250101120033',
    },
    {case: 'after an invalid version', after: '20250230000000', taken: ['20250301000000'], free: '20250301000001'},
  ])('$case', ({after, taken, free}) => {
    const set = new Set(taken)
    const asked: string[] = []
    const result = firstFreeVersionAfter(after, (v) => {
      asked.push(v)
      return set.has(v)
    })
    expect(result).toBe(free)
    // It asks about consecutive candidates only, never about `after` itself.
    expect(asked.at(-1)).toBe(free)
    expect(asked).not.toContain(after)
  })

  it('throws when every remaining version is taken', () => {
    expect(() => firstFreeVersionAfter('99991231235957', () => true)).toThrow(RangeError)
  })
})
