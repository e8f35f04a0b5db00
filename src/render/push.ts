import type {InterruptedFile} from '../core/push/interrupted-push.js'
import type {PushReport} from '../core/push/push-report.js'
import {renderFinding} from './findings.js'
import {violationLine} from './risk.js'
import {renderVerify} from './verify.js'

const migrations = (n: number) => `${n} migration${n === 1 ? '' : 's'}`

export function renderPush(report: PushReport): string {
  const repair = renderRepair(report)
  return repair ? `${repair}\n${renderStatus(report)}` : renderStatus(report)
}

function renderRepair(report: PushReport): string | undefined {
  if (!report.repair) return undefined
  const verb = report.repair.dryRun ? 'Would repair' : 'Repaired'
  return report.repair.rows
    .map(
      (row) =>
        `${verb} the history of ${report.target}: the rows of ${migrations(row.replaces.length)} squashed into ${row.file} ${report.repair?.dryRun ? 'would be' : 'are'} replaced by its row.`,
    )
    .join('\n')
}

function renderStatus(report: PushReport): string {
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
      if (report.interrupted)
        return [`Refused: nothing was sent to ${report.target}.`, ...renderInterrupted(report.interrupted)].join('\n')
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

/** A file a killed push left partly committed: what happened, then what to do, built from the journal entry. */
export function renderInterrupted(files: readonly InterruptedFile[]): string[] {
  return files.flatMap((f) => [
    `error  ${f.pending} was being applied by a push that stopped before supabase recorded it (${f.startedBy}, started ${f.startedAt}): the file commits its own transactions, so its first ones may already be in the database, and applying it again would repeat them.`,
    `       Check which of its transactions the database holds, then: edit the file down to what is left to apply and push again; if all of it is there, record it with supabase migration repair --status applied ${f.version}; if none is, delete the mark: delete from supabase_migrations.sbx_push_journal where run = '${f.run}'.`,
  ])
}
