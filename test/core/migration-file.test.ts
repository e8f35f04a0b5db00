import {describe, expect, it} from 'vitest'
import {
  classifyEntries,
  compareApplyOrder,
  compareFileNames,
  type DirEntry,
  escapeNameBytes,
  migrationFileName,
  parseMigrationFile,
} from '../../src/core/migrations/migration-file.js'

const file = (name: string): DirEntry => ({name, isDirectory: false})
const folder = (name: string): DirEntry => ({name, isDirectory: true})

describe('parseMigrationFile', () => {
  it.each([
    {file: '20250101000000_add_users.sql', version: '20250101000000', name: 'add_users'},
    {file: '123_x.sql', version: '123', name: 'x'},
    {file: '0_zero.sql', version: '0', name: 'zero'},
    {file: '020260207080006_lead.sql', version: '020260207080006', name: 'lead'},
    {file: '20260207080004_.sql', version: '20260207080004', name: ''},
    {file: '20260207080005_a_b.c.sql', version: '20260207080005', name: 'a_b.c'},
    {file: '20260207080005_x.sql.sql', version: '20260207080005', name: 'x.sql'},
    {file: '20260207080005_café 😀;*?.sql', version: '20260207080005', name: 'café 😀;*?'},
  ])('$file → version $version, name "$name"', ({file, version, name}) => {
    expect(parseMigrationFile(file)).toEqual({file, version, name})
    expect(migrationFileName(version, name)).toBe(file)
  })

  it.each([
    '20260207080000.sql',
    'x.sql',
    '.hidden.sql',
    '_x.sql',
    '20260207080000_x.SQL',
    '20260207080000_x.sql.bak',
    '20260207080000_x.sql ',
    ' 20260207080000_x.sql',
    '2026020708000a_x.sql',
    'README.md',
    '',
    // supabase's pattern has no `s` flag: `.` stops at line terminators, so it skips these.
    '20260207080000_a\nb.sql',
    '20260207080000_a\rb.sql',
    '20260207080000_a\u2028b.sql',
    '20260207080000_x.sql\n',
  ])('%j is not a migration', (name) => {
    expect(parseMigrationFile(name)).toBeUndefined()
  })
})

describe('classifyEntries (spec §2)', () => {
  it('accepts and skips exactly the files in the spec table, in apply order', () => {
    const result = classifyEntries([
      file('README.md'),
      file('20260207080006_a_b.c.sql'),
      file('20260207080000.sql'),
      file('x.sql'),
      folder('sub'),
      file('123_x.sql'),
      file('.hidden.sql'),
      file('20260207080001_x.SQL'),
      file('0_zero.sql'),
      file('20260207080002_x.sql.bak'),
      file('020260207080006_lead.sql'),
      file('20260207080004_.sql'),
    ])

    expect(result.migrations.map((m) => m.file)).toEqual([
      '0_zero.sql',
      '020260207080006_lead.sql',
      '123_x.sql',
      '20260207080004_.sql',
      '20260207080006_a_b.c.sql',
    ])
    expect(result.migrations.map((m) => m.version)).toEqual([
      '0',
      '020260207080006',
      '123',
      '20260207080004',
      '20260207080006',
    ])
    expect(result.skipped.map(({file, blocking}) => ({file, blocking}))).toEqual([
      {file: '.hidden.sql', blocking: true},
      {file: '20260207080000.sql', blocking: true},
      {file: '20260207080001_x.SQL', blocking: true},
      {file: '20260207080002_x.sql.bak', blocking: false},
      {file: 'README.md', blocking: false},
      {file: 'sub', blocking: false},
      {file: 'x.sql', blocking: true},
    ])
    for (const skipped of result.skipped) expect(skipped.reason).not.toBe('')
  })

  it('never drops an entry: every input comes back as a migration or a skipped entry', () => {
    const names = ['b.sql', '1_a.sql', 'dir', 'z', '2_b.sql', '20200101000000_init.sql']
    const result = classifyEntries(names.map((n) => (n === 'dir' ? folder(n) : file(n))))
    const back = [...result.migrations.map((m) => m.file), ...result.skipped.map((s) => s.file)]
    expect(back.sort()).toEqual([...names].sort())
  })

  it.each([
    {
      case: 'an old init file that sorts first is skipped (and blocks)',
      entries: [file('20211208235959_init.sql'), file('20220101000000_b.sql')],
      accepted: ['20220101000000_b.sql'],
      skipped: ['20211208235959_init.sql'],
    },
    {
      case: 'an init file at the cut-off version is applied',
      entries: [file('20211209000000_init.sql'), file('20220101000000_b.sql')],
      accepted: ['20211209000000_init.sql', '20220101000000_b.sql'],
      skipped: [],
    },
    {
      case: 'an old init file that does not sort first is applied',
      entries: [file('20211208000000_init.sql'), file('20200101000000_a.sql')],
      accepted: ['20200101000000_a.sql', '20211208000000_init.sql'],
      skipped: [],
    },
    {
      case: 'only the first entry is checked, even when it is a folder (as supabase counts)',
      entries: [folder('0_dir'), file('20200101000000_init.sql')],
      accepted: ['20200101000000_init.sql'],
      skipped: ['0_dir'],
    },
    {
      case: 'the init rule is unanchored, like supabase: a longer version still matches its last 14 digits',
      entries: [file('020200101000000_init.sql'), file('20220101000000_b.sql')],
      accepted: ['20220101000000_b.sql'],
      skipped: ['020200101000000_init.sql'],
    },
    {
      case: 'a name that only contains "init" is applied',
      entries: [file('20200101000000_init_users.sql')],
      accepted: ['20200101000000_init_users.sql'],
      skipped: [],
    },
  ])('legacy init rule: $case', ({entries, accepted, skipped}) => {
    const result = classifyEntries(entries)
    expect(result.migrations.map((m) => m.file)).toEqual(accepted)
    expect(result.skipped.map((s) => s.file)).toEqual(skipped)
  })

  it('marks a skipped old init file as blocking with a reason naming "init"', () => {
    const [skipped] = classifyEntries([file('20200101000000_init.sql')]).skipped
    expect(skipped).toMatchObject({file: '20200101000000_init.sql', blocking: true})
    expect(skipped?.reason).toContain('init')
  })

  it('skips a file whose name holds a line terminator, as supabase does', () => {
    const result = classifyEntries([file('20260207080000_a\nb.sql'), file('20260207080001_ok.sql')])
    expect(result.migrations.map((m) => m.file)).toEqual(['20260207080001_ok.sql'])
    expect(result.skipped).toMatchObject([{file: '20260207080000_a\\nb.sql', blocking: true}])
  })

  it('skips a folder even when its name looks like a migration', () => {
    const result = classifyEntries([folder('20260207080000_x.sql')])
    expect(result.migrations).toEqual([])
    expect(result.skipped).toMatchObject([{file: '20260207080000_x.sql', blocking: false}])
  })
})

describe('byte-order sorting', () => {
  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF01 is EF BC 81 in UTF-8 and U+1F600 is F0 9F 98 80, but in UTF-16 the emoji's surrogate D83D
    // sorts before FF01: a plain JS sort gets this pair the other way round.
    const names = ['1_😀.sql', '1_！.sql']
    expect([...names].sort()).toEqual(['1_😀.sql', '1_！.sql'])
    expect([...names].sort(compareFileNames)).toEqual(['1_！.sql', '1_😀.sql'])
    expect(classifyEntries(names.map(file)).migrations.map((m) => m.file)).toEqual(['1_！.sql', '1_😀.sql'])
  })

  it.each([
    {names: ['b', 'a', 'B', 'A', '_', '0'], sorted: ['0', 'A', 'B', '_', 'a', 'b']},
    {names: ['é', 'z', 'e'], sorted: ['e', 'z', 'é']},
    {names: ['20250101000000_b.sql', '20250101000000_a.sql'], sorted: ['20250101000000_a.sql', '20250101000000_b.sql']},
    {
      names: ['2020_x.sql', '123_x.sql', '0_x.sql', '020_x.sql'],
      sorted: ['020_x.sql', '0_x.sql', '123_x.sql', '2020_x.sql'],
    },
  ])('$names', ({names, sorted}) => {
    expect([...names].sort(compareFileNames)).toEqual(sorted)
  })

  it('agrees with a byte comparison on names mixing ASCII, accents, U+E000–U+FFFF and emoji', () => {
    const alphabet = ['a', 'Z', '_', '0', 'é', 'ÿ', '\ue000', '！', '\uffff', '😀', '𝄞', '\ufeff']
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const names = Array.from({length: 400}, () =>
      Array.from({length: 1 + Math.floor(random() * 5)}, () => alphabet[Math.floor(random() * alphabet.length)]).join(
        '',
      ),
    )
    const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    for (let i = 1; i < names.length; i++) {
      const [a, b] = [names[i - 1] as string, names[i] as string]
      expect(Math.sign(compareFileNames(a, b)), `${a} vs ${b}`).toBe(byBytes(a, b))
    }
  })

  it('applies in a stable sort by version string, not by file name bytes (supabase 2.117 and 3.1)', () => {
    const names = [
      '2020_x.sql',
      '123_x.sql',
      '0_zero.sql',
      '020260207080006_lead.sql',
      '20251117183906_e.sql',
      '20250117000001_c.sql',
      '20251117_d.sql',
      '20250117000000_b.sql',
      '20250117_a.sql',
    ]
    const {migrations} = classifyEntries(names.map(file))
    expect(migrations.map((m) => m.file)).toEqual([
      '0_zero.sql',
      '020260207080006_lead.sql',
      '123_x.sql',
      '2020_x.sql',
      '20250117_a.sql',
      '20250117000000_b.sql',
      '20250117000001_c.sql',
      '20251117_d.sql',
      '20251117183906_e.sql',
    ])
    expect([...migrations].reverse().sort(compareApplyOrder)).toEqual(migrations)
  })

  it('orders files sharing a version by name bytes', () => {
    const {migrations} = classifyEntries(['20250101000000_b.sql', '20250101000000_a.sql'].map(file))
    expect(migrations.map((m) => m.file)).toEqual(['20250101000000_a.sql', '20250101000000_b.sql'])
  })
})

describe('names supabase cannot read cleanly', () => {
  it.each([
    {bytes: [0x61, 0x62], name: 'ab', notUtf8: false},
    {bytes: [0x63, 0x61, 0x66, 0xe9], name: 'caf\\xe9', notUtf8: true},
    {bytes: [0xc3, 0xa9, 0xff, 0x7a], name: 'é\\xffz', notUtf8: true},
    {bytes: [0xe2, 0x82], name: '\\xe2\\x82', notUtf8: true},
    {bytes: [0xf0, 0x9f, 0x98, 0x80], name: '😀', notUtf8: false},
    {bytes: [0xef, 0xbb, 0xbf, 0x61], name: '\ufeffa', notUtf8: false},
    {bytes: [0xef, 0xbb, 0xbf, 0xff], name: '\ufeff\\xff', notUtf8: true},
  ])('bytes $bytes → $name', ({bytes, name, notUtf8}) => {
    expect(escapeNameBytes(Uint8Array.from(bytes))).toEqual({name, notUtf8})
  })

  it('a name that is not UTF-8 is a blocking skipped entry, printed escaped', () => {
    const {migrations, skipped} = classifyEntries([
      {...escapeNameBytes(Buffer.from('20260101000000_caf\xe9.sql', 'latin1')), isDirectory: false},
      file('20260101000001_ok.sql'),
    ])
    expect(migrations.map((m) => m.file)).toEqual(['20260101000001_ok.sql'])
    expect(skipped).toEqual([
      expect.objectContaining({file: '20260101000000_caf\\xe9.sql', blocking: true, unreadableName: true}),
    ])
  })

  it('a name with a control character is a blocking skipped entry, printed escaped', () => {
    const {skipped} = classifyEntries([file('20260101000000_a\nb.sql'), file('20260101000001_\u001b[31m.sql')])
    expect(skipped.map((s) => [s.file, s.blocking])).toEqual([
      ['20260101000000_a\\nb.sql', true],
      ['20260101000001_\\u001b[31m.sql', true],
    ])
  })
})
