/**
 * The rename audit file `supabase/sbx-renames.jsonl`: one JSON object per line, only ever appended.
 * Committed with the project and merged with `merge=union`, so lines from two branches both survive.
 */
import type {FollowUpReason} from '../watch/follow-up.js'
import type {RenameReason} from './rename-plan.js'

export const AUDIT_FILE = 'sbx-renames.jsonl'

export interface AuditEntry {
  /** ISO-8601 UTC. */
  at: string
  from: string
  to: string
  /** A rename's reason, or (from `sbx watch`) a write through a renamed migration's old name merged into it. */
  reason: RenameReason | 'interrupted-rename-completed' | 'fetched-from-database' | 'squashed' | FollowUpReason
  kept?: string
  /** Of the content, which a rename never changes; after a follow-up, of the merged content; after a squash, of
   * the squashed file (`to`), whose version and name are those of the newest squashed file. */
  sha256: string
  by: {user: string; host: string; pid: number; command: string}
}

export interface AuditLog {
  entries: AuditEntry[]
  /** Lines that are not a complete entry, with 1-based line numbers; `torn` marks an unfinished last line. */
  problems: Array<{line: number; text: string; torn: boolean}>
}

export function formatAuditLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`
}

export function parseAuditLog(text: string): AuditLog {
  const entries: AuditEntry[] = []
  const problems: AuditLog['problems'] = []
  const lines = text.split('\n')
  const endsCleanly = text === '' || text.endsWith('\n')
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const isLast = index === lines.length - 1
    const entry = parseEntry(line)
    if (entry && !(isLast && !endsCleanly)) entries.push(entry)
    else problems.push({line: index + 1, text: line, torn: isLast && !endsCleanly})
  })
  return {entries, problems}
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<AuditEntry>
    if (typeof value.from === 'string' && typeof value.to === 'string' && typeof value.at === 'string') {
      return value as AuditEntry
    }
  } catch {
    // Reported as a problem by the caller.
  }
  return undefined
}
