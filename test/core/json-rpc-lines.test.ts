import {describe, expect, it} from 'vitest'
import {LineFramer, requestId} from '../../src/core/mcp/json-rpc-lines.js'

const b = (text: string) => Buffer.from(text)

describe('newline-delimited JSON-RPC with a bounded message', () => {
  it('frames messages split across chunks and several in one chunk; CRLF and blank lines are tolerated', () => {
    const framer = new LineFramer(100)
    expect(framer.push(b('{"a":'))).toEqual([])
    expect(framer.push(b('1}\r\n\n{"b":2}\n{"c"'))).toEqual([
      {kind: 'message', text: '{"a":1}'},
      {kind: 'message', text: '{"b":2}'},
    ])
    expect(framer.push(b(':3}\n'))).toEqual([{kind: 'message', text: '{"c":3}'}])
  })

  it('drops an oversize message as it streams in, reports its size and id, and frames the next one', () => {
    const framer = new LineFramer(64)
    const big = `{"method":"tools/call","params":{"sql":"${'x'.repeat(1000)}","id":1},"jsonrpc":"2.0","id":42}`
    const events = [] as ReturnType<LineFramer['push']>
    for (let i = 0; i < big.length; i += 7) events.push(...framer.push(b(big.slice(i, i + 7))))
    events.push(...framer.push(b('\n{"ok":true}\n')))
    expect(events).toEqual([
      {kind: 'oversize', bytes: Buffer.byteLength(big), id: 42},
      {kind: 'message', text: '{"ok":true}'},
    ])
  })

  it('a message of exactly the limit passes; one byte more does not', () => {
    const framer = new LineFramer(10)
    expect(framer.push(b('0123456789\n01234567890\n'))).toEqual([
      {kind: 'message', text: '0123456789'},
      {kind: 'oversize', bytes: 11, id: null},
    ])
  })

  it.each([
    ['id last (the SDK client)', '{"method":"x","params":{},"jsonrpc":"2.0","id":7}', 7],
    ['id first', '{"jsonrpc":"2.0","id":"req-1","method":"x","params":{}}', 'req-1'],
    ['a nested id only', '{"method":"x","params":{"id":3}}', null],
    ['no JSON at all', 'garbage', null],
  ])('the id of an oversize request: %s', (_, text, id) => {
    expect(requestId(b(text.slice(0, 30)), b(text.slice(-30)))).toBe(id)
  })
})
