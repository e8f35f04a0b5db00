/**
 * What `sbx watch` does when a writer keeps using a migration's old name after watch renamed it. Pure.
 *
 * A writer told "your migration is at 20260101000000_x.sql" goes on writing there: appending
 * (`>>`, appendFile), truncating and rewriting (`>`, writeFile), or replacing the file atomically (an
 * editor's save: write a temp file, rename it over the name). After the rename the old name is free, so
 * each of those creates a fresh file there. Watch keeps a forwarding table old name → current name for
 * its session, and merges each fresh old-name file into the current one.
 *
 * Telling the three apart from the file alone: a file moved in whole (no write under the old name) is an
 * atomic replace, so its content is the new content. A fresh file that begins with the current content
 * (or equals it) is a rewrite that kept what was there. Anything else is taken as an append. An append and
 * a truncate-and-rewrite both create a fresh file at the old name and cannot be told apart by the file
 * system: a rewrite whose new content does not begin with the old content is taken as an append.
 */

export type FollowUpReason = 'appended-after-rename' | 'rewritten-after-rename' | 'written-after-rename'

export interface FollowUpMerge {
  reason: Extract<FollowUpReason, 'appended-after-rename' | 'rewritten-after-rename'>
  content: Uint8Array
}

/**
 * `current`: the renamed migration's bytes now. `incoming`: the fresh old-name file's bytes.
 * `movedIn`: the old name's content arrived whole, without a write under that name.
 * `merged`: bytes of this same old-name file (same inode) an earlier merge already took, when that file
 * could not be removed because it changed meanwhile: only what follows them is new.
 */
export function mergeFollowUp(
  current: Uint8Array,
  incoming: Uint8Array,
  options: {movedIn: boolean; merged?: {bytes: number; reason: FollowUpMerge['reason']}},
): FollowUpMerge {
  const {movedIn, merged} = options
  if (movedIn || (merged?.reason ?? classify(current, incoming)) === 'rewritten-after-rename') {
    return {reason: 'rewritten-after-rename', content: incoming}
  }
  const added = merged ? incoming.subarray(Math.min(merged.bytes, incoming.length)) : incoming
  return {reason: 'appended-after-rename', content: concat(current, added)}
}

function classify(current: Uint8Array, incoming: Uint8Array): FollowUpMerge['reason'] {
  return startsWith(incoming, current) ? 'rewritten-after-rename' : 'appended-after-rename'
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > data.length) return false
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false
  return true
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** One old name watch renamed this session: where its migration is now, and what the audit last recorded. */
export interface Forward {
  current: string
  /** sha256 of the current file as the last audit line for it recorded. */
  sha256: string
  /** The old-name file merged last but not removed (it changed meanwhile): its inode and what was taken. */
  merged?: {ino: number; bytes: number; reason: FollowUpMerge['reason']}
}

/**
 * The watch session's forwarding table. A file renamed twice (a → b, then b → c) forwards both a and b
 * to c. Forgotten when the folder goes away: the names in a folder that comes back are its own.
 */
export class Forwarding {
  private readonly forwards = new Map<string, Forward>()

  /** Old name → its forward, if the old name is one watch renamed away this session. */
  get(oldName: string): Forward | undefined {
    return this.forwards.get(oldName)
  }

  /** Old names that forward to `current`. */
  oldNamesOf(current: string): string[] {
    return [...this.forwards].filter(([, forward]) => forward.current === current).map(([name]) => name)
  }

  isCurrent(name: string): boolean {
    return [...this.forwards.values()].some((forward) => forward.current === name)
  }

  /** Watch renamed `from` to `to`, whose content has this sha256. */
  renamed(from: string, to: string, sha256: string): void {
    for (const forward of this.forwards.values()) {
      if (forward.current === from) {
        forward.current = to
        forward.sha256 = sha256
      }
    }
    this.forwards.set(from, {current: to, sha256})
    // A name watch moved a file to is no longer an old name, even if it was one.
    this.forwards.delete(to)
  }

  /** The current file now holds content with this sha256 (a merge, or a write noticed in place). */
  recorded(current: string, sha256: string): void {
    for (const forward of this.forwards.values()) if (forward.current === current) forward.sha256 = sha256
  }

  /** The old-name file was merged but could not be removed: remember what was taken from which inode. */
  partlyMerged(oldName: string, merged: NonNullable<Forward['merged']>): void {
    const forward = this.forwards.get(oldName)
    if (forward) forward.merged = merged
  }

  /** The old-name file was merged and removed: a later file there is a fresh one. */
  consumed(oldName: string): void {
    const forward = this.forwards.get(oldName)
    if (forward) delete forward.merged
  }

  /** Stops forwarding `oldName` (its migration is gone: a file there is a newcomer again). */
  forget(oldName: string): void {
    this.forwards.delete(oldName)
  }

  clear(): void {
    this.forwards.clear()
  }
}
