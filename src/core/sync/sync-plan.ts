/**
 * `sbx sync`: make the migrations folder mirror a database's history again after migrations were applied
 * outside the repository (the Supabase API and MCP server, Studio, the dashboard's SQL editor). Pure.
 *
 * For every recorded version with no local file, by "the same SQL" (src/core/sql/sql-equivalence.ts):
 * - exactly one unapplied local file holds its SQL, and that file holds no other such version's SQL →
 *   the file is renamed to the recorded version, keeping its name part (`adopt-applied-version`);
 * - no unapplied local file holds it → `<version>_<recorded name>.sql` is written from the recorded
 *   statements (`fetched-from-database`);
 * - anything else (several files for one version, several versions for one file) is ambiguous: nothing
 *   is changed for those versions and files, and a blocking conflict names them all.
 * Then the rename planner's rules apply to the result: unapplied files sorting before the newest applied
 * version move after it, duplicate versions are split. Files named in a conflict never move.
 */
import type {History, LocalMigration} from '../migrations/history.js'
import {migrationFileName} from '../migrations/migration-file.js'
import {MAX_NAME_BYTES} from '../migrations/migration-name.js'
import {planRenames, type Rename} from '../migrations/rename-plan.js'
import {sqlKey} from '../sql/sql-equivalence.js'
import {splitStatements} from '../sql/sql-statements.js'

export interface SyncInput {
  migrations: readonly LocalMigration[]
  history: History
  /** Statements of the local files (as supabase splits them); a file absent here matches nothing. */
  localStatements: ReadonlyMap<string, string[]>
}

export interface FetchedFile {
  file: string
  version: string
  /** The recorded statements written back as a file that splits into the same statements. */
  content: string
}

export type SyncConflict =
  | {kind: 'ambiguous-match'; versions: string[]; files: string[]}
  | {kind: 'no-recorded-statements'; version: string; name?: string}

export interface SyncPlan {
  /** Local files renamed to the version the database recorded for their SQL. */
  adopt: Rename[]
  fetch: FetchedFile[]
  /** Then: the rename planner on the folder as it will be (out-of-order, duplicate versions). */
  renames: Rename[]
  conflicts: SyncConflict[]
}

export const FETCHED_FALLBACK_NAME = 'fetched'

export function planSync({migrations, history, localStatements}: SyncInput): SyncPlan {
  const local = new Set(migrations.map((m) => m.version))
  const missing = [...history.applied.values()].filter((applied) => !local.has(applied.version))
  const conflicts: SyncConflict[] = []
  const versionsByKey = new Map<string, string[]>()
  const fetch: FetchedFile[] = []
  for (const applied of missing) {
    if (!applied.statements) {
      conflicts.push({kind: 'no-recorded-statements', version: applied.version, ...nameOf(applied.name)})
      continue
    }
    const key = sqlKey(applied.statements)
    if (key === undefined) fetch.push(fetchedFile(applied.version, applied.name, applied.statements))
    else versionsByKey.set(key, [...(versionsByKey.get(key) ?? []), applied.version])
  }

  const filesByKey = new Map<string, LocalMigration[]>()
  for (const migration of migrations) {
    if (history.applied.has(migration.version)) continue
    const statements = localStatements.get(migration.file)
    const key = statements && sqlKey(statements)
    if (key !== undefined && versionsByKey.has(key)) filesByKey.set(key, [...(filesByKey.get(key) ?? []), migration])
  }

  const adopt: Rename[] = []
  const adopted = new Map<string, string>()
  const frozen = new Set<string>()
  for (const [key, versions] of versionsByKey) {
    const files = filesByKey.get(key) ?? []
    const [file] = files
    if (files.length === 0) {
      for (const version of versions) {
        const applied = history.applied.get(version)
        fetch.push(fetchedFile(version, applied?.name, applied?.statements ?? []))
      }
    } else if (versions.length === 1 && files.length === 1 && file) {
      const version = versions[0] as string
      adopt.push({from: file.file, to: migrationFileName(version, file.name), reason: 'adopt-applied-version'})
      adopted.set(file.file, version)
    } else {
      for (const f of files) frozen.add(f.file)
      conflicts.push({kind: 'ambiguous-match', versions: [...versions].sort(), files: files.map((f) => f.file)})
    }
  }

  const after: LocalMigration[] = [
    ...migrations.map((m) => {
      const version = adopted.get(m.file)
      return version ? {...m, version, file: migrationFileName(version, m.name)} : m
    }),
    ...fetch.map((f) => ({file: f.file, version: f.version, name: f.file.slice(f.version.length + 1, -4)})),
  ]
  const statementsAfter = new Map(localStatements)
  for (const rename of adopt) statementsAfter.set(rename.to, localStatements.get(rename.from) ?? [])
  for (const f of fetch) statementsAfter.set(f.file, splitStatements(f.content))
  const renames = planRenames({migrations: after, history, localStatements: statementsAfter}).filter(
    (rename) => !frozen.has(rename.from),
  )
  return {
    adopt,
    fetch: fetch.sort((a, b) => (a.version < b.version ? -1 : 1)),
    renames,
    conflicts: conflicts.sort((a, b) => (conflictVersion(a) < conflictVersion(b) ? -1 : 1)),
  }
}

/**
 * The recorded name made safe as a file name: what supabase recorded from a file is kept as it was, but a
 * name given to the API may hold anything, so separators, `..` and control characters become `_`.
 */
export function fetchedName(name: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being replaced.
  const safe = (name ?? '').replace(/[/\\\u0000-\u001f\u007f-\u009f]|\.\./gu, '_').trim()
  const bytes = Buffer.from(safe)
  const cut =
    bytes.length > MAX_NAME_BYTES
      ? bytes
          .subarray(0, MAX_NAME_BYTES)
          .toString()
          .replace(/\uFFFD+$/u, '')
      : safe
  return cut === '' ? FETCHED_FALLBACK_NAME : cut
}

/**
 * The statements as a file. One element (the API's whole query) is written byte for byte as recorded.
 * Several (what `supabase db push` recorded) each get their `;` back — on a line of its own after a `--`
 * comment, which would otherwise swallow it. Splitting the result gives the recorded SQL again.
 */
export function fetchedContent(statements: readonly string[]): string {
  if (statements.length === 1) return statements[0] as string
  return statements.map((statement) => withNewline(terminate(statement))).join('\n')
}

function fetchedFile(version: string, name: string | undefined, statements: readonly string[]): FetchedFile {
  return {file: migrationFileName(version, fetchedName(name)), version, content: fetchedContent(statements)}
}

function terminate(statement: string): string {
  if (/;\s*$/u.test(statement)) return statement
  const lastLine = statement.slice(statement.lastIndexOf('\n') + 1)
  return lastLine.includes('--') ? `${statement}\n;` : `${statement};`
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`
}

function nameOf(name: string | undefined): {name?: string} {
  return name === undefined ? {} : {name}
}

function conflictVersion(conflict: SyncConflict): string {
  return conflict.kind === 'ambiguous-match' ? (conflict.versions[0] ?? '') : conflict.version
}
