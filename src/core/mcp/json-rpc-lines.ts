/**
 * Newline-delimited JSON-RPC, as MCP's stdio transport frames it, with a bound on one message. Pure: bytes in,
 * framed events out. A message longer than the limit is never buffered whole: its bytes are counted and dropped
 * up to its newline, keeping only a short head and tail to recover the request id, so that the sender gets an
 * error answer for that request (JSON-RPC `Invalid Request`) and the session goes on with the next message.
 */

/** The largest message `sbx mcp` reads, newline excluded: 4 MiB (a migration's SQL, JSON-escaped, fits easily). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** How much of an oversize message's start and end is kept to find its id. */
const KEPT = 512

export type RequestId = string | number

export type FramedEvent = {kind: 'message'; text: string} | {kind: 'oversize'; bytes: number; id: RequestId | null}

export const JSON_RPC_PARSE_ERROR = -32700
export const JSON_RPC_INVALID_REQUEST = -32600

export class LineFramer {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Set while an oversize message is being dropped. */
  private dropping?: {bytes: number; head: Buffer; tail: Buffer}

  constructor(readonly maxBytes: number = MAX_MESSAGE_BYTES) {}

  push(chunk: Buffer): FramedEvent[] {
    const events: FramedEvent[] = []
    let rest = chunk
    while (rest.length > 0) {
      const newline = rest.indexOf(0x0a)
      const segment = newline === -1 ? rest : rest.subarray(0, newline)
      this.take(segment)
      if (newline === -1) break
      events.push(this.endOfLine())
      rest = rest.subarray(newline + 1)
    }
    return events.filter((event) => event.kind !== 'message' || event.text.trim() !== '')
  }

  private take(segment: Buffer): void {
    if (this.dropping) {
      this.dropping.bytes += segment.length
      this.dropping.tail = lastBytes(Buffer.concat([this.dropping.tail, segment]))
      return
    }
    if (this.pendingBytes + segment.length <= this.maxBytes) {
      this.pending.push(segment)
      this.pendingBytes += segment.length
      return
    }
    const all = Buffer.concat([...this.pending, segment])
    this.dropping = {bytes: all.length, head: all.subarray(0, KEPT), tail: lastBytes(all)}
    this.pending = []
    this.pendingBytes = 0
  }

  private endOfLine(): FramedEvent {
    const dropped = this.dropping
    if (dropped) {
      this.dropping = undefined
      return {kind: 'oversize', bytes: dropped.bytes, id: requestId(dropped.head, dropped.tail)}
    }
    const text = Buffer.concat(this.pending).toString('utf8').replace(/\r$/u, '')
    this.pending = []
    this.pendingBytes = 0
    return {kind: 'message', text}
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length > KEPT ? Buffer.from(buffer.subarray(buffer.length - KEPT)) : buffer
}

const ID = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`

/**
 * The id of an oversize request, from the only places it can be read without the middle: the top-level `"id"`
 * written first (`{"jsonrpc":"2.0","id":…`) or last (`…,"id":7}`, as the SDK's client writes it; a nested
 * object's key would be followed by two closing braces). No id found: `null`, as JSON-RPC answers a parse error.
 */
export function requestId(head: Buffer, tail: Buffer): RequestId | null {
  const end = new RegExp(String.raw`[,{]\s*"id"\s*:\s*${ID}\s*\}\s*\r?$`, 'u').exec(tail.toString('utf8'))
  const start = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}`, 'u').exec(
    head.toString('utf8'),
  )
  const raw = end?.[1] ?? start?.[1]
  if (raw === undefined) return null
  return JSON.parse(raw) as RequestId
}

/** The answer to a message that cannot be handled, as a JSON-RPC error response. */
export function errorResponse(
  id: RequestId | null,
  code: number,
  message: string,
  data?: Record<string, unknown>,
): {jsonrpc: '2.0'; id: RequestId | null; error: {code: number; message: string; data?: Record<string, unknown>}} {
  return {jsonrpc: '2.0', id, error: {code, message, ...(data ? {data} : {})}}
}

/** Why an oversize message was dropped, in one line built from the numbers. */
export function oversizeMessage(bytes: number, limit: number): string {
  return `Message of ${bytes} bytes exceeds sbx mcp's limit of ${limit} bytes (${limit / (1024 * 1024)} MiB); it was discarded and nothing was done. Send less in one call (for a large migration, write the file with sbx migration new and apply it with sbx push).`
}
