/**
 * Versions read from a database's history (`supabase_migrations.schema_migrations`, or what `supabase migration
 * list` reports for the linked project) are outside input: the table is plain text that anyone with access (the
 * API, the SQL editor, an attacker) can fill. sbx builds file names from them (`sync` writes
 * `<version>_<name>.sql`), so every history is checked here, once, where it is read, before anything uses it.
 *
 * A version is what supabase accepts in a file name: ASCII digits (`^[0-9]+_`), and at most
 * MAX_HISTORY_VERSION_DIGITS of them so that `<version>_<name>.sql` with the longest name sbx writes still fits a
 * 255-byte file name. Anything else — `../../x`, `/etc/x`, `2026 01`, control characters — is refused with the row.
 */
import {ExitCode, SbxError} from '../errors.js'
import {MAX_NAME_BYTES} from './migration-name.js'

/** 255 bytes − `_` − `.sql` − the longest name part sbx writes. */
export const MAX_HISTORY_VERSION_DIGITS = 255 - 1 - 4 - MAX_NAME_BYTES

export function isHistoryVersion(version: unknown): version is string {
  return typeof version === 'string' && new RegExp(`^[0-9]{1,${MAX_HISTORY_VERSION_DIGITS}}$`).test(version)
}

/** A history row whose version sbx will build no path from. `version` is the raw value; messages quote it escaped. */
export class BadHistoryVersionError extends SbxError {
  constructor(
    readonly source: string,
    readonly version: string,
    readonly rowName: string | undefined,
  ) {
    const row = `version ${quote(version)}${rowName === undefined ? '' : ` (name ${quote(rowName)})`}`
    super(
      `${source} has a history row whose ${row} is not a migration version (1 to ${MAX_HISTORY_VERSION_DIGITS} digits): nothing was read or written. Delete or correct that row in supabase_migrations.schema_migrations, then run the command again.`,
      // The outside database holds the bad row: exit 5, like any database that fails sbx.
      {code: 'EHISTORYVERSION', exitCode: ExitCode.External},
    )
    this.name = 'BadHistoryVersionError'
  }
}

/**
 * Returns the rows unchanged when every version is a migration version; else throws for the first bad row.
 * `source` names where they came from (a redacted URL, "the linked project"), never a password.
 */
export function assertHistoryVersions<T extends {version: unknown; name?: unknown}>(
  rows: readonly T[],
  source: string,
): T[] {
  for (const row of rows) {
    if (!isHistoryVersion(row.version)) {
      const name = typeof row.name === 'string' ? row.name : undefined
      throw new BadHistoryVersionError(source, String(row.version), name)
    }
  }
  return [...rows]
}

/** A value from the database, quoted with control characters escaped, cut so that one row makes one short line. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
}
