/** Runs the built CLI (`npm run build` first; `npm test` does) as a real process. */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa, type ResultPromise} from 'execa'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SBX_BIN = path.join(REPO_ROOT, 'bin', 'run.js')
export const SUPABASE_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'supabase')

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd: string
  /** Bytes for stdin; without it stdin is /dev/null (not a terminal, so sbx reads an empty file). */
  input?: string | Buffer
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/** Starts `sbx args…`; await the result for {exitCode, stdout, stderr}. Never rejects on a non-zero exit. */
export function startSbx(args: string[], options: RunOptions): ResultPromise<{reject: false}> {
  return execa('node', [SBX_BIN, ...args], {
    cwd: options.cwd,
    reject: false,
    // vitest sets NODE_ENV=test; a user's sbx runs without it.
    env: {SUPABASE_NO_UPDATE_NOTIFIER: '1', NODE_ENV: undefined, ...options.env},
    timeout: options.timeoutMs ?? 60_000,
    ...(options.input === undefined ? {stdin: 'ignore' as const} : {input: options.input}),
  }) as ResultPromise<{reject: false}>
}

export async function runSbx(args: string[], options: RunOptions): Promise<RunResult> {
  const result = await startSbx(args, options)
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}
