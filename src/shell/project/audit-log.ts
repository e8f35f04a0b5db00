/** Appending to and reading the rename audit file. Each line is written with one append and flushed. */
import fs from 'node:fs/promises'
import path from 'node:path'
import {
  AUDIT_FILE,
  type AuditEntry,
  type AuditLog,
  formatAuditLine,
  parseAuditLog,
} from '../../core/migrations/audit.js'

export function auditPath(workdir: string): string {
  return path.join(workdir, 'supabase', AUDIT_FILE)
}

export async function appendAudit(workdir: string, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  const file = auditPath(workdir)
  const handle = await fs.open(file, 'a+')
  try {
    const {size} = await handle.stat()
    // A crash mid-write leaves a torn last line: start on a fresh line so this entry stays readable.
    let prefix = ''
    if (size > 0) {
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      if (last[0] !== 0x0a) prefix = '\n'
    }
    await handle.appendFile(prefix + entries.map(formatAuditLine).join(''))
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function readAudit(workdir: string): Promise<AuditLog> {
  const text = await fs.readFile(auditPath(workdir), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  return parseAuditLog(text)
}
