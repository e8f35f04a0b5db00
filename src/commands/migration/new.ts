import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES_HELP} from '../../core/errors.js'
import {lockTimeoutFlag} from '../../flags.js'
import {renderUnreserved} from '../../render/registry.js'
import {type NewMigrationResult, newMigration, stdinContent} from '../../workflows/new-migration.js'

export default class MigrationNew extends BaseCommand {
  static override args = {
    name: Args.string({
      description: 'What the migration does, e.g. "add users" (spaces and - become _).',
      required: true,
    }),
  }

  static override description =
    `Creates supabase/migrations/<version>_<name>.sql with a version that no other process, git worktree or earlier call has: the later of the current UTC second and one second past the highest version known. Known versions come from this folder, the same folder in every worktree of the repository, and a ledger beside the repository-wide lock.

With a registry configured (supabase/sbx.toml [registry], or SBX_REGISTRY_URL) the version is also reserved centrally, later than any other clone's, before the file appears; an unreachable registry exits 5 with nothing written, unless --offline.

The file appears complete or not at all and never replaces another. When stdin is not a terminal its bytes become the content; otherwise the file is empty.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> "add users"', description: 'Create an empty migration.'},
    {
      command: 'cat users.sql | <%= config.bin %> <%= command.id %> add_users',
      description: 'Create it with content from stdin.',
    },
    {command: '<%= config.bin %> <%= command.id %> add_users --json', description: 'Print {"version","name","path"}.'},
  ]

  static override flags = {
    'lock-timeout': lockTimeoutFlag,
    offline: Flags.boolean({
      summary: 'With a registry configured: write the file without reserving its version (sbx fix reserves it later).',
    }),
  }

  static override summary = 'Create a migration with a version no other process can get.'

  async run(): Promise<NewMigrationResult> {
    const {args, flags} = await this.parse(MigrationNew)
    const result = await newMigration({
      name: args.name,
      workdir: flags.workdir,
      content: stdinContent(),
      lockTimeoutSeconds: flags['lock-timeout'],
      offline: flags.offline,
    })
    const warning = renderUnreserved(result)
    if (warning) process.stderr.write(`${warning}\n`)
    this.log(`Created new migration at supabase/migrations/${result.version}_${result.name}.sql`)
    return result
  }
}
