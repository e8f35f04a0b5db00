import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES_HELP} from '../../core/errors.js'
import {renderInit} from '../../render/registry.js'
import {type RegistryInitReport, registryInit} from '../../workflows/registry-commands.js'

export default class RegistryInit extends BaseCommand {
  static override description =
    `Postgres registry: creates schema sbx and table sbx.reservations if missing (the first reservation would too) and prints the grants a least-privilege role needs. Git registry: checks that the remote can be read; the ref is created by the first reservation.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Create the table and print the grants.'},
    {command: '<%= config.bin %> <%= command.id %> --role agents', description: 'Grants for the role "agents".'},
  ]

  static override flags = {
    role: Flags.string({default: 'sbx_registry', summary: 'The role the printed grants are for.', helpValue: 'NAME'}),
  }

  static override summary = 'Prepare the version registry configured in supabase/sbx.toml.'

  async run(): Promise<RegistryInitReport> {
    const {flags} = await this.parse(RegistryInit)
    const report = await registryInit({workdir: flags.workdir, role: flags.role})
    this.log(renderInit(report))
    return report
  }
}
