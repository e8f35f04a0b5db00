import {Args} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {DEFAULT_OFF_RULES} from '../core/verify/lint.js'
import {lintLevelFlag} from '../flags.js'
import {lintLine} from '../render/verify-deeper.js'
import {type LintReport, lint} from '../workflows/lint.js'

export default class Lint extends BaseCommand {
  static override args = {
    files: Args.string({description: 'SQL files to lint (default: every migration in supabase/migrations).'}),
  }

  static override description =
    `Runs squawk (the PostgreSQL migration linter) on migration files for lock safety: an index built without CONCURRENTLY, a NOT NULL column added without a default, a foreign key validated under a lock, a column type change that rewrites the table… Each statement is judged in the transaction context supabase db push gives it: a file runs in one transaction, except CREATE INDEX CONCURRENTLY and the like, which supabase runs alone; a file with its own BEGIN/COMMIT runs statement by statement. Findings name the file, the statement (0-based, as supabase numbers them), the line, the rule and its documentation.

Off by default, for Supabase migrations: ${Object.keys(DEFAULT_OFF_RULES).join(', ')} (see the README for why). [lint] in supabase/sbx.toml changes the rule set (exclude, include), the PostgreSQL version (pg_version, default 15) and the level at which findings block (level: report by default). -- squawk-ignore rule comments in the SQL work.

Exits ${ExitCode.Findings} when a finding blocks.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Lint every migration.'},
    {
      command: '<%= config.bin %> <%= command.id %> supabase/migrations/20261201120000_add_index.sql --level warn',
      description: 'Lint one file; any finding exits 3.',
    },
  ]

  static override flags = {level: lintLevelFlag}

  static override strict = false

  static override summary = 'Lint migrations for lock safety with squawk, in supabase’s transaction context.'

  async run(): Promise<LintReport> {
    const {argv, flags} = await this.parse(Lint)
    const report = await lint({workdir: flags.workdir, files: argv as string[], level: flags.level})
    if (!this.jsonEnabled()) {
      for (const finding of report.findings) this.log(lintLine(finding))
      const blocking = report.findings.filter((finding) => finding.blocking).length
      this.log(
        `${blocking > 0 ? 'error ' : 'ok    '} ${report.findings.length} finding(s) in ${report.files.length} file(s)${blocking > 0 ? `, ${blocking} blocking` : report.level === 'report' ? ', report only' : ''}.`,
      )
    }
    if (report.findings.some((finding) => finding.blocking)) process.exitCode = ExitCode.Findings
    return report
  }
}
