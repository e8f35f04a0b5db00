import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, UsageError} from '../core/errors.js'
import {lockTimeoutFlag} from '../flags.js'
import {serveMcp} from '../workflows/mcp/server.js'

export default class Mcp extends BaseCommand {
  static override description =
    `Runs a Model Context Protocol server on stdin/stdout for coding agents. Tools: create_migration {name, sql}, apply_migration {name, sql} (create, verify, then push with the real supabase db push, so the file and the history get the same version), list_migrations, check, fix, sync, verify. Each returns the matching command's --json output as structured content; errors are tool errors with the command's message, code and exit code.

apply_migration, sync and list_migrations use --db-url when given, else the embedded database (supabase/.temp/sbx/db). $SUPABASE_DB_URL is deliberately not read: an agent's environment must not point it at production unasked.

Configure it in the agent, e.g. .mcp.json: {"mcpServers": {"sbx": {"command": "npx", "args": ["sbx", "mcp", "--workdir", "."]}}}

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --workdir .', description: 'Serve the project in this folder.'},
    {
      command: '<%= config.bin %> <%= command.id %> --db-url postgresql://postgres@127.0.0.1:54322/postgres',
      description: 'Apply to a local development database instead of the embedded one.',
    },
  ]

  static override flags = {
    'db-url': Flags.string({
      helpValue: 'URL',
      summary: 'Development database for apply_migration, sync and list_migrations (default: the embedded database).',
    }),
    'lock-timeout': lockTimeoutFlag,
  }

  static override summary = 'Serve sbx to coding agents over MCP (stdio).'

  async run(): Promise<void> {
    const {flags} = await this.parse(Mcp)
    if (flags['db-url'] === '') throw new UsageError('--db-url is empty: pass a postgresql:// URL.')
    await serveMcp({
      workdir: flags.workdir,
      dbUrl: flags['db-url'],
      lockTimeoutSeconds: flags['lock-timeout'],
      version: this.config.version,
    })
  }
}
