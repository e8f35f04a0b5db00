import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode, UsageError} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {lockTimeoutFlag} from '../flags.js'
import {renderSync} from '../render/sync.js'
import {type SyncReport, sync} from '../workflows/sync.js'

export default class Sync extends BaseCommand {
  static override description =
    `Makes supabase/migrations mirror a database's history again after migrations were applied outside the repository (the Supabase API or MCP server, Studio, the SQL editor), which record a version of their own.

For every applied version with no local file: if exactly one unapplied local file holds the same SQL, it is renamed to the recorded version, keeping its name part; if none does, <version>_<recorded name>.sql is written from the recorded statements; if several files or several versions match, nothing is changed for them and sync exits ${ExitCode.Findings}. "The same SQL": both sides split into statements as supabase splits them, compared with whitespace runs as one space and without trailing semicolons. Then unapplied files that sort before the newest applied version move after it, as sbx fix does. Runs under the repository lock; every change is appended to supabase/${AUDIT_FILE}.

Target: --db-url URL (or $SUPABASE_DB_URL), else the embedded database (supabase/.temp/sbx/db).

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL" --dry-run', description: 'Show the plan.'},
    {command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL"', description: 'Adopt and fetch.'},
  ]

  static override flags = {
    'db-url': Flags.string({
      env: 'SUPABASE_DB_URL',
      helpValue: 'URL',
      summary: 'Postgres URL whose history to mirror (default: $SUPABASE_DB_URL, else the embedded database).',
    }),
    'dry-run': Flags.boolean({summary: 'Print the plan and change nothing.'}),
    'lock-timeout': lockTimeoutFlag,
  }

  static override summary = 'Adopt versions the database assigned: rename or fetch files to mirror its history.'

  async run(): Promise<SyncReport> {
    const {flags} = await this.parse(Sync)
    if (flags['db-url'] === '') throw new UsageError('--db-url is empty: pass a postgresql:// URL.')
    // The same URL may come from the flag or from $SUPABASE_DB_URL; messages name whichever the user gave.
    const fromFlag = this.argv.some((arg) => arg === '--db-url' || arg.startsWith('--db-url='))
    const url = flags['db-url']
    const report = await sync({
      workdir: flags.workdir,
      target: url ? {kind: 'url', url, ...(fromFlag ? {} : {env: 'SUPABASE_DB_URL'})} : {kind: 'embedded'},
      dryRun: flags['dry-run'],
      lockTimeoutSeconds: flags['lock-timeout'],
    })
    this.log(renderSync(report))
    if (report.blocking) process.exitCode = ExitCode.Findings
    return report
  }
}
