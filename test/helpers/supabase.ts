/** The real supabase CLI (npm package `supabase`), run non-interactively with deterministic output. */
import {execa} from 'execa'
import {SUPABASE_BIN} from './cli.js'

export async function supabase(
  args: string[],
  cwd: string,
): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const result = await execa(SUPABASE_BIN, [...args, '--workdir', cwd], {
    cwd,
    reject: false,
    stdin: 'ignore',
    // Agent-detection variables (CLAUDECODE, AI_AGENT…) would switch supabase to JSON and demand consent.
    env: {SUPABASE_NO_UPDATE_NOTIFIER: '1', CLAUDECODE: undefined, AI_AGENT: undefined},
    timeout: 120_000,
  })
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}

export function supabasePush(cwd: string, url: string) {
  return supabase(['db', 'push', `--remote=${url}`, '--yes', '--agent=no', '--include-all'], cwd)
}
