import type {SquashReport} from '../core/squash/squash-report.js'

export function renderSquash(report: SquashReport): string {
  const lines: string[] = []
  if (report.recovered) lines.push(`Finished an interrupted squash into ${report.recovered}.`)
  if (report.status === 'nothing-to-squash') {
    lines.push(`Nothing to squash: ${report.before} migration${report.before === 1 ? '' : 's'} up to that version.`)
    return lines.join('\n')
  }
  const proof = report.proof
  const proved = proof
    ? `proven: ${proof.compared.catalogObjects} catalog objects, ${proof.compared.tables} tables' rows and ${proof.compared.sequences} sequences equal`
    : ''
  const carried = proof
    ? `${proof.objects} objects, ${proof.rows} rows, ${proof.buckets} buckets, ${proof.cronJobs} cron jobs; ${proof.statements} statements`
    : ''
  const verb = report.status === 'dry-run' ? 'Would squash' : 'Squashed'
  lines.push(`${verb} ${report.squashed.length} migrations into ${report.file} (${carried}); ${proved}.`)
  lines.push(`${report.before} files → ${report.after}.`)
  if (report.status === 'squashed') {
    lines.push(report.staged ? 'Staged in git: commit the change.' : 'Written (not tracked by git).')
    lines.push('Databases that applied the originals are repaired by their next sbx push.')
  }
  return lines.join('\n')
}
