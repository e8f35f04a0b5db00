/** The advisors and lint parts of `sbx verify`'s human report: short, blocking findings first. Pure. */
import type {AdvisorFinding, AdvisorsReport} from '../core/verify/advisors.js'
import type {LintFinding, LintReport} from '../core/verify/lint.js'

const INDENT = '       '
/** Non-blocking lint findings listed one by one up to this many; beyond, counts per rule. */
const MAX_LINT_LINES = 10

export function renderAdvisors(report: AdvisorsReport | undefined): string[] {
  if (!report || report.status === 'off') return []
  if (report.status === 'skipped') return [`note   Advisors not run: ${report.reason}.`]
  const shown = report.findings.filter((finding) => !finding.ignored && finding.level !== 'INFO')
  const ignored = report.findings.filter((finding) => finding.ignored).length
  const info = report.findings.filter((finding) => !finding.ignored && finding.level === 'INFO').length
  const lines = shown.map(advisorLine)
  const extra = [
    ...(info > 0 ? [`${info} INFO`] : []),
    ...(ignored > 0 ? [`${ignored} ignored by [verify] ignore`] : []),
  ]
  const counts = `${plural(shown.length, 'finding')}${extra.length > 0 ? ` (+ ${extra.join(', ')})` : ''}`
  const blocking = report.findings.filter((finding) => finding.blocking).length
  lines.push(
    `${blocking > 0 ? 'error ' : 'ok    '} Security advisors (supabase ${report.supabase}): ${counts}; ${
      blocking > 0 ? `${blocking} block (${blockingRule(report)})` : blockingNote(report)
    }.`,
  )
  return lines
}

function advisorLine(finding: AdvisorFinding): string {
  const tag = finding.blocking ? 'error  ' : 'warn   '
  const object = [finding.object.schema, finding.object.name].filter(Boolean).join('.')
  const where = finding.migration ? `created by ${finding.migration}` : 'not created by a migration (baseline)'
  const altered = finding.alteredBy.length > 0 ? `, altered by ${finding.alteredBy.join(', ')}` : ''
  return `${tag}${finding.level} ${finding.rule}: ${finding.object.type ?? 'object'} ${object}, ${where}${altered}\n${INDENT}${finding.remediation}`
}

function blockingRule(report: AdvisorsReport): string {
  const level = report.level === 'warn' ? 'WARN or ERROR' : 'ERROR'
  const scope =
    report.scope === 'branch'
      ? "on this branch's objects"
      : report.scope === 'unapplied'
        ? 'on objects of unapplied migrations'
        : 'on objects migrations create'
  return `${level} ${scope}`
}

function blockingNote(report: AdvisorsReport): string {
  if (report.level === 'report') return 'report only ([verify] advisors = "error" makes ERROR block)'
  return `none blocks (${blockingRule(report)} would)`
}

export function renderLint(report: LintReport | undefined): string[] {
  if (!report || report.status === 'off') return []
  const blocking = report.findings.filter((finding) => finding.blocking)
  const others = report.findings.filter((finding) => !finding.blocking)
  const lines = blocking.map(lintLine)
  if (others.length <= MAX_LINT_LINES) lines.push(...others.map(lintLine))
  else {
    const byRule = new Map<string, number>()
    for (const finding of others) byRule.set(finding.rule, (byRule.get(finding.rule) ?? 0) + 1)
    const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ×${n}`)
    lines.push(`warn   Lint: ${rules.join(', ')} (sbx lint, or --json, lists them).`)
  }
  const files = plural(report.files.length, 'file')
  const head = blocking.length > 0 ? 'error ' : 'ok    '
  const tail =
    blocking.length > 0
      ? `${blocking.length} block`
      : report.level === 'report'
        ? 'report only ([lint] level = "warn" makes them block)'
        : 'none blocks'
  lines.push(
    `${head} Lock-safety lint (squawk ${report.squawk}) of ${files}: ${plural(report.findings.length, 'finding')}; ${tail}.`,
  )
  return lines
}

export function lintLine(finding: LintFinding): string {
  const tag = finding.blocking ? 'error  ' : 'warn   '
  return `${tag}${finding.file} statement ${finding.statementIndex} (line ${finding.line}): ${finding.rule}: ${finding.message}\n${INDENT}${finding.help ? `${finding.help} ` : ''}${finding.docs}`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
