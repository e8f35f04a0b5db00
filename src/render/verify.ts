/** `sbx verify`'s report as human text: where the replay failed, why, and what to do. Pure. */
import type {ExtensionStatus} from '../core/extensions/extension-plan.js'
import type {MissingObject} from '../core/verify/missing-object.js'
import type {PartlyVerified, VerifyFailure, VerifyReport} from '../core/verify/verify-report.js'
import {riskLines} from './risk.js'
import {renderAdvisors, renderLint} from './verify-deeper.js'

const INDENT = '       '
const MAX_LINE = 160

export function renderVerify(report: VerifyReport): string {
  const lines: string[] = []
  if (report.unreadableNames) {
    return [
      ...report.unreadableNames.map((entry) => `error  ${entry.file}: ${entry.reason}`),
      '',
      'Nothing was replayed: rename these files first.',
    ].join('\n')
  }
  for (const entry of report.skipped) {
    lines.push(`${entry.blocking ? 'warn   ' : 'note   '}${entry.file}: ${entry.reason} (not replayed)`)
  }
  lines.push(...renderExtensions(report))
  const seconds = `${(report.elapsedMs / 1000).toFixed(1)} s`
  const on = report.database ? `a fresh ${report.database.version} with the Supabase baseline` : 'nothing'
  if (report.database && !report.database.exact) lines.push(majorLine(report.database))
  if (report.migrations === 0) {
    lines.push('ok     No migrations to replay in supabase/migrations.')
  } else if (!report.failure) {
    const partly = report.partlyVerified.length > 0 ? `, ${report.partlyVerified.length} of them only partly` : ''
    lines.push(
      `ok     Replayed ${plural(report.migrations, 'migration')} (${plural(report.statements, 'statement')}${partly}) on ${on} in ${seconds}.`,
    )
  } else {
    lines.push(...renderFailure(report.failure))
    lines.push(
      '',
      `${plural(report.applied, 'migration')} of ${report.migrations} applied before it, on ${on} (${seconds}). Nothing else was touched.`,
    )
  }
  if (report.cached) {
    lines.push(
      `note   The first ${plural(report.cached, 'migration')} came from the replay cache (the same files replayed by an earlier run); --no-cache replays them all.`,
    )
  }
  if (report.shadow) {
    const removed = report.shadow.removedAbandoned
    lines.push(
      `note   Ran on the shadow database ${report.shadow.database} (${report.shadow.server}), dropped afterwards${removed.length > 0 ? `; removed ${removed.length} abandoned shadow(s): ${removed.join(', ')}` : ''}.`,
    )
  }
  lines.push(...renderAdvisors(report.advisors), ...renderLint(report.lint), ...renderHighRisk(report))
  if (report.blocked) lines.push('', 'Blocking findings: exit 3.')
  return lines.join('\n')
}

/** A replay on another major than [db] major_version, and what that cannot catch. */
function majorLine(database: NonNullable<VerifyReport['database']>): string {
  const emulated = database.emulated ? `, made to look like ${database.projectMajor} where data can` : ''
  return `warn   [db] major_version is ${database.projectMajor}; replayed on PostgreSQL ${database.major}${emulated}. Not caught: ${database.gap.join('; ')}. For the exact major: --shadow-url on a PostgreSQL ${database.projectMajor} server.`
}

/** The migrations whose trace is high risk: rewrites and whole-table scans under blocking locks. */
export function renderHighRisk(report: Pick<VerifyReport, 'risk'>): string[] {
  const lines: string[] = []
  for (const entry of report.risk ?? []) {
    lines.push(`risk   ${entry.file}: high`, ...riskLines(entry, INDENT).slice(1))
  }
  return lines
}

/** Which extensions were loaded, stood in for or missing, and the migrations verified only partly. */
export function renderExtensions(report: Pick<VerifyReport, 'extensions' | 'partlyVerified'>): string[] {
  const named = (status: ExtensionStatus) =>
    report.extensions.filter((use) => use.status === status).map((use) => use.name)
  const lines: string[] = []
  const loaded = named('loaded')
  const standIns = named('stand-in')
  const missing = named('missing')
  if (loaded.length > 0) lines.push(`note   Extensions loaded: ${loaded.join(', ')}.`)
  if (standIns.length > 0) {
    lines.push(
      `note   Stand-ins for ${standIns.join(', ')}: their schemas, tables and function signatures; calls do nothing.`,
    )
  }
  if (missing.length > 0) {
    lines.push(
      `warn   Not on the embedded database (Supabase offers ${missing.length === 1 ? 'it' : 'them'}): ${missing.join(', ')}; statements needing ${missing.length === 1 ? 'it' : 'them'} were skipped.`,
    )
  }
  for (const partly of report.partlyVerified) lines.push(partlyLine(partly))
  if (report.partlyVerified.length > 0) {
    lines.push(`${INDENT}To verify those fully, apply them to a database that has ${missing.join(', ')}.`)
  }
  return lines
}

function partlyLine(partly: PartlyVerified): string {
  const head = `warn   ${partly.file} verified only partly: skipped`
  if (partly.skipped.every((skip) => skip.through === undefined)) {
    const indexes = partly.skipped.map((skip) => skip.statementIndex)
    const which = `${indexes.length === 1 ? 'statement' : 'statements'} ${indexes.join(', ')}`
    return `${head} ${which} (${indexes.length === 1 ? 'it needs' : 'they need'} ${partly.missingExtensions.join(', ')}).`
  }
  const each = partly.skipped.map(
    (skip) =>
      `statement ${skip.statementIndex} (needs ${skip.needs.join(', ')}${skip.through ? `, through ${skip.through}` : ''})`,
  )
  return `${head} ${each.join(', ')}.`
}

export function renderFailure(failure: VerifyFailure): string[] {
  const {error} = failure
  const lines = [
    `error  ${failure.file} fails at statement ${failure.statementIndex} (0-based, as supabase prints "At statement: ${failure.statementIndex}"):`,
    `${INDENT}ERROR: ${error.message}${error.code ? ` (SQLSTATE ${error.code})` : ''}`,
  ]
  if (error.detail) lines.push(`${INDENT}${error.detail}`)
  if (error.hint) lines.push(`${INDENT}Hint: ${error.hint}`)
  lines.push('', ...excerpt(failure.statement, error.position).map((line) => `${INDENT}  ${line}`), '')
  lines.push(...explanation(failure).map((line) => `${INDENT}${line}`))
  if (failure.partial) {
    lines.push(
      `${INDENT}This file does not run in one transaction: on a real push, the statements before ${failure.statementIndex} that committed stay applied, with no history row.`,
    )
  }
  return lines
}

function explanation(failure: VerifyFailure): string[] {
  if (failure.timedOut) {
    return [
      `Stopped after ${(failure.timedOut.elapsedMs / 1000).toFixed(1)} s: it ran longer than [verify] statement_timeout (${(failure.timedOut.limitMs / 1000).toFixed(1)} s). Nothing is left running.`,
      'A statement that waits for the client (COPY … FROM STDIN) or never ends would hang supabase db push as well; raise the limit in supabase/sbx.toml if it is a long backfill.',
    ]
  }
  if (failure.newerSyntax) {
    return [
      `${failure.newerSyntax.feature} arrived in PostgreSQL ${failure.newerSyntax.major}; the project's server refuses it (verify replays on a newer major and checks this syntax itself).`,
    ]
  }
  if (failure.unknownExtension) {
    return [
      `Extension ${failure.unknownExtension} is neither one Supabase offers nor one the embedded database has: supabase db push fails here too. Check its name.`,
    ]
  }
  if (failure.duplicateOf) {
    return [
      `Version ${failure.version} is already recorded by ${failure.duplicateOf}: two files share one version.`,
      'Run: sbx fix',
    ]
  }
  const {missing, createdBy} = failure
  if (!missing) return []
  const what = describe(missing)
  if (!createdBy) return [`No later statement creates ${what}: check its name and schema, or create it first.`]
  if (createdBy.skippedFor) {
    return [
      `${capitalize(what)} is created by ${createdBy.file} (statement ${createdBy.statementIndex}), which was skipped: it needs ${createdBy.skippedFor.join(', ')}, which the embedded database lacks.`,
      'Verify this file on a database that has it (a Supabase branch, supabase start).',
    ]
  }
  if (createdBy.skippedBecause) {
    return [
      `${capitalize(what)} is created by ${createdBy.file} (statement ${createdBy.statementIndex}), but ${createdBy.skippedBecause}.`,
      'Rename that file to <14-digit version>_name.sql with a version before this one.',
    ]
  }
  if (createdBy.file === failure.file) {
    return [
      `${capitalize(what)} is created later in this file, by statement ${createdBy.statementIndex}: move that statement before statement ${failure.statementIndex}.`,
    ]
  }
  return [
    `${capitalize(what)} is created by a later migration: ${createdBy.file} (statement ${createdBy.statementIndex}).`,
    `Give ${failure.file} a version that sorts after ${versionOf(createdBy.file)}, or move that statement into an earlier migration.`,
  ]
}

function describe(missing: MissingObject): string {
  if (missing.viaExtension && missing.kind === 'extension') return `extension ${missing.name}`
  const via = missing.viaExtension ? ` (from extension ${missing.viaExtension})` : ''
  const kind = missing.kind === 'relation' ? 'table or view' : missing.kind
  return `${kind} ${missing.name}${via}`
}

/** The statement's lines around the error position, with a caret under it (like supabase's output). */
function excerpt(statement: string, position: number | undefined): string[] {
  const raw = statement.split('\n')
  // Cut at a code point, never inside an emoji.
  const all = raw.map((line) => (line.length > MAX_LINE ? `${[...line].slice(0, MAX_LINE).join('')}…` : line))
  if (position === undefined) return all.length > 8 ? [...all.slice(0, 8), '…'] : all
  // Postgres counts the position in characters (code points), from 1; an emoji is two UTF-16 units.
  const lengths = raw.map((line) => [...line].length)
  let offset = Math.max(0, position - 1)
  let row = 0
  while (row < raw.length - 1 && offset > (lengths[row] as number)) {
    offset -= (lengths[row] as number) + 1
    row += 1
  }
  const first = Math.max(0, row - 3)
  const caret = `${' '.repeat(Math.min(offset, MAX_LINE))}^`
  return [...(first > 0 ? ['…'] : []), ...all.slice(first, row + 1), caret, ...(row + 1 < all.length ? ['…'] : [])]
}

function versionOf(file: string): string {
  return /^([0-9]+)_/u.exec(file)?.[1] ?? file
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
