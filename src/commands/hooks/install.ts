import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES_HELP} from '../../core/errors.js'
import {AUDIT_FILE} from '../../core/migrations/audit.js'
import {type HooksReport, installHooks} from '../../workflows/hooks.js'

export default class HooksInstall extends BaseCommand {
  static override description =
    `Adds a pre-commit hook that runs "sbx check --staged", so a commit with a duplicate or unreadable migration name is refused. It goes beside what is there: into .husky/pre-commit when husky is set up, as a "sbx-check" command in lefthook.yml when lefthook is, else appended to (or creating) the git pre-commit hook. Also adds "supabase/${AUDIT_FILE} merge=union" to .gitattributes so two branches' audit lines merge without a conflict. Running it again changes nothing.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Install the hook and the merge rule.'},
  ]

  static override summary = 'Install a pre-commit check and the audit file merge rule.'

  async run(): Promise<HooksReport> {
    const {flags} = await this.parse(HooksInstall)
    const report = await installHooks({workdir: flags.workdir})
    this.log(
      report.changed.length === 0
        ? 'Already installed: nothing changed.'
        : `Installed (${report.via}): ${report.changed.join(', ')}`,
    )
    return report
  }
}
