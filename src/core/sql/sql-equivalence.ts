/**
 * When two recordings of a migration hold "the same SQL". Histories record statements in two shapes:
 * `supabase db push` stores the file split into statements; the Supabase API, Studio and the Supabase MCP
 * server store the whole query as one element. Both sides are therefore flattened through the project's
 * splitter (the one supabase uses), then each statement is compared with every run of whitespace turned into
 * one space and trailing `;`s dropped. Comments count as text (supabase keeps them in the statement that
 * follows them), and SQL without any statement never matches anything: an empty file is not evidence.
 */
import {splitStatements} from './sql-statements.js'

/** The statements as compared: split again (a whole-query element becomes its statements), then normalized. */
export function comparableStatements(statements: readonly string[]): string[] {
  return statements.flatMap((statement) => splitStatements(statement)).map(normalizeStatement)
}

export function normalizeStatement(statement: string): string {
  return statement
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/(?:\s*;)+$/u, '')
}

/** A key that two recordings share exactly when they hold the same SQL; undefined for SQL with no statement. */
export function sqlKey(statements: readonly string[]): string | undefined {
  const comparable = comparableStatements(statements)
  return comparable.length === 0 ? undefined : JSON.stringify(comparable)
}

export function sameSql(a: readonly string[], b: readonly string[]): boolean {
  const key = sqlKey(a)
  return key !== undefined ? key === sqlKey(b) : comparableStatements(b).length === 0
}
