/** Findings and rename plans as human text: what was found, and what to do about it. Pure. */
import type {Finding} from '../core/migrations/findings.js'
import type {HistoryOrigin} from '../core/migrations/history.js'
import type {Rename} from '../core/migrations/rename-plan.js'
import {describeHolder, type Reservation} from '../core/registry/registry.js'
import {registryCondition} from './registry.js'

export function renderFinding(finding: Finding): string {
  switch (finding.kind) {
    case 'duplicate-version':
      return `error  version ${finding.version} is used by ${finding.files.length} files: ${finding.files.join(', ')}\n       supabase db push would fail on schema_migrations_pkey. Run: sbx fix`
    case 'base-version-taken':
      return `error  ${finding.file} uses version ${finding.version}, which ${finding.base} already has (${finding.baseFile}).\n       Run: sbx rebase --onto ${finding.base}`
    case 'out-of-order':
      return `error  ${finding.file} is not applied but sorts before ${finding.newest}, the newest in ${describeOrigin(finding.against)}.\n       supabase db push refuses it without --include-all. ${outOfOrderAdvice(finding.against)}`
    case 'missing-locally':
      return `error  version ${finding.version}${finding.name ? ` (${finding.name})` : ''} is applied to ${describeOrigin(finding.origin)} but has no local file.\n       Run: ${syncCommand(finding.origin)} (adopts the local file holding its SQL, else writes it from the recorded statements), or pull the branch that added it.`
    case 'edited-after-apply':
      return `error  ${finding.file} was edited after it was applied: its statements differ from what the database recorded.\n       Restore the applied content and put the change in a new migration (sbx migration new).`
    case 'skipped-file':
      if (finding.intended)
        return `note   ${finding.file}: ${finding.reason} (intended: [check] ignore in supabase/sbx.toml)`
      return `${finding.blocking ? 'error  ' : 'note   '}${finding.file}: ${finding.reason}${finding.blocking ? '\n       Rename it to <14-digit version>_name.sql, e.g. with sbx migration new, or list it in [check] ignore in supabase/sbx.toml if supabase should skip it.' : ''}`
    case 'no-free-version':
      return `error  ${finding.file} must move, but no free version sorts after ${finding.after}.\n       Give the migrations at the end of the range smaller versions by hand (git mv), then run sbx fix again.`
    case 'registry-conflict':
      return `error  ${finding.file}: version ${finding.version} belongs to ${describeHolder(finding.holder)} (registry ${finding.registry}).\n       Run: sbx fix (moves this file to a newly reserved version)`
    case 'unreserved':
      return `note   ${finding.file} was written with --offline and is not reserved in the registry ${finding.registry}. Run: sbx fix`
    case 'registry-unreachable':
      return `note   the registry ${finding.registry} ${registryCondition(finding.condition ?? 'unreachable')} (${finding.detail}): versions were not compared with other clones' reservations.`
    case 'leaked-reservation': {
      const r = finding.reservation
      const why =
        finding.reason === 'holder-gone'
          ? `its holder, pid ${r.by.pid} on ${r.by.host}, ended before writing the file`
          : `its lease expired at ${r.lease?.expires ?? r.at} without the file being confirmed written`
      return `note   the registry ${finding.registry} holds ${r.version}_${r.name}.sql for ${r.by.user}@${r.by.host}, but ${why}. Run: sbx fix (releases it)`
    }
    case 'squashed-history':
      return `note   the database applied the ${finding.versions} migrations squashed into ${finding.file}: sbx push repairs its history (their rows become that file's row), then pushes the rest.`
    case 'partly-squashed':
      return `error  the database applied ${finding.applied} of the ${finding.total} migrations squashed into ${finding.file}: sbx push refuses it.\n       Push the remaining originals from a checkout before the squash, then sbx push repairs the history.`
    case 'non-timestamp-version':
      return `note   ${finding.file}: version ${finding.version} is not a 14-digit timestamp; supabase orders versions as strings, so it may sort unexpectedly.`
  }
}

/** How messages name where a history came from; a database URL shows without its password. */
export function describeOrigin(origin: HistoryOrigin): string {
  switch (origin.kind) {
    case 'database':
      return `the database ${origin.display}`
    case 'embedded':
      return 'the embedded database'
    case 'linked':
      return 'the linked project'
    case 'branch':
      return origin.ref
  }
}

/**
 * The command that renumbers out-of-order files against this history, pointed at it the way the user pointed sbx
 * at it: the same variable or flag, never the URL (it may hold a password).
 */
export function targetArgument(origin: HistoryOrigin): string {
  switch (origin.kind) {
    case 'database':
      return 'env' in origin.via ? `--db-url "$${origin.via.env}"` : '--db-url "<the URL you passed to --db-url>"'
    case 'embedded':
      return ''
    case 'linked':
      return '--linked'
    case 'branch':
      return `--against ${origin.ref}`
  }
}

/** `sbx sync` pointed at the history's target the way the user pointed sbx at it. */
function syncCommand(origin: HistoryOrigin): string {
  switch (origin.kind) {
    case 'database':
      return `sbx sync ${targetArgument(origin)}`
    case 'embedded':
      return 'sbx sync'
    case 'linked':
      return 'sbx sync --db-url "<the project\'s connection string>"'
    case 'branch':
      return `git pull (${origin.ref} has it)`
  }
}

function outOfOrderAdvice(origin: HistoryOrigin): string {
  switch (origin.kind) {
    case 'database':
      return `Run: sbx fix ${targetArgument(origin)}`
    case 'branch':
      return `Run: sbx rebase --onto ${origin.ref} (or sbx fix --against ${origin.ref})`
    case 'embedded':
      return 'Apply it anyway with sbx push --include-all, or delete supabase/.temp/sbx/db to start the embedded database afresh.'
    case 'linked':
      return 'Apply it anyway with sbx push --linked --include-all, or renumber it: sbx fix --db-url "<the project\'s connection string>".'
  }
}

export function renderCheck(report: {migrations: number; findings: readonly Finding[]; blocking: boolean}): string {
  if (report.findings.length === 0) return `ok     ${report.migrations} migrations, no findings.`
  const lines = report.findings.map(renderFinding)
  const errors = report.findings.filter((f) => f.blocking).length
  lines.push(
    errors > 0
      ? `\n${errors} blocking finding${errors === 1 ? '' : 's'} in ${report.migrations} migrations.`
      : `\nno blocking findings in ${report.migrations} migrations.`,
  )
  return lines.join('\n')
}

export function renderRename(rename: Rename, dryRun = false): string {
  const why =
    rename.reason === 'duplicate-version'
      ? `duplicate of ${rename.kept ?? 'another file'}`
      : rename.reason === 'out-of-order'
        ? 'sorted before applied migrations'
        : rename.reason === 'registry-conflict'
          ? `the registry gave ${rename.from.slice(0, rename.from.indexOf('_'))} to ${rename.kept ?? 'another clone'}`
          : 'rebased'
  return `${dryRun ? 'would rename' : 'renamed'} ${rename.from} → ${rename.to} (${why})`
}

export function renderPlan(report: {
  dryRun: boolean
  renames: readonly Rename[]
  remaining: readonly Finding[]
  reserved?: readonly string[]
  reclaimed?: readonly Reservation[]
}): string {
  const lines = report.renames.map((rename) => renderRename(rename, report.dryRun))
  for (const file of report.reserved ?? []) lines.push(`reserved ${file} in the registry (it was written offline)`)
  for (const r of report.reclaimed ?? []) {
    lines.push(
      `released ${r.version}_${r.name}.sql in the registry (a leaked reservation of pid ${r.by.pid} on ${r.by.host})`,
    )
  }
  if (report.renames.length === 0) lines.push('Nothing to rename.')
  if (report.dryRun && report.renames.length > 0) lines.push('Dry run: nothing was changed.')
  if (report.remaining.length > 0) {
    lines.push('', 'Still blocking (a rename cannot fix these):', ...report.remaining.map(renderFinding))
  }
  return lines.join('\n')
}
