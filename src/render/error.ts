/**
 * How every command shows a failure it can name: one line with the code, then one `Try:` line per suggestion,
 * never wrapped (oclif wraps at 80 columns, which split one error into 2–5 lines for anyone reading logs), and
 * under --json one small object with the documented exit code. The fast path and the pass-through hook use
 * the same shapes, so scripts cannot tell the paths apart.
 */
import type {SbxError} from '../core/errors.js'
import {terminalText} from '../core/output/terminal-text.js'

export interface ErrorJson {
  error: {code: string; message: string; suggestions: string[]; exitCode: number; name: 'Error'; oclif: {exit: number}}
}

export function renderError(error: SbxError): string {
  const lines = [`Error: ${error.message} (${error.code})`, ...error.suggestions.map((s) => `Try: ${s}`)]
  return `${terminalText(lines.join('\n'))}\n`
}

export function errorJson(error: SbxError): ErrorJson {
  const {code, message, suggestions, exitCode} = error
  return {error: {code, message, suggestions, exitCode, name: 'Error', oclif: {exit: exitCode}}}
}
