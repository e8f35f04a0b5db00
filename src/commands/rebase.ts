import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {lockTimeoutFlag} from '../flags.js'
import {renderPlan} from '../render/findings.js'
import type {FixReport} from '../workflows/fix.js'
import {rebase} from '../workflows/rebase.js'

export default class Rebase extends BaseCommand {
  static override description =
    `Renumbers the migrations this branch added since its merge base with REF so that they all sort after REF's newest migration, keeping their relative order. A file already in place keeps its version. Each rename is appended to supabase/${AUDIT_FILE} with reason "rebase".

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %> --onto main',
      description: "Move this branch's migrations after main's.",
    },
    {command: '<%= config.bin %> <%= command.id %> --onto origin/main --dry-run', description: 'Show the plan only.'},
  ]

  static override flags = {
    commit: Flags.boolean({
      exclusive: ['dry-run'],
      summary: 'Commit the renumbering (supabase/migrations and the audit file) with a message listing the renames.',
    }),
    'dry-run': Flags.boolean({summary: 'Print the plan and change nothing.'}),
    'lock-timeout': lockTimeoutFlag,
    onto: Flags.string({helpValue: 'REF', required: true, summary: 'The branch to land on, e.g. main.'}),
  }

  static override summary = "Renumber this branch's migrations to sort after another branch's."

  async run(): Promise<FixReport> {
    const {flags} = await this.parse(Rebase)
    const report = await rebase({
      workdir: flags.workdir,
      onto: flags.onto,
      dryRun: flags['dry-run'],
      commit: flags.commit,
      lockTimeoutSeconds: flags['lock-timeout'],
    })
    this.log(renderPlan(report))
    if (report.commit && !this.jsonEnabled()) this.log(`Committed ${report.commit.slice(0, 12)}.`)
    return report
  }
}
