/**
 * Tool results for `sbx mcp`. A result's structured content is exactly the matching command's `--json`
 * output; `_meta.exitCode` is the exit code the command would have had. An error is a tool error carrying
 * the command's message, code and exit code. Every result passes through redaction of the database URL's
 * password, whatever produced it.
 */
import {ExitCode, SbxError} from '../../core/errors.js'
import {redactSecrets} from '../../core/output/redact.js'

export interface ToolResult {
  [key: string]: unknown
  content: Array<{type: 'text'; text: string}>
  structuredContent?: Record<string, unknown>
  isError?: boolean
  _meta?: Record<string, unknown>
}

export interface ToolError {
  code: string
  exitCode: number
  message: string
  suggestions: string[]
}

export function toolResult(report: object, exitCode: number, secretUrl?: string): ToolResult {
  const structured = redacted(report, secretUrl)
  return {content: [{type: 'text', text: JSON.stringify(structured)}], structuredContent: structured, _meta: {exitCode}}
}

/** `extra` adds context to the structured error, e.g. the file an apply created and left in place. */
export function toolError(error: unknown, secretUrl?: string, extra: Record<string, unknown> = {}): ToolResult {
  const described = describeError(error)
  const structured = redacted({error: described, ...extra}, secretUrl)
  const message = (structured.error as ToolError).message
  return {
    content: [{type: 'text', text: message}],
    structuredContent: structured,
    isError: true,
    _meta: {exitCode: described.exitCode},
  }
}

export function describeError(error: unknown): ToolError {
  if (error instanceof SbxError) {
    return {code: error.code, exitCode: error.exitCode, message: error.message, suggestions: error.suggestions}
  }
  // Not an SbxError: a bug, exit 1 as the command would.
  const message = error instanceof Error ? error.message : String(error)
  return {code: 'EUNEXPECTED', exitCode: ExitCode.Unexpected, message, suggestions: []}
}

function redacted(value: object, secretUrl: string | undefined): Record<string, unknown> {
  return JSON.parse(redactSecrets(JSON.stringify(value), secretUrl)) as Record<string, unknown>
}
