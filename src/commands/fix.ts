import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {againstFlag, dbUrlFlag, lockTimeoutFlag} from '../flags.js'
import {renderPlan} from '../render/findings.js'
import {type FixReport, fix} from '../workflows/fix.js'

export default class Fix extends BaseCommand {
  static override description =
    `Renames migrations so that every version is distinct and nothing unapplied sorts before what is applied.

Who keeps a contested version: the applied file, else the one committed to git earliest, else the one that existed first. Every other file moves to the first free version after max(its version, the newest applied version). Applied files never move; the name after the version and the content never change. Tracked files move with git mv. Each rename is appended to supabase/${AUDIT_FILE}. Runs under the same repository lock as sbx migration new.

Exits ${ExitCode.Findings} if blocking findings remain that no rename can solve (e.g. an applied version with no local file).

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --dry-run', description: 'Show the renames without making them.'},
    {command: '<%= config.bin %> <%= command.id %>', description: 'Make every version distinct.'},
    {
      command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL"',
      description: 'Also move unapplied files behind the newest applied one.',
    },
  ]

  static override flags = {
    against: againstFlag,
    'db-url': dbUrlFlag,
    'dry-run': Flags.boolean({summary: 'Print the plan and change nothing.'}),
    'lock-timeout': lockTimeoutFlag,
  }

  static override summary = 'Rename colliding or out-of-order migrations, with an audit line for each.'

  async run(): Promise<FixReport> {
    const {flags} = await this.parse(Fix)
    const report = await fix({
      workdir: flags.workdir,
      dbUrl: flags['db-url'],
      against: flags.against,
      dryRun: flags['dry-run'],
      lockTimeoutSeconds: flags['lock-timeout'],
    })
    this.log(renderPlan(report))
    if (report.remaining.length > 0) process.exitCode = ExitCode.Findings
    return report
  }
}
