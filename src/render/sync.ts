/** `sbx sync` as human text: what was (or would be) adopted, fetched and moved, and what sync refused. Pure. */
import type {Finding} from '../core/migrations/findings.js'
import type {Rename} from '../core/migrations/rename-plan.js'
import type {SyncConflict} from '../core/sync/sync-plan.js'
import {renderFinding, renderRename} from './findings.js'

/** What `sbx sync` reports (src/workflows/sync.ts), in core types only. */
export interface SyncOutcome {
  target: string
  dryRun: boolean
  adopted: readonly Rename[]
  fetched: ReadonlyArray<{file: string; version: string}>
  renames: readonly Rename[]
  conflicts: readonly SyncConflict[]
  remaining: readonly Finding[]
  registryWarning?: string
}

export function renderSync(report: SyncOutcome): string {
  const would = report.dryRun ? 'would ' : ''
  const lines = [
    ...report.adopted.map(
      (r) =>
        `${report.dryRun ? 'would rename' : 'renamed'} ${r.from} → ${r.to} (the database applied its SQL as that version)`,
    ),
    ...report.fetched.map(
      (f) =>
        `${would}${report.dryRun ? 'write' : 'wrote'} ${f.file} (from the statements recorded in ${report.target})`,
    ),
    ...report.renames.map((r) => renderRename(r, report.dryRun)),
  ]
  if (lines.length === 0 && report.conflicts.length === 0) lines.push(`In sync with ${report.target}.`)
  if (report.conflicts.length > 0) lines.push('', ...report.conflicts.map(renderConflict))
  if (report.remaining.length > 0) lines.push('', 'Still blocking:', ...report.remaining.map(renderFinding))
  if (report.registryWarning) lines.push(report.registryWarning)
  if (report.dryRun) lines.push('Dry run: nothing was changed.')
  return lines.join('\n')
}

export function renderConflict(conflict: SyncConflict): string {
  if (conflict.kind === 'no-recorded-statements') {
    return `error  version ${conflict.version}${conflict.name ? ` (${conflict.name})` : ''} has no local file and its history row records no statements, so sbx cannot write it.\n       Restore the file from where it was written, or if it was removed on purpose: supabase migration repair --status reverted ${conflict.version}`
  }
  const versions = conflict.versions.join(', ')
  return `error  ambiguous: ${conflict.versions.length === 1 ? 'version' : 'versions'} ${versions} and ${conflict.files.join(', ')} hold the same SQL; sbx changed none of them.\n       Delete or change the duplicate files so that each applied version matches one file, then run sbx sync again.`
}
