/**
 * GitHub workflow annotations (`::error file=…,line=…::message`) for check, plan and verify: CI shows each on the
 * migration it concerns. Paths are relative to the repository: supabase/migrations/<file> unless told otherwise.
 * Pure.
 */
import type {Finding} from '../core/migrations/findings.js'
import type {PlanReport} from '../core/plan/plan-report.js'
import type {VerifyReport} from '../core/verify/verify-report.js'
import {renderFinding} from './findings.js'

export const DEFAULT_MIGRATIONS_PATH = 'supabase/migrations'

/** GitHub's escaping for annotation properties and messages. */
function escapeData(text: string): string {
  return text.replace(/%/gu, '%25').replace(/\r/gu, '%0D').replace(/\n/gu, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/gu, '%3A').replace(/,/gu, '%2C')
}

export function annotation(
  level: 'error' | 'warning' | 'notice',
  message: string,
  where: {file?: string; line?: number; title?: string} = {},
): string {
  const props = [
    ...(where.file ? [`file=${escapeProperty(where.file)}`] : []),
    ...(where.line ? [`line=${where.line}`] : []),
    ...(where.title ? [`title=${escapeProperty(where.title)}`] : []),
  ]
  return `::${level}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}`
}

function filesOf(finding: Finding): string[] {
  if (finding.kind === 'duplicate-version') return finding.files
  if ('file' in finding) return [finding.file]
  return []
}

export function renderFindingsGithub(findings: readonly Finding[], migrationsPath = DEFAULT_MIGRATIONS_PATH): string {
  const lines: string[] = []
  for (const finding of findings) {
    const level = finding.blocking ? 'error' : 'warning'
    const message = renderFinding(finding)
      .replace(/^(?:error|note)\s+/u, '')
      .replace(/\n\s+/gu, '\n')
    const files = filesOf(finding)
    if (files.length === 0) lines.push(annotation(level, message, {title: `sbx check: ${finding.kind}`}))
    for (const file of files) {
      lines.push(
        annotation(level, message, {file: `${migrationsPath}/${file}`, line: 1, title: `sbx check: ${finding.kind}`}),
      )
    }
  }
  return lines.length > 0 ? lines.join('\n') : annotation('notice', 'sbx check: no findings')
}

export function renderVerifyGithub(report: VerifyReport, migrationsPath = DEFAULT_MIGRATIONS_PATH): string {
  const lines: string[] = []
  const failure = report.failure
  if (failure) {
    const createdBy = failure.createdBy ? ` It is created by ${failure.createdBy.file}, which runs later.` : ''
    lines.push(
      annotation('error', `Statement ${failure.statementIndex} fails: ${failure.error.message}.${createdBy}`, {
        file: `${migrationsPath}/${failure.file}`,
        line: 1,
        title: 'sbx verify',
      }),
    )
  }
  for (const entry of report.unreadableNames ?? []) {
    lines.push(
      annotation('error', `supabase cannot read this name: ${entry.reason}`, {
        file: `${migrationsPath}/${entry.file}`,
        title: 'sbx verify',
      }),
    )
  }
  for (const partly of report.partlyVerified) {
    lines.push(
      annotation(
        'warning',
        `Verified only partly: needs ${partly.missingExtensions.join(', ')}, which the embedded database lacks.`,
        {
          file: `${migrationsPath}/${partly.file}`,
          title: 'sbx verify',
        },
      ),
    )
  }
  if (lines.length === 0) lines.push(annotation('notice', `sbx verify: ${report.migrations} migrations replay cleanly`))
  return lines.join('\n')
}

export function renderPlanGithub(report: PlanReport, migrationsPath = DEFAULT_MIGRATIONS_PATH): string {
  const lines: string[] = []
  if (report.failure) {
    lines.push(
      annotation(
        'error',
        `Replay fails at statement ${report.failure.statementIndex}: ${report.failure.error.message}`,
        {
          file: `${migrationsPath}/${report.failure.file}`,
          line: 1,
          title: 'sbx plan',
        },
      ),
    )
  }
  for (const m of report.migrations) {
    for (const [i, statement] of m.destructive.entries()) {
      lines.push(
        annotation(
          'warning',
          `Can lose data (${m.destructiveReasons[i]}): ${statement.replace(/\s+/gu, ' ').slice(0, 200)}`,
          {
            file: `${migrationsPath}/${m.file}`,
            line: 1,
            title: 'sbx plan: destructive',
          },
        ),
      )
    }
  }
  lines.push(
    annotation(
      'notice',
      `sbx plan: ${report.migrations.length} pending migrations, ${report.migrations.filter((m) => m.destructive.length > 0).length} destructive, ${report.checklist.length} objects to check after the deploy`,
    ),
  )
  return lines.join('\n')
}
