/**
 * `sbx mcp`: a Model Context Protocol server on stdio, built on the official TypeScript SDK. stdout is the
 * protocol channel: nothing else may write there, so console output is sent to stderr while it runs. The SDK
 * and zod are imported here, lazily: no other command pays for them.
 */
import {assertDatabaseUrl} from '../../core/database-url.js'
import {openProject} from '../../shell/project/project.js'
import {toolError} from './results.js'
import {sbxTools, type ToolContext} from './tools.js'

export interface McpServerOptions extends ToolContext {
  /** Reported to clients in the initialize handshake. */
  version: string
}

export async function serveMcp(options: McpServerOptions): Promise<void> {
  // A bad --workdir is a usage error at start-up (exit 2), not a failure of every tool call later.
  const workdir = openProject({workdir: options.workdir}).workdir
  // So is a malformed or non-Postgres --db-url (the same check as every command's).
  if (options.dbUrl !== undefined) assertDatabaseUrl(options.dbUrl)
  const [{McpServer}, {BoundedStdioTransport}, {z}] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/mcp.js'),
    import('../../shell/mcp/mcp-stdio.js'),
    import('zod'),
  ])
  keepStdoutForProtocol()
  const server = new McpServer(
    {name: 'sbx', version: options.version},
    {
      instructions:
        'Safe Supabase migrations. Create migrations with create_migration and apply them with apply_migration (never apply SQL to the database directly: the file and the history would get different versions). If the database already has versions with no local file, run sync.',
    },
  )
  for (const tool of sbxTools(z, {...options, workdir})) {
    server.registerTool(
      tool.name,
      {description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations},
      async (args) => {
        try {
          return await tool.run(args as Record<string, unknown>)
        } catch (error) {
          return toolError(error, options.dbUrl)
        }
      },
    )
  }
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve
  })
  // A bounded message size, answered with an error and survived (the SDK's transport closes the session).
  await server.connect(new BoundedStdioTransport())
  // The client closing our stdin is the end of the session.
  process.stdin.once('end', () => void server.close())
  await closed
}

function keepStdoutForProtocol(): void {
  const toStderr = (...args: unknown[]) => console.error(...args)
  console.log = toStderr
  console.info = toStderr
  console.debug = toStderr
}
