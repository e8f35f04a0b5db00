import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES_HELP} from '../../core/errors.js'
import {renderRegistryList} from '../../render/registry.js'
import {type RegistryListReport, registryList} from '../../workflows/registry-commands.js'

export default class RegistryList extends BaseCommand {
  static override description =
    `The queue: every reservation of this project not yet applied, oldest first, with its name, who reserved it (user@host), the branch and its age. --all adds applied and released ones.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'What teammates and agents are working on.'},
    {command: '<%= config.bin %> <%= command.id %> --all --json', description: 'Every record, machine-readable.'},
  ]

  static override flags = {
    all: Flags.boolean({summary: 'Also list applied and released reservations.'}),
  }

  static override summary = 'List the reservations in the version registry.'

  async run(): Promise<RegistryListReport> {
    const {flags} = await this.parse(RegistryList)
    const report = await registryList({workdir: flags.workdir, all: flags.all})
    this.log(renderRegistryList(report, new Date()))
    return report
  }
}
