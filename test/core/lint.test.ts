import {describe, expect, it} from 'vitest'
import {migrationStatements} from '../../src/core/sql/sql-statements.js'
import {
  type LintedFile,
  lintFindings,
  rulesOff,
  type SquawkViolation,
  statementLines,
} from '../../src/core/verify/lint.js'
import {planReplay} from '../../src/core/verify/replay-plan.js'

function linted(file: string, text: string): LintedFile {
  const statements = migrationStatements(text)
  return {file, text, statements: statements.statements, plan: planReplay(statements)}
}

function violation(file: string, line: number, rule: string): SquawkViolation {
  return {file, line, column: 0, level: 'Warning', message: `${rule} message`, help: null, rule_name: rule}
}

describe('statementLines', () => {
  it('finds the 0-based line each statement (with its leading comments) starts on', () => {
    const text = '\ncreate table a (id int);\n-- why\ncreate index on a (id);\n\n\nalter table a\n  add column b int;\n'
    const file = linted('f.sql', text)
    expect(statementLines(text, file.statements)).toEqual([1, 2, 6])
  })
})

describe('lintFindings', () => {
  const plain = linted('1_plain.sql', 'create index on big (x);\nalter table big add column c int not null;\n')
  const mixed = linted(
    '2_mixed.sql',
    'create table t (id bigint);\ncreate index concurrently if not exists i on t (id);\n',
  )

  it('names file, statement, line, rule and its docs; report only by default', () => {
    expect(lintFindings([plain], [violation('1_plain.sql', 1, 'adding-required-field')], 'report')).toEqual([
      {
        file: '1_plain.sql',
        statementIndex: 1,
        line: 2,
        rule: 'adding-required-field',
        level: 'warning',
        message: 'adding-required-field message',
        docs: 'https://squawkhq.com/docs/adding-required-field',
        context: 'file-transaction',
        blocking: false,
      },
    ])
  })

  it('drops "concurrently inside a transaction" for a statement supabase runs alone', () => {
    const findings = lintFindings(
      [mixed],
      [violation('2_mixed.sql', 1, 'ban-concurrent-index-creation-in-transaction')],
      'warn',
    )
    expect(findings).toEqual([])
  })

  it('keeps it in a file with its own BEGIN (run statement by statement, so the BEGIN wraps it)', () => {
    const own = linted('3_own.sql', 'begin;\ncreate index concurrently i on t (id);\ncommit;\n')
    const findings = lintFindings(
      [own],
      [violation('3_own.sql', 1, 'ban-concurrent-index-creation-in-transaction')],
      'warn',
    )
    expect(findings).toMatchObject([{statementIndex: 1, context: 'autocommit', blocking: true}])
  })

  it.each([
    {level: 'report', blocking: false},
    {level: 'error', blocking: false},
    {level: 'warn', blocking: true},
  ] as const)('a warning at level $level blocks: $blocking', ({level, blocking}) => {
    const [finding] = lintFindings([plain], [violation('1_plain.sql', 0, 'require-concurrent-index-creation')], level)
    expect(finding?.blocking).toBe(blocking)
  })
})

describe('lintFindings on what the same push creates, and on files squawk cannot parse', () => {
  const tables = linted(
    '1_tables.sql',
    'create table public.accounts (id bigint primary key);\ncreate table members (id bigint, account_id bigint);\n',
  )
  const later = linted(
    '2_later.sql',
    [
      'alter table public.members add constraint members_account foreign key (account_id) references accounts (id);',
      'alter table members add column role text not null;',
      'create index members_role on only public.members (role);',
      'alter table big add constraint big_fk foreign key (x) references accounts (id);',
    ].join('\n'),
  )

  it('no constraint-missing-not-valid (and the like) for a table an earlier statement of the push creates', () => {
    const findings = lintFindings(
      [tables, later],
      [
        violation('2_later.sql', 0, 'constraint-missing-not-valid'),
        violation('2_later.sql', 0, 'adding-foreign-key-constraint'),
        violation('2_later.sql', 1, 'adding-required-field'),
        violation('2_later.sql', 2, 'require-concurrent-index-creation'),
        violation('2_later.sql', 3, 'constraint-missing-not-valid'),
      ],
      'warn',
      {pending: true},
    )
    expect(findings.map((f) => `${f.statementIndex} ${f.rule}`)).toEqual(['3 constraint-missing-not-valid'])
  })

  it('in the same file always; across files only when they are the pending ones (an old table may hold rows)', () => {
    const same = linted(
      '1_same.sql',
      'create table t (id int, x int);\nalter table t add constraint x_pos check (x > 0);\nalter table u add constraint y check (true);\n',
    )
    const violations = [
      violation('1_same.sql', 1, 'constraint-missing-not-valid'),
      violation('1_same.sql', 2, 'constraint-missing-not-valid'),
    ]
    expect(lintFindings([same], violations, 'warn').map((f) => f.statementIndex)).toEqual([2])
    const acrossWholeFolder = lintFindings(
      [tables, later],
      [violation('2_later.sql', 0, 'constraint-missing-not-valid')],
      'warn',
    )
    expect(acrossWholeFolder).toHaveLength(1)
  })

  it('keeps them for a table created after the statement (the order is wrong, the table may exist)', () => {
    const first = linted('1_first.sql', 'alter table t add constraint c check (x > 0);\n')
    const second = linted('2_second.sql', 'create table t (x int);\n')
    const findings = lintFindings(
      [first, second],
      [violation('1_first.sql', 0, 'constraint-missing-not-valid')],
      'warn',
    )
    expect(findings).toHaveLength(1)
  })

  it('one finding per file squawk cannot parse, saying how many more errors it saw', () => {
    const bad = linted('3_bad.sql', 'create tabel x (id int);\nselect 1;\n')
    const syntax = (line: number, message: string): SquawkViolation => ({
      ...violation('3_bad.sql', line, 'syntax-error'),
      level: 'Error',
      message,
    })
    const findings = lintFindings(
      [bad],
      [syntax(0, 'expected command, found CREATE_KW'), syntax(0, 'expected command, found IDENT'), syntax(0, 'x')],
      'error',
    )
    expect(findings).toMatchObject([
      {
        rule: 'syntax-error',
        statementIndex: 0,
        message: 'squawk cannot parse this file: expected command, found CREATE_KW (and 2 more syntax errors)',
        blocking: true,
      },
    ])
  })
})

describe('rulesOff', () => {
  it('sbx turns the timeout and style rules off, each with a reason; include and exclude change that', () => {
    const off = rulesOff({exclude: ['adding-foreign-key-constraint'], include: ['prefer-robust-stmts']})
    const rules = off.map((entry) => entry.rule)
    expect(rules).toContain('require-lock-timeout')
    expect(rules).toContain('adding-foreign-key-constraint')
    expect(rules).not.toContain('prefer-robust-stmts')
    expect(off.every((entry) => entry.reason.length > 0)).toBe(true)
  })
})
