/**
 * The lock-safety lint: squawk's findings on migration files, each placed on the statement it is about and
 * judged with the transaction context supabase gives that statement. Pure: shell/lint/squawk.ts runs the binary.
 *
 * supabase runs a file in one transaction, except statements PostgreSQL refuses inside one (CREATE INDEX
 * CONCURRENTLY…), which it runs alone; a file with its own BEGIN/COMMIT runs statement by statement. So files
 * of the first kind are linted with squawk's `--assume-in-transaction` (a slow lock then lasts until the
 * whole file commits), the others without, and a "concurrently inside a transaction" finding on a statement
 * supabase runs alone is dropped.
 */

import {stripLeadingComments} from '../sql/sql-statements.js'
import {alteredTable, parseCreation} from './missing-object.js'
import {isNonTransactional, type ReplayPlan} from './replay-plan.js'
import type {BlockingLevel, LintSettings} from './verify-config.js'

/**
 * squawk rules sbx turns off for Supabase migrations, and why. `[lint] include` turns them back on.
 */
export const DEFAULT_OFF_RULES: Readonly<Record<string, string>> = {
  'require-lock-timeout':
    'flags nearly every DDL statement ever written; supabase resets settings before each file, and SET LOCAL fails under its pipeline',
  'require-statement-timeout': 'as require-lock-timeout: nearly every migration would be flagged',
  'require-timeout-settings': 'as require-lock-timeout: nearly every migration would be flagged',
  'prefer-robust-stmts':
    'supabase runs each migration once, recorded in its history, in a transaction: IF NOT EXISTS guards add nothing and hide drift',
  'prefer-bigint-over-int': 'a column type preference, not lock safety',
  'prefer-bigint-over-smallint': 'a column type preference, not lock safety',
  'prefer-identity': 'a column type preference, not lock safety',
  'prefer-text-field': 'a column type preference, not lock safety',
  'prefer-timestamp-tz': 'a column type preference, not lock safety',
  'ban-char-field': 'a column type preference, not lock safety',
}

export const SQUAWK_RULE_DOCS = 'https://squawkhq.com/docs/'

/** How supabase runs the statement: in the file's transaction, alone (CONCURRENTLY…), or with the file's own transaction control. */
export type StatementContext = 'file-transaction' | 'alone' | 'autocommit'

export interface LintFinding {
  file: string
  /** 0-based, as supabase numbers statements ("At statement: N"). */
  statementIndex: number
  /** 1-based line in the file. */
  line: number
  rule: string
  level: 'error' | 'warning'
  message: string
  help?: string
  /** The rule's documentation. */
  docs: string
  context: StatementContext
  blocking: boolean
}

export interface LintReport {
  status: 'ran' | 'off'
  level: BlockingLevel
  /** Files linted (those the target has not applied). */
  files: string[]
  findings: LintFinding[]
  /** Rules turned off, with why (sbx's defaults and `[lint] exclude`). */
  rulesOff: Array<{rule: string; reason: string}>
  squawk?: string
}

/** squawk's JSON reporter output, one element per finding (lines and columns 0-based). */
export interface SquawkViolation {
  file: string
  line: number
  column: number
  level: string
  message: string
  help?: string | null
  rule_name: string
}

export interface LintedFile {
  file: string
  text: string
  statements: readonly string[]
  plan: ReplayPlan
}

/** The rules to pass to squawk's --exclude, with the reason each one is off. */
export function rulesOff(settings: Pick<LintSettings, 'exclude' | 'include'>): Array<{rule: string; reason: string}> {
  const off = Object.entries(DEFAULT_OFF_RULES)
    .filter(([rule]) => !settings.include.includes(rule))
    .map(([rule, reason]) => ({rule, reason}))
  for (const rule of settings.exclude) {
    if (!off.some((entry) => entry.rule === rule))
      off.push({rule, reason: 'turned off in supabase/sbx.toml [lint] exclude'})
  }
  return off
}

/** The 0-based line on which each statement starts (its leading comments included), found in the file's text. */
export function statementLines(text: string, statements: readonly string[]): number[] {
  const lines: number[] = []
  let cursor = 0
  let line = 0
  for (const statement of statements) {
    const at = text.indexOf(statement, cursor)
    const start = at < 0 ? cursor : at
    for (let i = cursor; i < start; i++) if (text.charCodeAt(i) === 10) line++
    lines.push(line)
    const end = at < 0 ? cursor : at + statement.length
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === 10) line++
    cursor = end
  }
  return lines
}

/** The statement a 0-based line belongs to: the last one starting at or before it. */
function statementAt(starts: readonly number[], line: number): number {
  let index = 0
  for (const [i, start] of starts.entries()) if (start <= line) index = i
  return index
}

export function statementContext(plan: ReplayPlan, statement: string): StatementContext {
  if (plan.mode === 'autocommit') return 'autocommit'
  return isNonTransactional(statement) ? 'alone' : 'file-transaction'
}

/** Rules about transactions that do not apply to a statement supabase runs alone. */
const IN_TRANSACTION_RULES = new Set(['ban-concurrent-index-creation-in-transaction', 'transaction-nesting'])

/**
 * Rules about a table that already holds rows and is in use (long locks, rewrites, validating every row): they do
 * not apply to a table that an earlier statement creates, which is empty: in the same file, or, when the files
 * linted are the ones the target has not applied (`pending`: push, --against, check --lint with a history), in
 * any earlier file of them. Without that knowledge (verify or lint of the whole folder) an old file's table may
 * be in production for years, and its findings stay.
 */
const TABLE_WITH_ROWS_RULES = new Set([
  'constraint-missing-not-valid',
  'adding-foreign-key-constraint',
  'adding-not-nullable-field',
  'adding-required-field',
  'adding-field-with-default',
  'adding-serial-primary-key-field',
  'changing-column-type',
  'disallowed-unique-constraint',
  'require-concurrent-index-creation',
])

const SYNTAX_ERROR = 'syntax-error'

/**
 * A file that is not valid UTF-8: squawk refuses to read it ("stream did not contain valid UTF-8"), and PostgreSQL
 * refuses such text (invalid byte sequence for encoding "UTF8"), so supabase db push fails on it. One finding, at
 * the statement holding the first bad byte (`badByte`: its offset, `line`: its 0-based line).
 */
export function invalidUtf8Finding(
  file: LintedFile,
  badByte: {offset: number; line: number},
  level: BlockingLevel,
): LintFinding {
  const statementIndex = statementAt(statementLines(file.text, file.statements), badByte.line)
  return {
    file: file.file,
    statementIndex,
    line: badByte.line + 1,
    rule: 'invalid-utf8',
    level: 'error',
    message: `not valid UTF-8 (byte ${badByte.offset}): PostgreSQL refuses such text, so supabase db push fails on it`,
    help: 'Save the file as UTF-8.',
    docs: 'https://www.postgresql.org/docs/current/multibyte.html',
    context: statementContext(file.plan, file.statements[statementIndex] ?? ''),
    blocking: level === 'warn' || level === 'error',
  }
}

/** `schema.name` of a table as written: unqualified means public (Supabase's first schema). */
function tableKey(table: {schema?: string; name: string}): string {
  return `${table.schema ?? 'public'}.${table.name}`
}

/** Per table created by the files (in lint order), where: [file index, statement index]. */
function tablesCreated(files: readonly LintedFile[]): Map<string, [number, number]> {
  const created = new Map<string, [number, number]>()
  for (const [fileIndex, file] of files.entries()) {
    for (const [statementIndex, statement] of file.statements.entries()) {
      const creation = parseCreation(statement)
      if (creation?.kind !== 'relation' || !/^\s*create\s/iu.test(stripLeadingComments(statement))) continue
      const key = tableKey(creation.object)
      if (!created.has(key)) created.set(key, [fileIndex, statementIndex])
    }
  }
  return created
}

export function lintFindings(
  files: readonly LintedFile[],
  violations: readonly SquawkViolation[],
  level: BlockingLevel,
  options: {pending?: boolean} = {},
): LintFinding[] {
  const byName = new Map(
    files.map((file, index) => [file.file, {file, index, starts: statementLines(file.text, file.statements)}]),
  )
  const created = tablesCreated(files)
  // squawk reports a file it cannot parse once per token it trips on: one finding per file, with the count.
  const syntaxErrors = new Map<string, number>()
  for (const violation of violations) {
    if (violation.rule_name === SYNTAX_ERROR)
      syntaxErrors.set(violation.file, (syntaxErrors.get(violation.file) ?? 0) + 1)
  }
  const reportedSyntax = new Set<string>()
  const findings: LintFinding[] = []
  for (const violation of violations) {
    const entry = byName.get(violation.file)
    if (!entry) continue
    const statementIndex = statementAt(entry.starts, violation.line)
    const statement = entry.file.statements[statementIndex] ?? ''
    const context = statementContext(entry.file.plan, statement)
    if (context === 'alone' && IN_TRANSACTION_RULES.has(violation.rule_name)) continue
    if (TABLE_WITH_ROWS_RULES.has(violation.rule_name)) {
      const table = alteredTable(statement)
      const at = table && created.get(tableKey(table))
      const earlier = at && (at[0] === entry.index ? at[1] < statementIndex : options.pending && at[0] < entry.index)
      if (earlier) continue
    }
    let message = violation.message
    if (violation.rule_name === SYNTAX_ERROR) {
      if (reportedSyntax.has(violation.file)) continue
      reportedSyntax.add(violation.file)
      const more = (syntaxErrors.get(violation.file) ?? 1) - 1
      message = `squawk cannot parse this file: ${violation.message}${more > 0 ? ` (and ${more} more syntax ${more === 1 ? 'error' : 'errors'})` : ''}`
    }
    const findingLevel = violation.level.toLowerCase() === 'error' ? 'error' : 'warning'
    findings.push({
      file: violation.file,
      statementIndex,
      line: violation.line + 1,
      rule: violation.rule_name,
      level: findingLevel,
      message,
      ...(violation.help ? {help: violation.help} : {}),
      docs: `${SQUAWK_RULE_DOCS}${violation.rule_name}`,
      context,
      blocking: level === 'warn' || (level === 'error' && findingLevel === 'error'),
    })
  }
  return findings.sort((a, b) =>
    a.file === b.file ? a.statementIndex - b.statementIndex || a.line - b.line : a.file < b.file ? -1 : 1,
  )
}
