/** The SDK's own MCP client, talking over stdio to `sbx mcp` spawned from the built CLI. */
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {onTestFinished} from 'vitest'
import {SBX_BIN, SUPABASE_BIN} from './cli.js'

export interface McpSession {
  client: Client
  /** What the server wrote to stderr (stdout is the protocol). */
  stderr: () => string
}

export async function startMcp(workdir: string, args: string[] = []): Promise<McpSession> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  // vitest sets NODE_ENV=test; a user's sbx runs without it.
  delete env.NODE_ENV
  Object.assign(env, {SBX_SUPABASE_BIN: SUPABASE_BIN, SUPABASE_NO_UPDATE_NOTIFIER: '1'})
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SBX_BIN, 'mcp', '--workdir', workdir, ...args],
    env,
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const client = new Client({name: 'sbx-test', version: '0.0.0'})
  await client.connect(transport)
  onTestFinished(() => client.close())
  return {client, stderr: () => stderr}
}

export interface ToolCall {
  isError?: boolean
  structuredContent?: Record<string, unknown>
  content: Array<{type: string; text?: string}>
  _meta?: {exitCode?: number}
}

export async function callTool(
  session: McpSession,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolCall> {
  // Verify and push can take a while on a loaded 2-core machine; the SDK's default is 60 s.
  return (await session.client.callTool({name, arguments: args}, undefined, {timeout: 180_000})) as ToolCall
}
