/**
 * The filename model, exactly as supabase reads `supabase/migrations`: the folder is read non-recursively and
 * sorted by UTF-8 bytes, a name counts only if it matches `^([0-9]+)_(.*)\.sql$`, and the files are then applied
 * in a stable sort by version *string* (so `20250117_a.sql` runs before `20250117000000_b.sql`, although '0' < '_'
 * in bytes). Measured with supabase 2.117 and 3.1 (`db push --dry-run` and real pushes on mixed-width folders) and
 * pinned by test/shell/apply-order.supabase.test.ts. Everything else is kept as a skipped entry with the reason,
 * never dropped silently.
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
  /** Not valid UTF-8, or holds control characters: verify and push refuse before anything is sent. */
  unreadableName?: boolean
  /** Matches `[check] ignore` in supabase/sbx.toml: skipped on purpose, a note. */
  intended?: boolean
}

export interface DirEntry {
  /** The name as text; for a name that is not valid UTF-8, its bytes escaped (`caf\xe9.sql`). */
  name: string
  isDirectory: boolean
  /** The name's bytes are not valid UTF-8 (supabase would record mangled text, or Postgres refuse it). */
  notUtf8?: boolean
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

/**
 * Byte-wise UTF-8 order, which is how supabase (Go/Bun) sorts a directory listing. UTF-16 code units sort the
 * same way except where a surrogate (a code point above U+FFFF) meets another character: there the bytes
 * decide. Comparing code units avoids two buffers per comparison (sorting 10,000 names made 280,000).
 */
export function compareFileNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (isSurrogate(x) || isSurrogate(y)) return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)))
    return x < y ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff

/**
 * The order supabase applies migrations in: by version as a string, ties (duplicate versions) in file-name byte
 * order. The one ordering model: verify's replay, the out-of-order rule, fix's choices and every listing use it.
 */
export function compareApplyOrder(a: Migration, b: Migration): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1
  return compareFileNames(a.file, b.file)
}

/** Control characters in a name: supabase prints and records them verbatim, terminals and logs do not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/u

/** A name as it may be printed: control characters escaped (`\n`, `\u001b`); non-UTF-8 bytes arrive escaped. */
export function printableName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point.
  return name.replace(/[\u0000-\u001f\u007f]/gu, (ch) => JSON.stringify(ch).slice(1, -1))
}

/** A file name's bytes as text, with every byte that is not part of valid UTF-8 written as `\xNN`. */
export function escapeNameBytes(bytes: Uint8Array): {name: string; notUtf8: boolean} {
  // Nearly every name is valid UTF-8: one decode, and the byte-by-byte walk only for the rest.
  try {
    return {name: STRICT_UTF8.decode(bytes), notUtf8: false}
  } catch {
    // Not valid UTF-8: escape the bytes that are not.
  }
  let name = ''
  let notUtf8 = false
  for (let i = 0; i < bytes.length; ) {
    const length = utf8SequenceLength(bytes.subarray(i))
    if (length > 0) {
      name += STRICT_UTF8.decode(bytes.subarray(i, i + length))
      i += length
    } else {
      name += `\\x${(bytes[i] as number).toString(16).padStart(2, '0')}`
      notUtf8 = true
      i += 1
    }
  }
  return {name, notUtf8}
}

// ignoreBOM: a name may start with U+FEFF, which is part of the name, not a byte-order mark.
const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** Length of the valid UTF-8 sequence that starts at bytes[0], or 0 when none does. */
function utf8SequenceLength(bytes: Uint8Array): number {
  const first = bytes[0] as number
  const length = first < 0x80 ? 1 : first < 0xc2 ? 0 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : first < 0xf5 ? 4 : 0
  if (length === 0 || bytes.length < length) return 0
  try {
    STRICT_UTF8.decode(bytes.subarray(0, length))
    return length
  } catch {
    return 0
  }
}

export function classifyEntries(entries: readonly DirEntry[]): MigrationFolder {
  const sorted = [...entries].sort((a, b) => compareFileNames(a.name, b.name))
  const migrations: Migration[] = []
  const skipped: SkippedEntry[] = []
  sorted.forEach((entry, index) => {
    if (entry.notUtf8 || CONTROL_CHARACTERS.test(entry.name)) {
      const what = entry.notUtf8 ? 'is not valid UTF-8' : 'contains a control character'
      skipped.push({
        file: printableName(entry.name),
        reason: `its name ${what}: supabase cannot record or print it cleanly`,
        blocking: true,
        unreadableName: true,
      })
      return
    }
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
  return {migrations: migrations.sort(compareApplyOrder), skipped}
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
