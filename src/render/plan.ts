/**
 * `sbx plan` as text (terminal), markdown (a pull request comment: short, headed, a Mermaid graph; file names
 * only, nothing from the environment) and GitHub annotations. Pure.
 */

import type {PlannedMigration, PlanReport} from '../core/plan/plan-report.js'
import type {MigrationRisk} from '../core/risk/risk.js'
import type {DbObject} from '../core/sql/catalog.js'
import {riskLines, riskTableMarkdown} from './risk.js'

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function objects(list: readonly DbObject[]): string {
  return list.map((o) => `${o.kind} ${o.qualified}`).join(', ')
}

function dependsOn(m: PlannedMigration): string {
  return m.dependsOn.length === 0 ? 'nothing pending or applied' : m.dependsOn.join(', ')
}

/** `statement 0 (needs pgmq), statement 1 (needs pgmq, through set_vt_batch)`. */
export function skippedText(m: PlannedMigration): string {
  return m.skipped
    .map(
      (skip) =>
        `statement ${skip.statementIndex} (needs ${skip.needs.join(', ')}${skip.through ? `, through ${skip.through}` : ''})`,
    )
    .join(', ')
}

/** The pending migrations the replay did not reach, as a sentence, or undefined. */
function notReplayedText(report: PlanReport): string | undefined {
  if (report.notReplayed.length === 0) return undefined
  const n = report.notReplayed.length
  return `The replay failed, so ${n === 1 ? 'this one was' : `these ${n} were`} not replayed and ${n === 1 ? 'is' : 'are'} not described: ${report.notReplayed.join(', ')}.`
}

export function renderPlanText(report: PlanReport): string {
  if (report.pending === 0 && !report.failure) {
    return `Nothing pending (${report.applied} applied, compared with ${report.against}).`
  }
  const lines = [
    `${count(report.pending, 'pending migration')} (compared with ${report.against}; ${report.applied} applied), in the order supabase runs them:`,
  ]
  for (const [index, m] of report.migrations.entries()) {
    lines.push(`${index + 1}. ${m.file}${m.transaction ? '' : '  (not one transaction)'}  ${m.replayMs} ms`)
    if (m.creates.length > 0) lines.push(`   creates: ${objects(m.creates)}`)
    if (m.alters.length > 0) lines.push(`   alters:  ${objects(m.alters)}`)
    if (m.drops.length > 0) lines.push(`   drops:   ${objects(m.drops)}`)
    if (m.skipped.length > 0) {
      lines.push(`   skipped on the embedded database: ${skippedText(m)}; what they do is not listed`)
    }
    lines.push(`   depends on: ${dependsOn(m)}`)
    for (const [i, statement] of m.destructive.entries()) {
      lines.push(`   DESTRUCTIVE (${m.destructiveReasons[i]}): ${oneLine(statement)}`)
    }
    if (m.risk) lines.push(...riskLines(m.risk))
  }
  if (report.renames.length > 0) {
    lines.push('', 'Renames sbx made:')
    for (const r of report.renames) lines.push(`  ${r.from} → ${r.to} (${r.reason}${r.kept ? `; ${r.kept} kept` : ''})`)
  }
  if (report.checklist.length > 0) {
    lines.push('', 'After the deploy these must exist:')
    for (const o of report.checklist) lines.push(`  ${o.kind} ${o.qualified}`)
  }
  if (report.failure) {
    lines.push(
      '',
      `Replay failed at ${report.failure.file}, statement ${report.failure.statementIndex}: ${report.failure.error.message}`,
    )
  }
  const unreached = notReplayedText(report)
  if (unreached) lines.push(unreached)
  return lines.join('\n')
}

export function renderPlanMarkdown(report: PlanReport): string {
  const out = ['## sbx plan', '']
  if (report.failure) {
    out.push(
      `> **Replay failed** at \`${report.failure.file}\`, statement ${report.failure.statementIndex}: ${escapeMd(report.failure.error.message)}`,
      '',
    )
  }
  const unreached = notReplayedText(report)
  if (unreached) out.push(`> ${escapeMd(unreached)}`, '')
  if (report.migrations.length === 0) {
    if (report.pending === 0) out.push(`Nothing pending (${report.applied} applied).`)
    return out.join('\n')
  }
  const destructive = report.migrations.filter((m) => m.destructive.length > 0)
  out.push(
    `${count(report.pending, 'pending migration')} (${report.applied} applied), in the order supabase runs them. ` +
      (destructive.length === 0
        ? 'None can lose data.'
        : `**${count(destructive.length, 'migration')} can lose data.**`),
    '',
    '| # | migration | creates | alters | drops | depends on | one transaction | data loss |',
    '|---|---|---|---|---|---|---|---|',
  )
  for (const [index, m] of report.migrations.entries()) {
    out.push(
      `| ${index + 1} | \`${m.file}\` | ${cell(m.creates)} | ${cell(m.alters)} | ${cell(m.drops)} | ${m.dependsOn.map((f) => `\`${f}\``).join('<br>') || '—'} | ${m.transaction ? 'yes' : '**no**'} | ${m.destructive.length > 0 ? `**${m.destructiveReasons.join(', ')}**` : 'none'} |`,
    )
  }
  const partly = report.migrations.filter((m) => m.skipped.length > 0)
  if (partly.length > 0) {
    out.push('', '### Skipped on the embedded database', '')
    for (const m of partly) out.push(`- \`${m.file}\`: ${escapeMd(skippedText(m))}; what they do is not listed`)
  }
  const risk = riskTableMarkdown(report.migrations)
  if (risk.length > 0) {
    out.push(
      '',
      '### Risk',
      '',
      "Measured on the replay (locks its backend held, rewrites, whole-table scans); sizes and estimated time from the target's statistics.",
      '',
      ...risk,
    )
    const risky = report.migrations.filter((m) => m.risk && m.risk.level !== 'low')
    for (const m of risky) {
      out.push(
        '',
        `<details><summary>\`${m.file}\`: ${m.risk?.level}</summary>`,
        '',
        '```',
        ...riskLines(m.risk as MigrationRisk, ''),
        '```',
        '',
        '</details>',
      )
    }
  }
  out.push('', '### Dependencies', '', '```mermaid', mermaid(report), '```')
  if (destructive.length > 0) {
    out.push('', '### Statements that can lose data', '')
    for (const m of destructive) {
      for (const [i, statement] of m.destructive.entries()) {
        out.push(`- \`${m.file}\` (${m.destructiveReasons[i]}): \`${escapeMd(oneLine(statement))}\``)
      }
    }
  }
  if (report.renames.length > 0) {
    out.push('', '### Renames sbx made', '')
    for (const r of report.renames) {
      out.push(`- \`${r.from}\` → \`${r.to}\`: ${r.reason}${r.kept ? ` (\`${r.kept}\` kept its version)` : ''}`)
    }
  }
  if (report.checklist.length > 0) {
    out.push('', `<details><summary>Post-deploy checklist: ${count(report.checklist.length, 'object')}</summary>`, '')
    for (const o of report.checklist) out.push(`- [ ] ${o.kind} \`${o.qualified}\``)
    out.push('', '</details>')
  }
  return out.join('\n')
}

/** Pending migrations as nodes, an edge from each prerequisite to what needs it; applied prerequisites dashed. */
export function mermaid(report: PlanReport): string {
  const pending = new Set(report.migrations.map((m) => m.file))
  const id = (file: string) => `m${file.split('_')[0]}`
  const lines = ['graph TD']
  for (const m of report.migrations) lines.push(`  ${id(m.file)}["${m.file}"]`)
  const applied = new Set<string>()
  for (const m of report.migrations) {
    for (const dep of m.dependsOn) {
      if (!pending.has(dep) && !applied.has(dep)) {
        applied.add(dep)
        lines.push(`  ${id(dep)}["${dep} (applied)"]`)
      }
      lines.push(`  ${id(dep)} ${pending.has(dep) ? '-->' : '-.->'} ${id(m.file)}`)
    }
  }
  return lines.join('\n')
}

function cell(list: readonly DbObject[]): string {
  if (list.length === 0) return '—'
  const shown = list.filter((o) => o.kind !== 'column' || list.length <= 6).slice(0, 8)
  const rest = list.length - shown.length
  return shown.map((o) => `${o.kind} \`${o.qualified}\``).join('<br>') + (rest > 0 ? `<br>…and ${rest} more` : '')
}

function oneLine(statement: string): string {
  const line = statement.replace(/\s+/gu, ' ').trim()
  // Cut at a code point, never inside an emoji.
  const points = [...line]
  return points.length > 120 ? `${points.slice(0, 117).join('')}…` : line
}

function escapeMd(text: string): string {
  return text.replace(/\|/gu, '\\|').replace(/`/gu, "'")
}
