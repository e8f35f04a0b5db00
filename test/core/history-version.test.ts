import {describe, expect, it} from 'vitest'
import {
  assertHistoryVersions,
  BadHistoryVersionError,
  isHistoryVersion,
  MAX_HISTORY_VERSION_DIGITS,
} from '../../src/core/migrations/history-version.js'

describe('versions read from a history', () => {
  it.each(['20260101000000', '20250117', '0', '020260207080006', '1'.repeat(MAX_HISTORY_VERSION_DIGITS)])(
    'accepts %s (digits, as supabase reads a file name)',
    (version) => expect(isHistoryVersion(version)).toBe(true),
  )

  it.each([
    '',
    '../../../x',
    '/tmp/x',
    '20260101000000/../../y',
    '2026 0101',
    '20260101000000\n',
    '\u0661\u0662',
    '1'.repeat(MAX_HISTORY_VERSION_DIGITS + 1),
  ])('refuses %j', (version) => expect(isHistoryVersion(version)).toBe(false))

  it('refuses a whole history for one bad row, naming it escaped and saying what to do, exit 5', () => {
    const rows = [{version: '20260101000000'}, {version: '../\u001b[2Jx', name: 'evil'}]
    let thrown: unknown
    try {
      assertHistoryVersions(rows, 'postgresql://u:***@h/db')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BadHistoryVersionError)
    const error = thrown as BadHistoryVersionError
    expect(error.exitCode).toBe(5)
    expect(error.code).toBe('EHISTORYVERSION')
    expect(error.message).toContain(
      'postgresql://u:***@h/db has a history row whose version "../\\u001b[2Jx" (name "evil")',
    )
    expect(error.message).toContain('Delete or correct that row')
    expect(error.message).not.toContain('\u001b')
    expect(error.message).not.toContain('\n')
  })

  it('returns good rows unchanged', () => {
    const rows = [{version: '20260101000000', name: 'a'}]
    expect(assertHistoryVersions(rows, 'x')).toEqual(rows)
  })
})
