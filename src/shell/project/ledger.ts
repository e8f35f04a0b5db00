/**
 * The highest version sbx has handed out per project, kept beside the lock. It lets two worktrees get
 * distinct versions before either commits, and keeps a deleted file's version from being reused.
 * Read and written only under the lock.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

type Ledger = Record<string, string>

function ledgerPath(lockHome: string): string {
  return path.join(lockHome, 'ledger.json')
}

function readLedger(lockHome: string): Ledger {
  try {
    const parsed: unknown = JSON.parse(readFileSync(ledgerPath(lockHome), 'utf8'))
    return parsed && typeof parsed === 'object' ? (parsed as Ledger) : {}
  } catch {
    // Missing or torn (the write below is atomic, so torn means edited by hand): start afresh; the
    // migrations folders still hold every version that matters.
    return {}
  }
}

export function lastHandedOut(lockHome: string, projectKey: string): string | undefined {
  const value = readLedger(lockHome)[projectKey]
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined
}

export function recordHandedOut(lockHome: string, projectKey: string, version: string): void {
  const ledger = readLedger(lockHome)
  const previous = ledger[projectKey]
  if (previous !== undefined && previous >= version) return
  ledger[projectKey] = version
  const tmp = `${ledgerPath(lockHome)}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(ledger, null, 2)}\n`)
  renameSync(tmp, ledgerPath(lockHome))
}
