import {describe, expect, it} from 'vitest'
import {ExternalError, UsageError} from '../../src/core/errors.js'
import {toolError, toolResult} from '../../src/workflows/mcp/results.js'

const url = 'postgresql://postgres:hunter2-pw@db.example.com:5432/postgres'

describe('MCP tool results', () => {
  it('a result is the report as structured content and JSON text, with the exit code in _meta', () => {
    const report = {migrations: 2, findings: [], blocking: false}
    expect(toolResult(report, 0)).toEqual({
      content: [{type: 'text', text: JSON.stringify(report)}],
      structuredContent: report,
      _meta: {exitCode: 0},
    })
  })

  it('an SbxError becomes a tool error with its code, exit code, message and suggestions', () => {
    const result = toolError(new UsageError('Migration name is empty: pass a short description.', 'EBADNAME'))
    expect(result).toEqual({
      content: [{type: 'text', text: 'Migration name is empty: pass a short description.'}],
      structuredContent: {
        error: {
          code: 'EBADNAME',
          exitCode: 2,
          message: 'Migration name is empty: pass a short description.',
          suggestions: [],
        },
      },
      isError: true,
      _meta: {exitCode: 2},
    })
  })

  it('anything else is a bug: exit code 1', () => {
    expect(toolError(new TypeError('x is undefined')).structuredContent?.error).toMatchObject({
      code: 'EUNEXPECTED',
      exitCode: 1,
    })
  })

  it('the database password is removed from results and errors, wherever it appears', () => {
    const leaky = toolResult({target: url, nested: {note: 'password hunter2-pw'}}, 0, url)
    const error = toolError(new ExternalError(`Cannot connect to ${url}: auth failed for hunter2-pw`), url, {url})
    for (const result of [leaky, error]) expect(JSON.stringify(result)).not.toContain('hunter2-pw')
    expect(leaky.structuredContent?.target).toBe('postgresql://postgres:***@db.example.com:5432/postgres')
  })
})
