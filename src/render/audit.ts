import type {AuditLog} from '../core/migrations/audit.js'

export function renderAuditLog(log: AuditLog): string {
  const lines = log.entries.map((e) => {
    const why = e.kept ? `${e.reason}, ${e.kept} kept the version` : e.reason
    return `${e.at}  ${e.from} → ${e.to}  (${why})  by ${e.by?.user ?? '?'}@${e.by?.host ?? '?'} pid ${e.by?.pid ?? '?'}: ${e.by?.command ?? '?'}`
  })
  if (log.entries.length === 0) lines.push('No renames recorded.')
  for (const problem of log.problems) {
    lines.push(
      problem.torn
        ? `warning: line ${problem.line} is incomplete (a write was interrupted); it is ignored: ${problem.text.slice(0, 80)}`
        : `warning: line ${problem.line} is not an audit entry; it is ignored: ${problem.text.slice(0, 80)}`,
    )
  }
  return lines.join('\n')
}
