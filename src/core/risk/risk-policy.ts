/**
 * `[verify] risk = "error"`: a push refuses a migration that holds AccessExclusiveLock on, rewrites, or scans
 * under a write-blocking lock a table larger than `[verify] large_table` on the target, and says what to write
 * instead. A table whose size is unknown (the target cannot be read: --linked) counts as large.
 */
import {type MigrationRisk, stripComments, type TableStats} from './risk.js'
import {estimateSeconds, type Work} from './risk-time.js'

const UNITS: Record<string, number> = {b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4}

/** "100MB", "1.5 GB", "512kB" (PostgreSQL's units, powers of 1024) → bytes; undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)\s*$/iu.exec(text)
  if (!match) return undefined
  return Math.round(Number(match[1]) * (UNITS[(match[2] as string).toLowerCase()] as number))
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export interface RiskViolation {
  file: string
  statement: number
  /** The statement's text, on one line. */
  sql: string
  relation: string
  /** undefined: the target's size is unknown. */
  bytes?: number
  why: 'AccessExclusiveLock' | 'rewrite' | 'index build' | 'validation'
  estimatedSeconds?: number
  saferForm: string
}

export function riskViolations(
  file: string,
  statements: readonly string[],
  risk: MigrationRisk,
  stats: ReadonlyMap<string, TableStats> | undefined,
  largeTableBytes: number,
): RiskViolation[] {
  const found = new Map<string, RiskViolation>()
  const add = (statement: number, relation: string, why: RiskViolation['why'], work?: Work) => {
    const table = stats?.get(relation)
    if (stats && (!table || table.bytes <= largeTableBytes)) return
    const key = `${statement} ${relation}`
    const sql = oneLine(statements[statement] ?? '')
    const existing = found.get(key)
    // A rewrite says more than the lock that comes with it.
    if (existing && why === 'AccessExclusiveLock') return
    found.set(key, {
      file,
      statement,
      sql,
      relation,
      ...(table ? {bytes: table.bytes} : {}),
      why,
      ...(work && stats ? {estimatedSeconds: estimateSeconds([work], stats)} : {}),
      saferForm: saferForm(statements[statement] ?? '', why),
    })
  }
  for (const lock of risk.locks) {
    if (lock.mode === 'AccessExclusiveLock') add(lock.statement, lock.relation, 'AccessExclusiveLock')
  }
  for (const r of risk.rewrites) add(r.statement, r.relation, 'rewrite', {kind: 'rewrite', relation: r.relation})
  for (const s of risk.scans) {
    const kind =
      s.reason === 'index build' ? 'index build' : s.reason === 'foreign key validation' ? s.reason : 'validation'
    add(s.statement, s.relation, s.reason === 'index build' ? 'index build' : 'validation', {
      kind,
      relation: s.relation,
    })
  }
  return [...found.values()].sort((a, b) => a.statement - b.statement || (a.relation < b.relation ? -1 : 1))
}

/** What to write instead, from the statement's form. */
export function saferForm(statement: string, why: RiskViolation['why']): string {
  const sql = stripComments(statement)
  if (/^\s*create\s+(unique\s+)?index\b/iu.test(sql)) {
    return 'CREATE INDEX CONCURRENTLY, alone in its file (supabase runs it outside the transaction)'
  }
  if (
    /\balter\s+column\b[\s\S]*\btype\b|\balter\s+column\s+\S+\s+type\b/iu.test(sql) ||
    /\bset\s+data\s+type\b/iu.test(sql)
  ) {
    return 'add a new column of the new type, backfill it in batches, then switch reads and writes to it'
  }
  if (/\badd\s+(column\s+)?[\s\S]*\bdefault\b/iu.test(sql) && why === 'rewrite') {
    return 'add the column without a volatile default (none, or a constant), then backfill it in batches'
  }
  if (/\bset\s+not\s+null\b/iu.test(sql)) {
    return 'ADD CONSTRAINT … CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later file, then SET NOT NULL (no scan)'
  }
  if (why === 'validation' || /\badd\s+constraint\b/iu.test(sql)) {
    return 'ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later file (it takes only ShareUpdateExclusiveLock)'
  }
  if (why === 'rewrite') return 'avoid the rewrite: add a new table or column and backfill it in batches'
  return "SET lock_timeout = '5s' at the top of the file, so the lock gives up instead of queueing every query behind it"
}

function oneLine(statement: string): string {
  const line = statement.replace(/\s+/gu, ' ').trim()
  return line.length > 120 ? `${line.slice(0, 117)}…` : line
}
