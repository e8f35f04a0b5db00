/**
 * The filename model, exactly as supabase reads `supabase/migrations` (spec §2): the folder is read
 * non-recursively, sorted by UTF-8 bytes, and a name counts only if it matches `^([0-9]+)_(.*)\.sql$`.
 * Everything else is kept as a skipped entry with the reason, never dropped silently.
 */

export const MIGRATION_PATTERN = /^([0-9]+)_(.*)\.sql$/
const LEGACY_INIT = /([0-9]{14})_init\.sql/
const LEGACY_INIT_BEFORE = '20211209000000'

export interface Migration {
  /** File name inside the migrations folder, e.g. `20260207080000_fix_search.sql`. */
  file: string
  /** The digits before the first `_`, compared as a string like supabase does. */
  version: string
  /** Everything between the first `_` and `.sql`; never changed by a rename. */
  name: string
}

export interface SkippedEntry {
  file: string
  reason: string
  /** True when the entry looks like a migration that will silently never deploy. */
  blocking: boolean
}

export interface DirEntry {
  name: string
  isDirectory: boolean
}

export interface MigrationFolder {
  migrations: Migration[]
  skipped: SkippedEntry[]
}

export function parseMigrationFile(file: string): Migration | undefined {
  const match = MIGRATION_PATTERN.exec(file)
  if (!match) return undefined
  return {file, version: match[1] as string, name: match[2] as string}
}

export function migrationFileName(version: string, name: string): string {
  return `${version}_${name}.sql`
}

/** Byte-wise UTF-8 order, which is how supabase (Go/Bun) sorts a directory listing. */
export function compareFileNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

export function sortMigrations<T extends Migration>(migrations: readonly T[]): T[] {
  return [...migrations].sort((a, b) => compareFileNames(a.file, b.file))
}

export function classifyEntries(entries: readonly DirEntry[]): MigrationFolder {
  const sorted = [...entries].sort((a, b) => compareFileNames(a.name, b.name))
  const migrations: Migration[] = []
  const skipped: SkippedEntry[] = []
  sorted.forEach((entry, index) => {
    if (entry.isDirectory) {
      skipped.push({
        file: entry.name,
        reason: 'is a folder: supabase reads only files directly inside',
        blocking: false,
      })
      return
    }
    const legacy = index === 0 ? LEGACY_INIT.exec(entry.name) : null
    if (legacy && (legacy[1] as string) < LEGACY_INIT_BEFORE) {
      skipped.push({
        file: entry.name,
        reason: 'supabase skips an old "init" file that sorts first: replace "init" with another name to apply it',
        blocking: true,
      })
      return
    }
    const migration = parseMigrationFile(entry.name)
    if (migration) {
      migrations.push(migration)
      return
    }
    const looksLikeMigration = /\.sql$/i.test(entry.name)
    skipped.push({
      file: entry.name,
      reason: looksLikeMigration
        ? 'supabase skips it: the name must match <timestamp>_name.sql (lower-case .sql, digits then _)'
        : 'not a migration (supabase skips it)',
      blocking: looksLikeMigration,
    })
  })
  return {migrations, skipped}
}

export function groupByVersion<T extends Migration>(migrations: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const migration of migrations) {
    const group = groups.get(migration.version)
    if (group) group.push(migration)
    else groups.set(migration.version, [migration])
  }
  return groups
}
