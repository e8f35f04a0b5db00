/**
 * The lock-safety lint (squawk) on migration files, each statement judged in the transaction context supabase
 * gives it. Used by `sbx lint`, `sbx check --lint`, and `sbx verify` (so `sbx push`).
 */
import {isUtf8} from 'node:buffer'
import path from 'node:path'
import {UsageError} from '../core/errors.js'
import {migrationStatements} from '../core/sql/sql-statements.js'
import {invalidUtf8Finding, type LintedFile, type LintReport, lintFindings, rulesOff} from '../core/verify/lint.js'
import {planReplay} from '../core/verify/replay-plan.js'
import type {BlockingLevel, LintSettings} from '../core/verify/verify-config.js'
import {DEFAULT_LINT_SETTINGS} from '../core/verify/verify-config.js'
import {findSquawk, runSquawk} from '../shell/lint/squawk.js'
import {loadConfig} from '../shell/project/config-file.js'
import {readBytes, readMigrationFolder} from '../shell/project/migrations-dir.js'
import {resolveWorkdir} from '../shell/project/project.js'

export type {LintFinding, LintReport} from '../core/verify/lint.js'

export interface LintFilesOptions {
  /** The folder the names are relative to (and reported relative to). */
  dir: string
  files: readonly string[]
  settings: LintSettings
  /** Overrides `settings.level` for one run. */
  level?: BlockingLevel
  /** The files are the ones the target has not applied: a table one of them creates is empty in the later ones. */
  pending?: boolean
}

export async function lintFiles(options: LintFilesOptions): Promise<LintReport> {
  const level = options.level ?? options.settings.level
  const off = rulesOff(options.settings)
  if (level === 'off') return {status: 'off', level, files: [], findings: [], rulesOff: off}
  const read = await Promise.all(
    options.files.map(async (file) => {
      const bytes = await readBytes(path.resolve(options.dir, file)).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(
          `Cannot read ${file}: ${error.code ?? error.message}; pass existing .sql files.`,
          'ENOFILE',
        )
      })
      const text = bytes.toString('utf8')
      const statements = migrationStatements(text)
      const linted: LintedFile = {file, text, statements: statements.statements, plan: planReplay(statements)}
      return {linted, badByte: isUtf8(bytes) ? undefined : firstBadByte(bytes)}
    }),
  )
  const linted = read.filter((entry) => !entry.badByte).map((entry) => entry.linted)
  // squawk cannot read them: one finding each instead.
  const unreadable = read.flatMap((entry) =>
    entry.badByte ? [invalidUtf8Finding(entry.linted, entry.badByte, level)] : [],
  )
  const common = {
    cwd: options.dir,
    exclude: off.map((entry) => entry.rule),
    include: options.settings.include,
    pgVersion: options.settings.pg_version,
  }
  // One squawk run per transaction assumption, side by side.
  const [inTransaction, autocommit] = await Promise.all([
    runSquawk({...common, assumeInTransaction: true, files: pick(linted, 'transactional')}),
    runSquawk({...common, assumeInTransaction: false, files: pick(linted, 'autocommit')}),
  ])
  return {
    status: 'ran',
    level,
    files: read.map((entry) => entry.linted.file),
    findings: [
      ...unreadable,
      ...lintFindings(linted, [...inTransaction, ...autocommit], level, {pending: options.pending}),
    ],
    rulesOff: off,
    squawk: findSquawk().version,
  }
}

/** The offset and 0-based line of the first byte that is not part of valid UTF-8. */
function firstBadByte(bytes: Buffer): {offset: number; line: number} {
  let offset = 0
  // The longest valid prefix: shrink until it decodes (at most 3 bytes of a cut sequence past a bad one).
  for (let end = bytes.length; end > 0; end--) {
    if (isUtf8(bytes.subarray(0, end))) {
      offset = end
      break
    }
  }
  let line = 0
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++
  return {offset, line}
}

function pick(files: readonly LintedFile[], mode: 'transactional' | 'autocommit'): string[] {
  return files.filter((file) => file.plan.mode === mode).map((file) => file.file)
}

export interface LintOptions {
  workdir?: string
  /** Files to lint (paths); default: every migration supabase would run. */
  files?: readonly string[]
  level?: BlockingLevel
  env?: NodeJS.ProcessEnv
  /** What relative FILES are relative to (default: the current folder). */
  cwd?: string
}

/** `sbx lint [FILES]`: the given files, or every migration in supabase/migrations. */
export async function lint(options: LintOptions = {}): Promise<LintReport> {
  const workdir = resolveWorkdir({workdir: options.workdir})
  const settings = (await loadConfig(workdir, options.env)).lint ?? DEFAULT_LINT_SETTINGS
  if (options.files && options.files.length > 0) {
    return lintFiles({
      dir: options.cwd ?? process.cwd(),
      files: options.files,
      settings,
      level: options.level ?? nonOff(settings.level),
    })
  }
  const dir = path.join(workdir, 'supabase', 'migrations')
  const folder = await readMigrationFolder(dir)
  return lintFiles({
    dir,
    files: folder.migrations.map((m) => m.file),
    settings,
    level: options.level ?? nonOff(settings.level),
  })
}

/** `[lint] level = "off"` keeps lint out of verify and push; asked for by name, it still runs (report only). */
function nonOff(level: BlockingLevel): BlockingLevel {
  return level === 'off' ? 'report' : level
}
