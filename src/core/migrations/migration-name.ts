/**
 * Turning what a person types into the `<name>` part of a migration file, or refusing it. The result
 * is always safe to put directly inside the migrations folder: no separators, no `..`, no control bytes.
 */
import {UsageError} from '../errors.js'

export const MAX_NAME_BYTES = 200

export function normalizeMigrationName(input: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u.test(input)) {
    throw new UsageError(
      'Migration name contains a control character (NUL, tab, newline...): use letters, digits, spaces, - or _.',
      'EBADNAME',
    )
  }
  // Node decodes argv as UTF-8 and turns each invalid byte into U+FFFD: `printf 'caf\xe9'` arrives as "caf\uFFFD".
  if (input.includes('\uFFFD')) {
    throw new UsageError(
      `Migration name "${input}" is not valid UTF-8 (a byte the terminal or shell sent in another encoding, shown as U+FFFD): type it as UTF-8, or use letters, digits, - or _.`,
      'EBADNAME',
    )
  }
  if (/[/\\]/.test(input)) {
    throw new UsageError(
      `Migration name "${input}" contains a path separator: a migration must sit directly in supabase/migrations. Use _ instead.`,
      'EBADNAME',
    )
  }
  if (input.includes('..')) {
    throw new UsageError(`Migration name "${input}" contains "..": pick a name without it.`, 'EBADNAME')
  }
  // People type "add users" or "add-users"; supabase would keep the space verbatim.
  const name = input.trim().replace(/[\s-]+/g, '_')
  if (name === '') {
    throw new UsageError(
      'Migration name is empty: pass a short description, e.g. sbx migration new "add users".',
      'EBADNAME',
    )
  }
  const bytes = Buffer.byteLength(name)
  if (bytes > MAX_NAME_BYTES) {
    throw new UsageError(
      `Migration name is ${bytes} bytes long; the limit is ${MAX_NAME_BYTES}: shorten it.`,
      'EBADNAME',
    )
  }
  return name
}
