import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES_HELP} from '../../core/errors.js'
import type {Reservation} from '../../core/registry/registry.js'
import {registryRelease} from '../../workflows/registry-commands.js'

export default class RegistryRelease extends BaseCommand {
  static override args = {
    version: Args.string({description: 'The version to release (the digits before the first _).', required: true}),
  }

  static override description =
    `Marks a reservation released: it leaves the queue (sbx registry list). Use it when its migration was abandoned. The version is not handed out again.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> 20261201120000', description: 'Free an abandoned reservation.'},
  ]

  static override summary = 'Release a reservation whose migration was abandoned.'

  async run(): Promise<Reservation> {
    const {args, flags} = await this.parse(RegistryRelease)
    const released = await registryRelease({workdir: flags.workdir, version: args.version})
    this.log(`Released ${released.version}_${released.name}.sql (reserved by ${released.by.user}@${released.by.host}).`)
    return released
  }
}
