/**
 * Supabase's security advisors (`supabase db advisors`, the splinter rules) run by the real supabase binary
 * against a database URL: v3 `--remote=URL --output-format json`, v2 `--db-url URL -o json`.
 */
import {parseAdvisorsOutput} from '../core/advisors.js'
import {ExternalError} from '../core/errors.js'
import {redactSecrets} from '../core/redact.js'
import {runSupabase, type SupabaseCli, targetArgs} from './supabase.js'

export async function runAdvisors(
  cli: SupabaseCli,
  url: string,
  cwd: string,
): Promise<ReturnType<typeof parseAdvisorsOutput>> {
  const format = cli.major >= 3 ? ['--agent=no', '--output-format', 'json'] : ['-o', 'json']
  // Performance lints judge usage statistics an empty replay does not have (core/advisors.ts ADVISORS_NOT_RUN).
  const args = ['db', 'advisors', ...targetArgs(cli, {url}), '--type', 'security', ...format]
  const result = await runSupabase(cli, args, {cwd, filter: (text) => redactSecrets(text, url)})
  try {
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}`)
    return parseAdvisorsOutput(result.stdout)
  } catch (error) {
    const said = `${result.stderr}\n${result.stdout}`
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('{'))
      .slice(-3)
      .join(' ')
    throw new ExternalError(
      `supabase ${cli.version} db advisors failed (${(error as Error).message})${said ? `: ${said}` : ''}`,
      'EADVISORS',
      ['Run with [verify] advisors = "off" in supabase/sbx.toml (or --advisors off) to verify without them.'],
      error,
    )
  }
}
