import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config.js'
import {SbxError} from '../../src/core/errors.js'
import {globMatches, withIntendedSkips} from '../../src/core/migrations/check-config.js'

describe('[check] ignore', () => {
  it.each([
    {pattern: 'local_*.sql', name: 'local_20240107152745_ollama.sql', matches: true},
    {pattern: 'local_*.sql', name: '20240107152745_local.sql', matches: false},
    {pattern: 'seed?.sql', name: 'seed1.sql', matches: true},
    {pattern: 'a.b(c)+.sql', name: 'a.b(c)+.sql', matches: true},
    {pattern: 'a.b(c)+.sql', name: 'aab(c)+.sql', matches: false},
  ])('$pattern ~ $name: $matches', ({pattern, name, matches}) => {
    expect(globMatches(pattern, name)).toBe(matches)
  })

  it('marks matching skipped files intended and not blocking; others and unreadable names stay as they are', () => {
    const folder = {
      skipped: [
        {file: 'local_1_x.sql', reason: 'supabase skips it', blocking: true},
        {file: 'other.sql', reason: 'supabase skips it', blocking: true},
        {file: 'local_\\xe9.sql', reason: 'not UTF-8', blocking: true, unreadableName: true},
      ],
    }
    expect(withIntendedSkips(folder, ['local_*.sql']).skipped).toEqual([
      {file: 'local_1_x.sql', reason: 'supabase skips it', blocking: false, intended: true},
      {file: 'other.sql', reason: 'supabase skips it', blocking: true},
      {file: 'local_\\xe9.sql', reason: 'not UTF-8', blocking: true, unreadableName: true},
    ])
  })

  it('is read from supabase/sbx.toml, as a list or comma-separated from the environment; other keys are refused', () => {
    expect(parseConfig({text: '[check]\nignore = ["local_*.sql"]\n', env: {}}).check).toEqual({ignore: ['local_*.sql']})
    expect(parseConfig({env: {SBX_CHECK_IGNORE: 'a*.sql, b*.sql'}}).check).toEqual({ignore: ['a*.sql', 'b*.sql']})
    expect(() => parseConfig({text: '[check]\nignored = []\n', env: {}})).toThrow(SbxError)
  })
})
