import type {PushReport} from '../core/push-report.js'
import {renderFinding} from './findings.js'
import {violationLine} from './risk.js'
import {renderVerify} from './verify.js'

const migrations = (n: number) => `${n} migration${n === 1 ? '' : 's'}`

export function renderPush(report: PushReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1)
  switch (report.status) {
    case 'up-to-date':
      return `Up to date: ${report.target} has all ${migrations(report.alreadyApplied)}.`
    case 'dry-run':
      return [
        `Dry run: would push ${migrations(report.applied.length)} to ${report.target}:`,
        ...report.applied.map((f) => `  • ${f}`),
      ].join('\n')
    case 'pushed':
      return [
        `Pushed ${migrations(report.applied.length)} to ${report.target} in ${seconds}s (${report.alreadyApplied} already applied):`,
        ...report.applied.map((f) => `  • ${f}`),
      ].join('\n')
    case 'drift':
      return [
        `Pushed ${migrations(report.applied.length)} to ${report.target} in ${seconds}s, but it differs from its migrations: ${report.drift?.length ?? 0} missing:`,
        ...(report.drift ?? []).map((o) => `  • ${o.kind} ${o.qualified}`),
        'Something changed the target outside the migrations: restore the objects, or write a migration that matches what it holds.',
      ].join('\n')
    case 'refused': {
      const why = report.verify
        ? renderVerify(report.verify)
        : report.risk
          ? [
              ...report.risk.map(violationLine),
              '[verify] risk = "error" in supabase/sbx.toml refuses these: exit 3.',
            ].join('\n')
          : (report.findings ?? []).map(renderFinding).join('\n')
      return `Refused: nothing was sent to ${report.target}.\n${why}`
    }
  }
}
