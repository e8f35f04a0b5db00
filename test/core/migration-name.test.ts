import {describe, expect, it} from 'vitest'
import {ExitCode, UsageError} from '../../src/core/errors.js'
import {MAX_NAME_BYTES, normalizeMigrationName} from '../../src/core/migrations/migration-name.js'

function refusal(input: string): UsageError {
  try {
    normalizeMigrationName(input)
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`)
}

describe('normalizeMigrationName', () => {
  it.each([
    {input: 'add_users', name: 'add_users'},
    {input: 'add users', name: 'add_users'},
    {input: 'add-users', name: 'add_users'},
    {input: 'add - users', name: 'add_users'},
    {input: 'add   users', name: 'add_users'},
    {input: '  add users  ', name: 'add_users'},
    {input: 'add--users', name: 'add_users'},
    {input: 'a\u00a0b', name: 'a_b'}, // no-break space is whitespace too
    {input: 'a\u2028b', name: 'a_b'}, // a line separator would make supabase skip the file
    {input: 'a\u3000b', name: 'a_b'},
    {input: 'a__b', name: 'a__b'},
    {input: 'AddUsers', name: 'AddUsers'},
    {input: 'café', name: 'café'},
    {input: '用户表', name: '用户表'},
    {input: 'add 😀', name: 'add_😀'},
    {input: 'a;*?', name: 'a;*?'},
    {input: 'v1.2', name: 'v1.2'},
    {input: '.', name: '.'},
    {input: '-', name: '_'},
    {input: '_', name: '_'},
    {input: 'init', name: 'init'},
    {input: 'a'.repeat(MAX_NAME_BYTES), name: 'a'.repeat(MAX_NAME_BYTES)},
    {input: 'é'.repeat(MAX_NAME_BYTES / 2), name: 'é'.repeat(MAX_NAME_BYTES / 2)},
    {input: `  ${'a'.repeat(MAX_NAME_BYTES)}  `, name: 'a'.repeat(MAX_NAME_BYTES)},
  ])('$input → $name', ({input, name}) => {
    expect(normalizeMigrationName(input)).toBe(name)
  })

  it.each([
    {case: 'empty', input: ''},
    {case: 'only spaces', input: '   '},
    {case: 'only a BOM', input: '\ufeff'},
    {case: 'a slash', input: '/'},
    {case: 'a backslash', input: '\\'},
    {case: 'a parent folder', input: '..'},
    {case: 'an escape with /', input: '../x'},
    {case: 'an escape with \\', input: '..\\x'},
    {case: 'a subfolder', input: 'a/b'},
    {case: 'a Windows subfolder', input: 'a\\b'},
    {case: 'an absolute path', input: '/etc/passwd'},
    {case: '.. inside a word', input: 'a..b'},
    {case: 'NUL', input: 'a\0b'},
    {case: 'a tab', input: 'a\tb'},
    {case: 'a newline', input: 'a\nb'},
    {case: 'a carriage return', input: 'a\rb'},
    {case: 'a trailing newline', input: 'add users\n'},
    {case: 'escape (0x1b)', input: 'a\u001bb'},
    {case: 'DEL (0x7f)', input: 'a\u007fb'},
    {case: 'a C1 control (0x85)', input: 'a\u0085b'},
    // Not valid UTF-16: the file on disk would get U+FFFD instead, and the reported path would not exist.
    {case: 'a lone high surrogate', input: 'a\ud800b'},
    {case: 'a lone low surrogate', input: 'a\udfffb'},
    {case: 'a surrogate pair in the wrong order', input: '\ude00\ud83d'},
    {case: '201 bytes', input: 'a'.repeat(MAX_NAME_BYTES + 1)},
    {case: '300 bytes', input: 'x'.repeat(300)},
    {case: '202 bytes of two-byte characters', input: 'é'.repeat(MAX_NAME_BYTES / 2 + 1)},
    {case: '204 bytes of four-byte characters', input: '😀'.repeat(51)},
  ])('refuses $case with a usage error (exit 2)', ({input}) => {
    const error = refusal(input)
    expect(error.exitCode).toBe(ExitCode.Usage)
    expect(error.code).toBe('EBADNAME')
    expect(error.message).not.toBe('')
  })

  it('counts bytes after normalising, so runs of spaces do not count against the limit', () => {
    expect(normalizeMigrationName(`a${' '.repeat(400)}b`)).toBe('a_b')
  })

  it.each([
    {input: '', says: 'empty'},
    {input: 'a/b', says: 'path separator'},
    {input: '..', says: '".."'},
    {input: 'a\0b', says: 'control character'},
    {input: 'x'.repeat(300), says: '300 bytes'},
  ])('the message for $input says what is wrong ($says)', ({input, says}) => {
    expect(refusal(input).message).toContain(says)
  })
})
