import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {againstFlag, dbUrlFlag} from '../flags.js'
import {renderCheck} from '../render/findings.js'
import {renderFindingsGithub} from '../render/github.js'
import {renderLint} from '../render/verify-deeper.js'
import {type CheckReport, check} from '../workflows/check.js'

export default class Check extends BaseCommand {
  static override description =
    `Reports, with what to do about each: versions used by more than one file; files supabase would skip; versions that are not 14-digit timestamps; and, given a history, unapplied files that sort before the newest applied version, applied versions with no local file, and applied files edited since.

With --db-url the history is the database's supabase_migrations.schema_migrations (no table: nothing applied). With --against REF it is REF's migrations: files this branch added since the merge base must sort after REF's newest and use none of its versions — the CI check for parallel pull requests.

Exits ${ExitCode.Findings} when any finding blocks, so it can gate CI.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Check the folder on its own.'},
    {
      command: '<%= config.bin %> <%= command.id %> --against origin/main',
      description: 'CI: check a pull request against its base branch.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL" --json',
      description: 'Check against production, machine-readable.',
    },
  ]

  static override flags = {
    against: againstFlag,
    'db-url': dbUrlFlag,
    format: Flags.string({
      default: 'text',
      options: ['text', 'github'],
      summary: 'text, or github: workflow annotations (::error file=supabase/migrations/…,line=1::…) for CI.',
    }),
    lint: Flags.boolean({
      summary:
        'Also lint the unapplied files for lock safety with squawk ([lint] in supabase/sbx.toml; report only by default).',
    }),
    staged: Flags.boolean({
      summary: 'Check what is staged in git instead of the folder (the pre-commit hook uses this).',
    }),
  }

  static override summary = 'Find migration version collisions and ordering problems.'

  async run(): Promise<CheckReport> {
    const {flags} = await this.parse(Check)
    const report = await check({
      workdir: flags.workdir,
      dbUrl: flags['db-url'],
      against: flags.against,
      staged: flags.staged,
      lint: flags.lint,
    })
    this.log(
      flags.format === 'github' && !this.jsonEnabled() ? renderFindingsGithub(report.findings) : renderCheck(report),
    )
    if (report.lint) this.log(renderLint(report.lint).join('\n'))
    if (report.blocking) process.exitCode = ExitCode.Findings
    return report
  }
}
