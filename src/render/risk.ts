/** A migration's measured risk as lines of text and as the incident report's risk table (markdown). Pure. */

import {blocksReads, blocksWrites, type MigrationRisk} from '../core/risk/risk.js'
import {formatBytes, type RiskViolation} from '../core/risk/risk-policy.js'

const held = (through: readonly number[]) =>
  through.length === 0 ? '' : `, held through statement${through.length === 1 ? '' : 's'} ${ranges(through)}`

/** 1, 2, 3, 5 → "1–3, 5" */
function ranges(numbers: readonly number[]): string {
  const out: string[] = []
  let start = numbers[0] as number
  let previous = start
  for (const n of [...numbers.slice(1), Number.NaN]) {
    if (n === previous + 1) {
      previous = n
      continue
    }
    out.push(start === previous ? `${start}` : `${start}–${previous}`)
    start = n
    previous = n
  }
  return out.join(', ')
}

export function seconds(value: number): string {
  if (value < 0.1) return '< 0.1 s'
  return value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`
}

/** What other sessions cannot do while the migration runs. */
export function downtime(risk: MigrationRisk): string {
  if (risk.blocksReads) return 'reads and writes blocked'
  if (risk.blocksWrites) return 'writes blocked'
  return 'none (online)'
}

/** The locks that block others, e.g. "AccessExclusiveLock on public.big". */
export function blockingLocks(risk: MigrationRisk): string[] {
  return risk.locks.filter((l) => blocksWrites(l.mode)).map((l) => `${l.mode} on ${l.relation}`)
}

/** Indented lines for one migration: its level, each blocking lock, rewrite and scan, sizes and time. */
export function riskLines(risk: MigrationRisk, indent = '   '): string[] {
  const lines = [
    `${indent}risk: ${risk.level}${risk.estimatedSeconds !== undefined ? `, estimated ${seconds(risk.estimatedSeconds)}` : ''} (downtime: ${downtime(risk)})`,
  ]
  for (const lock of risk.locks) {
    if (!blocksWrites(lock.mode) && lock.mode !== 'ShareUpdateExclusiveLock') continue
    const what = blocksReads(lock.mode)
      ? 'blocks reads and writes'
      : blocksWrites(lock.mode)
        ? 'blocks writes'
        : 'online'
    lines.push(
      `${indent}  statement ${lock.statement}: ${lock.mode} on ${lock.relation} (${what}${held(lock.heldThrough)})`,
    )
  }
  for (const r of risk.rewrites) lines.push(`${indent}  statement ${r.statement}: rewrites ${r.relation}`)
  for (const s of risk.scans) lines.push(`${indent}  statement ${s.statement}: ${s.reason} scans all of ${s.relation}`)
  for (const t of risk.tables ?? []) {
    lines.push(
      `${indent}  ${t.relation} on the target: ${formatBytes(t.bytes)}, about ${t.rows.toLocaleString('en-US')} rows`,
    )
  }
  return lines
}

/** The incident report's shape: one row per migration, then the overall risk. */
export function riskTableMarkdown(migrations: ReadonlyArray<{file: string; risk?: MigrationRisk}>): string[] {
  const rows = migrations.filter((m): m is {file: string; risk: MigrationRisk} => m.risk !== undefined)
  if (rows.length === 0) return []
  const out = ['| # | migration | risk | blocking locks | downtime | estimated time |', '|---|---|---|---|---|---|']
  for (const [index, m] of rows.entries()) {
    const locks = blockingLocks(m.risk)
    const extra = [
      ...m.risk.rewrites.map((r) => `rewrites \`${r.relation}\``),
      ...m.risk.scans.map((s) => `${s.reason} on \`${s.relation}\``),
    ]
    const level = m.risk.level === 'low' ? 'LOW' : `**${m.risk.level.toUpperCase()}**`
    out.push(
      `| ${index + 1} | \`${m.file}\` | ${level} | ${[...locks.map((l) => `\`${l}\``), ...extra].join('<br>') || 'none'} | ${downtime(m.risk)} | ${m.risk.estimatedSeconds === undefined ? 'no target' : seconds(m.risk.estimatedSeconds)} |`,
    )
  }
  const order = ['low', 'medium', 'high']
  const overall = rows.map((m) => m.risk.level).reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), 'low')
  const total = rows.every((m) => m.risk.estimatedSeconds !== undefined)
    ? seconds(rows.reduce((sum, m) => sum + (m.risk.estimatedSeconds ?? 0), 0))
    : 'no target'
  const worst = rows.some((m) => m.risk.blocksReads)
    ? 'reads and writes blocked'
    : rows.some((m) => m.risk.blocksWrites)
      ? 'writes blocked'
      : 'none (online)'
  out.push(`| | **overall** | **${overall.toUpperCase()}** | | ${worst} | ${total} |`)
  return out
}

/** One line per refused statement: table, size, estimate, what to write instead. */
export function violationLine(v: RiskViolation): string {
  const size = v.bytes === undefined ? 'size unknown on the target' : `${formatBytes(v.bytes)} on the target`
  const estimate = v.estimatedSeconds === undefined ? '' : `, estimated ${seconds(v.estimatedSeconds)}`
  const why =
    v.why === 'AccessExclusiveLock'
      ? 'holds AccessExclusiveLock on'
      : v.why === 'rewrite'
        ? 'rewrites'
        : `${v.why} scans`
  return `${v.file} statement ${v.statement} (${v.sql}) ${why} ${v.relation} (${size}${estimate}): instead, ${v.saferForm}.`
}
