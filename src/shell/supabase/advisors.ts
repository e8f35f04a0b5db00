/**
 * Supabase's security advisors (`supabase db advisors`, the splinter rules) run by the real supabase binary
 * against a database URL: v3 `--remote=URL --output-format json`, v2 `--db-url URL -o json`.
 */

import {ExternalError} from '../../core/errors.js'
import {redactSecrets} from '../../core/output/redact.js'
import {configRefusal, configRefused, supabaseError} from '../../core/push/supabase-refusal.js'
import {parseAdvisorsOutput} from '../../core/verify/advisors.js'
import {runSupabase, type SupabaseCli, targetArgs} from './supabase.js'

export async function runAdvisors(
  cli: SupabaseCli,
  url: string,
  cwd: string,
): Promise<ReturnType<typeof parseAdvisorsOutput>> {
  const format = cli.major >= 3 ? ['--agent=no', '--output-format', 'json'] : ['-o', 'json']
  // Performance lints judge usage statistics an empty replay does not have (core/verify/advisors.ts ADVISORS_NOT_RUN).
  const args = ['db', 'advisors', ...targetArgs(cli, {url}), '--type', 'security', ...format]
  const result = await runSupabase(cli, args, {cwd, filter: (text) => redactSecrets(text, url)})
  try {
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}`)
    return parseAdvisorsOutput(result.stdout)
  } catch (error) {
    const output = `${result.stderr}\n${result.stdout}`
    const refusal = configRefusal(output)
    if (refusal) throw configRefused(cli, refusal)
    const said = supabaseError(output)?.message
    throw new ExternalError(
      `supabase ${cli.version} db advisors failed (${(error as Error).message})${said ? `: ${said}` : ''}`,
      'EADVISORS',
      ['Run with [verify] advisors = "off" in supabase/sbx.toml (or --advisors off) to verify without them.'],
      error,
    )
  }
}

/** No server listens there: supabase loads config.toml first, then fails to connect at once. */
const NOWHERE = 'postgresql://sbx@127.0.0.1:1/sbx_config_check'

/**
 * Whether supabase accepts the project's config.toml, asked before a replay whose advisors would find out only
 * at the end (measured: 0.7 s, run beside the database's start). Throws supabase's refusal, exit 2.
 */
export async function checkSupabaseConfig(cli: SupabaseCli, cwd: string): Promise<void> {
  const format = cli.major >= 3 ? ['--agent=no', '--output-format', 'json'] : ['-o', 'json']
  const args = ['db', 'advisors', ...targetArgs(cli, {url: NOWHERE}), '--type', 'security', ...format]
  const result = await runSupabase(cli, args, {cwd})
  const refusal = result.exitCode === 0 ? undefined : configRefusal(`${result.stderr}\n${result.stdout}`)
  if (refusal) throw configRefused(cli, refusal)
}

/** `nothingApplied` where the refusal came from push, whose user needs to know the target is unchanged. */
