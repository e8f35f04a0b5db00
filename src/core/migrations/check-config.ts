/**
 * `[check]` in supabase/sbx.toml: `ignore` lists file name patterns (`*` and `?`, as in a shell) of files in
 * supabase/migrations that supabase skips on purpose (`local_20240107152745_ollama.sql`, a README…). check, fix and
 * push then note them instead of blocking. Pure.
 */
import type {MigrationFolder} from './migration-file.js'

export const CHECK_EXPECTED = {
  ignore: 'a list of file name patterns supabase may skip on purpose, e.g. ["local_*.sql"]',
} as const

export type {CheckSettings} from '../config-sections.js'

/** `*` any run of characters, `?` one; everything else literal. The whole name must match. */
export function globMatches(pattern: string, name: string): boolean {
  const source = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/u, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`, 'su').test(name)
}

/** The folder with each skipped file that matches `ignore` marked intended: a note, never blocking. */
export function withIntendedSkips<T extends Pick<MigrationFolder, 'skipped'>>(folder: T, ignore: readonly string[]): T {
  if (ignore.length === 0) return folder
  return {
    ...folder,
    skipped: folder.skipped.map((entry) =>
      !entry.unreadableName && ignore.some((pattern) => globMatches(pattern, entry.file))
        ? {...entry, blocking: false, intended: true}
        : entry,
    ),
  }
}
