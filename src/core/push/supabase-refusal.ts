/**
 * When supabase refuses to start because of the project's own config.toml, its words, so that sbx can show them
 * as they are (never "db advisors failed (exit 1)") and exit as for any bad input. Pure: works on what supabase
 * printed. Measured with supabase 3.1: `--output-format json` prints `{"_tag":"Error","error":{"code":
 * "DbConfigLoadError","message":"[inbucket] in supabase/config.toml is no longer supported. Use [local_smtp]
 * instead."}}` on stdout; the human output prints the message line, then "Try rerunning the command with --debug…".
 */

import {UsageError} from '../errors.js'

/** supabase's JSON error codes for a config.toml it cannot load. */
const CONFIG_CODES = new Set(['DbConfigLoadError', 'ConfigLoadError', 'ConfigError'])

/** Lines that say config.toml itself is at fault (a section or key supabase rejects, a file it cannot parse). */
const CONFIG_LINE = /config\.toml|failed to (?:load|read|parse) config|cannot (?:load|read|parse) config/iu

export interface SupabaseError {
  code?: string
  message: string
}

/** supabase's own error, from its JSON (`{"_tag":"Error","error":{…}}`) or its last meaningful line. */
export function supabaseError(output: string): SupabaseError | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  for (const line of lines.toReversed()) {
    if (!line.startsWith('{')) continue
    const error = parseJsonError(line)
    if (error) return error
  }
  const said = lines.filter((line) => !/^Try rerunning the command with --debug/u.test(line) && !line.startsWith('{'))
  const last = said.findLast((line) => !/^(?:Warning|WARN|Target|Connecting|Initialising)\b/u.test(line))
  return last ? {message: last} : undefined
}

/** supabase's line refusing the project's config.toml, if that is what it printed. */
export function configRefusal(output: string): string | undefined {
  const error = supabaseError(output)
  if (!error) return undefined
  if (error.code !== undefined) return CONFIG_CODES.has(error.code) ? error.message : undefined
  return CONFIG_LINE.test(error.message) ? error.message : undefined
}

function parseJsonError(line: string): SupabaseError | undefined {
  try {
    const parsed = JSON.parse(line) as {_tag?: unknown; error?: {code?: unknown; message?: unknown}}
    const message = parsed?.error?.message
    if (parsed?._tag !== 'Error' || typeof message !== 'string') return undefined
    return typeof parsed.error?.code === 'string' ? {code: parsed.error.code, message} : {message}
  } catch {
    return undefined
  }
}

/** supabase refused config.toml: its words, exit 2 (a bad input), and whether anything was applied. */
export function configRefused(cli: {version: string}, refusal: string, nothingApplied = false): UsageError {
  const message = `supabase ${cli.version} refuses supabase/config.toml: ${refusal}`
  return new UsageError(nothingApplied ? `${message} Nothing was applied.` : message, 'ESUPABASECONFIG', [
    'Fix supabase/config.toml as supabase says, then run the command again.',
  ])
}
