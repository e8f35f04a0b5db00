/**
 * The real supabase CLI as a child process. Found through SBX_SUPABASE_BIN, the project's
 * node_modules/.bin, then PATH. Every call is non-interactive and deterministic: agent-detection
 * variables would otherwise switch it to JSON output and make it demand consent.
 */
import {existsSync, readFileSync, realpathSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {ExternalError} from '../../core/errors.js'

const AGENT_VARIABLES = ['AI_AGENT', 'CLAUDECODE', 'CLAUDE_CODE', 'CURSOR_AGENT', 'GEMINI_CLI', 'REPL_ID']

export interface SupabaseCli {
  bin: string
  /** Major version: 3 takes --remote=URL, 2 takes --db-url URL. */
  major: number
  version: string
}

export function findSupabaseBin(workdir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SBX_SUPABASE_BIN) return env.SBX_SUPABASE_BIN
  for (let dir = workdir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'supabase')
    if (existsSync(candidate)) return candidate
    if (path.dirname(dir) === dir) break
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'supabase'))) return path.join(dir, 'supabase')
  }
  throw new ExternalError(
    'The supabase CLI was not found: install it with "npm install --save-dev supabase".',
    'ENOSUPABASE',
  )
}

export function supabaseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1'}
  for (const name of Object.keys(env)) {
    if (AGENT_VARIABLES.includes(name) || name.startsWith('CODEX_')) delete env[name]
  }
  return env
}

export async function openSupabase(workdir: string): Promise<SupabaseCli> {
  const bin = findSupabaseBin(workdir)
  return versionFromPackage(bin) ?? versionFromBinary(bin)
}

const PLATFORM_PACKAGE = /^@supabase\/cli-(linux|darwin|windows|win32)-/u

/**
 * The npm package's package.json says the version without starting the binary, which costs ~0.45–0.75 s
 * (measured with supabase 3.1) — a fifth of a 200-file push.
 */
function versionFromPackage(bin: string): SupabaseCli | undefined {
  try {
    for (let dir = path.dirname(realpathSync(bin)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json')
      if (!existsSync(file)) continue
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {name?: string; version?: string}
      // The binary of a platform package (@supabase/cli-linux-x64…, which the npm shim starts) is the binary itself.
      const platform = PLATFORM_PACKAGE.test(pkg.name ?? '')
      const match = pkg.name === 'supabase' || platform ? /^(\d+)\.\d+\.\d+/.exec(pkg.version ?? '') : null
      if (!match) return undefined
      return {bin: platform ? bin : (platformBinary(file) ?? bin), major: Number(match[1]), version: match[0]}
    }
  } catch {
    // Not an npm install (a Homebrew or standalone binary): ask the binary.
  }
  return undefined
}

/**
 * The npm package's bin is a Node shim that only spawns the platform package's binary; running that binary
 * directly saves a Node start per call (the shim honours SUPABASE_CLI_BINARY_OVERRIDE, and so do we).
 */
function platformBinary(packageJson: string): string | undefined {
  if (process.env.SUPABASE_CLI_BINARY_OVERRIDE) return process.env.SUPABASE_CLI_BINARY_OVERRIDE
  const suffixes = process.platform === 'linux' ? [`linux-${process.arch}`, `linux-${process.arch}-musl`] : []
  const require = createRequire(packageJson)
  for (const suffix of suffixes) {
    try {
      const exe = path.join(path.dirname(require.resolve(`@supabase/cli-${suffix}/package.json`)), 'bin', 'supabase')
      if (existsSync(exe)) return exe
    } catch {
      // Not installed for this libc; try the next.
    }
  }
  return undefined
}

async function versionFromBinary(bin: string): Promise<SupabaseCli> {
  const {execa} = await import('execa')
  const result = await execa(bin, ['--version'], {reject: false, env: supabaseEnv(), stdin: 'ignore'})
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(String(result.stdout))
  if (result.exitCode !== 0 || !version) {
    throw new ExternalError(`${bin} --version failed: ${String(result.stderr || result.stdout).trim()}`, 'ESUPABASE')
  }
  return {bin, major: Number(version[1]), version: version[0]}
}

export interface RunOptions {
  cwd: string
  /** Each line supabase prints, as it prints it (already stripped of secrets by the caller's filter). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
  /** Applied to every line before it is shown or kept. */
  filter?: (text: string) => string
  signal?: AbortSignal
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

export async function runSupabase(cli: SupabaseCli, args: string[], options: RunOptions): Promise<RunResult> {
  const {execa} = await import('execa')
  const filter = options.filter ?? ((text: string) => text)
  const child = execa(cli.bin, args, {
    cwd: options.cwd,
    env: supabaseEnv(),
    stdin: 'ignore',
    reject: false,
    cancelSignal: options.signal,
    buffer: false,
  })
  const collected = {stdout: [] as string[], stderr: [] as string[]}
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.setEncoding('utf8')
    let pending = ''
    child[stream]?.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) emit(line)
    })
    child[stream]?.on('end', () => pending && emit(pending))
    function emit(raw: string) {
      const line = filter(raw)
      collected[stream].push(line)
      options.onLine?.(line, stream)
    }
  }
  const result = await child
  return {exitCode: result.exitCode ?? 1, stdout: collected.stdout.join('\n'), stderr: collected.stderr.join('\n')}
}

/** The arguments that point supabase at a target, for the CLI's major version. */
export function targetArgs(cli: SupabaseCli, target: {url: string} | {linked: true}): string[] {
  if ('linked' in target) return cli.major >= 3 ? ['--remote'] : ['--linked']
  return cli.major >= 3 ? [`--remote=${target.url}`] : ['--db-url', target.url]
}

/** Flags that keep a v3 call from prompting or switching format; v2 auto-confirms off a terminal. */
export function nonInteractiveArgs(cli: SupabaseCli): string[] {
  return cli.major >= 3 ? ['--yes', '--agent=no', '--output-format', 'text'] : ['--yes']
}

/** `supabase --help`, for its list of commands; empty when it cannot run. */
export async function supabaseHelp(bin: string): Promise<string> {
  const {execFile} = await import('node:child_process')
  return new Promise((resolve) => {
    execFile(bin, ['--help'], {env: supabaseEnv(), timeout: 15_000}, (_error, stdout, stderr) =>
      resolve(`${stdout}\n${stderr}`),
    )
  })
}
