/**
 * Files a killed push may have left partly committed. supabase records a file's history row only at the end of the
 * file; a file with its own BEGIN/COMMIT blocks commits each block as it goes. So when a push is killed (its whole
 * process group: sbx, its guardian and supabase), the file in flight can hold committed blocks and no row, and the
 * next push would apply those blocks again. Before supabase runs, push records in the target a journal entry: the
 * files it sends, in order, which of them manage their own transactions, and their content hashes. Pure: decides,
 * from the entries left behind, the history and the files now pending, what was interrupted.
 *
 * The file in flight of an entry is its first file with no history row (supabase applies in order and stops at the
 * first failure; every file before it has its row). It can be partly committed only if it manages its own
 * transactions (any other file is one transaction with its row). It blocks while a pending file has the same
 * content: once the file is edited (down to what is left to apply), removed, or its version recorded as applied
 * (`supabase migration repair --status applied`), the entry is resolved.
 */

export interface JournalEntry {
  run: string
  /** File names in the order supabase was to apply them. */
  files: string[]
  /** Those that manage their own transactions (BEGIN/COMMIT, CREATE INDEX CONCURRENTLY …). */
  autocommit: string[]
  /** sha256 of each file's content, parallel to `files`. */
  sha256: string[]
  startedBy: string
  startedAt: string
}

export interface InterruptedFile {
  /** The file as the killed push named it. */
  file: string
  version: string
  /** The pending file holding that content now (it may have been renamed since). */
  pending: string
  run: string
  startedBy: string
  startedAt: string
}

export interface InterruptedVerdict {
  interrupted: InterruptedFile[]
  /** Entries with nothing left to fear: delete them. */
  resolved: string[]
}

export function judgeInterruptedPushes(input: {
  entries: readonly JournalEntry[]
  applied: ReadonlySet<string>
  /** Pending files (not in the history) and the sha256 of each one's content. */
  pending: ReadonlyMap<string, string>
}): InterruptedVerdict {
  const interrupted: InterruptedFile[] = []
  const resolved: string[] = []
  const byHash = new Map([...input.pending].map(([file, hash]) => [hash, file]))
  for (const entry of input.entries) {
    const index = entry.files.findIndex((file) => !input.applied.has(versionOf(file)))
    const file = entry.files[index]
    const pending =
      file !== undefined && entry.autocommit.includes(file) ? byHash.get(entry.sha256[index] ?? '') : undefined
    if (file === undefined || pending === undefined) {
      resolved.push(entry.run)
      continue
    }
    interrupted.push({
      file,
      version: versionOf(file),
      pending,
      run: entry.run,
      startedBy: entry.startedBy,
      startedAt: entry.startedAt,
    })
  }
  return {interrupted, resolved}
}

function versionOf(file: string): string {
  return /^([0-9]+)_/u.exec(file)?.[1] ?? file
}
