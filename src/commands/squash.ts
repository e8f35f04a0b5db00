import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {lockTimeoutFlag} from '../flags.js'
import {renderSquash} from '../render/squash.js'
import {type SquashReport, squash} from '../workflows/squash.js'

export default class Squash extends BaseCommand {
  static override description =
    `Replays the migrations up to VERSION (default: all) on the embedded database, dumps the schema they built (pg_dump in WebAssembly, without what the Supabase baseline provides) and the data they left (rows of every table, sequence values, storage buckets, cron jobs), and proves the result: the squashed folder replays to the same catalog and rows as the original, and two replays of the originals give the same rows (no now()/random() data). Only then, under the repository lock, it writes one migration with the version and name of the newest squashed file and removes the others (staged in git when tracked), all or nothing even if killed; one line per file goes to supabase/${AUDIT_FILE} (reason squashed). sbx push repairs the history of databases that applied the originals.

Exits ${ExitCode.Findings} when the proof finds a difference (naming the first) or the files cannot be squashed; nothing is changed then.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %> --dry-run',
      description: 'Prove the squash of every migration, write nothing.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --up-to 20260101000000',
      description: 'Squash the migrations up to this version.',
    },
  ]

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Build and prove the squash, change nothing.'}),
    'lock-timeout': lockTimeoutFlag,
    'up-to': Flags.string({helpValue: 'VERSION', summary: 'Squash the migrations up to this version (default: all).'}),
  }

  static override summary = 'Squash the oldest migrations into one, proven equivalent, keeping their data.'

  async run(): Promise<SquashReport> {
    const {flags} = await this.parse(Squash)
    const json = this.jsonEnabled()
    const report = await squash({
      workdir: flags.workdir,
      upTo: flags['up-to'],
      dryRun: flags['dry-run'],
      lockTimeoutSeconds: flags['lock-timeout'],
      onProgress: json ? undefined : (line) => this.progress(line),
    })
    if (!json) this.log(renderSquash(report))
    return report
  }
}
