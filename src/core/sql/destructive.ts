/**
 * Statements that can lose data: dropping a table, column or schema, changing a column's type, TRUNCATE, and
 * DELETE or UPDATE without a WHERE clause. Dropping or replacing policies, functions, views or indexes loses no
 * data and is not destructive. Pure; read from the statement text, which is enough for these shapes.
 */
import {stripLeadingComments} from './sql-statements.js'

/** Keywords after DROP in ALTER TABLE that remove no data. */
const HARMLESS_DROPS = new Set(['CONSTRAINT', 'DEFAULT', 'NOT', 'IDENTITY', 'EXPRESSION'])

/** Why `statement` can lose data, or undefined. */
export function destructiveReason(statement: string): string | undefined {
  const text = stripLeadingComments(statement)
    .replace(/'(?:[^']|'')*'/gu, "''")
    .replace(/"(?:[^"]|"")*"/gu, 'x')
    .replace(/\s+/gu, ' ')
    .trim()
    .toUpperCase()
  if (/^DROP (?:TABLE|SCHEMA)\b/u.test(text)) return text.startsWith('DROP TABLE') ? 'drops a table' : 'drops a schema'
  if (/^TRUNCATE\b/u.test(text)) return 'truncates a table'
  if (/^DELETE FROM\b/u.test(text) && !/\bWHERE\b/u.test(text)) return 'deletes every row (no WHERE)'
  if (/^UPDATE\b/u.test(text) && !/\bWHERE\b/u.test(text)) return 'updates every row (no WHERE)'
  if (/^ALTER TABLE\b/u.test(text)) {
    for (const match of text.matchAll(/\bDROP (\w+)/gu)) {
      if (!HARMLESS_DROPS.has(match[1] as string)) return 'drops a column'
    }
    if (/\bALTER (?:COLUMN )?\S+ (?:SET DATA )?TYPE\b/u.test(text)) return "changes a column's type"
  }
  return undefined
}

/** The statements of a file that can lose data. */
export function destructiveStatements(statements: readonly string[]): string[] {
  return statements.filter((statement) => destructiveReason(statement) !== undefined).map((s) => s.trim())
}
