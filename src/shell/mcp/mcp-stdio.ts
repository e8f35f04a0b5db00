/**
 * The MCP stdio channel: JSON-RPC messages, one per line, on this process's stdin and stdout. Replaces the SDK's
 * StdioServerTransport, which closes the whole session (exit 0, nothing said) when one message exceeds its buffer.
 * Here one message is bounded (core/mcp/json-rpc-lines.ts): a longer one is dropped as it streams in and answered with
 * a JSON-RPC error; so is a line that is not JSON or not a JSON-RPC message. The session goes on.
 */
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js'
import {type JSONRPCMessage, JSONRPCMessageSchema} from '@modelcontextprotocol/sdk/types.js'
import {
  errorResponse,
  type FramedEvent,
  JSON_RPC_INVALID_REQUEST,
  JSON_RPC_PARSE_ERROR,
  LineFramer,
  MAX_MESSAGE_BYTES,
  oversizeMessage,
} from '../../core/mcp/json-rpc-lines.js'

export class BoundedStdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private readonly framer: LineFramer
  private started = false

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    maxBytes = MAX_MESSAGE_BYTES,
  ) {
    this.framer = new LineFramer(maxBytes)
  }

  private readonly onData = (chunk: Buffer | string) => {
    for (const event of this.framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) this.handle(event)
  }

  private readonly onStreamError = (error: Error) => this.onerror?.(error)

  async start(): Promise<void> {
    if (this.started) throw new Error('BoundedStdioTransport already started')
    this.started = true
    this.stdin.on('data', this.onData)
    this.stdin.on('error', this.onStreamError)
  }

  private handle(event: FramedEvent): void {
    if (event.kind === 'oversize') {
      const message = oversizeMessage(event.bytes, this.framer.maxBytes)
      this.log(`sbx mcp: ${message}`)
      void this.reply(event.id, JSON_RPC_INVALID_REQUEST, message, {
        receivedBytes: event.bytes,
        limitBytes: this.framer.maxBytes,
      })
      return
    }
    let json: unknown
    try {
      json = JSON.parse(event.text)
    } catch {
      void this.reply(null, JSON_RPC_PARSE_ERROR, 'Parse error: the line is not JSON.')
      return
    }
    const parsed = JSONRPCMessageSchema.safeParse(json)
    if (!parsed.success) {
      const id = (json as {id?: unknown})?.id
      const known = typeof id === 'string' || typeof id === 'number' ? id : null
      void this.reply(known, JSON_RPC_INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message.')
      return
    }
    this.onmessage?.(parsed.data)
  }

  private reply(id: string | number | null, code: number, message: string, data?: Record<string, unknown>) {
    return this.write(JSON.stringify(errorResponse(id, code, message, data)))
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(JSON.stringify(message))
  }

  private write(json: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${json}\n`)) resolve()
      else this.stdout.once('drain', resolve)
    })
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData)
    this.stdin.off('error', this.onStreamError)
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause()
    this.onclose?.()
  }
}
