/**
 * `sbx push` without oclif. Loading @oclif/core, its manifest and the command class is about 0.13 s of the
 * 0.2 s push spends before its own work (measured: 0.25 s to oclif's parse error against 0.12 s to import the
 * push workflow bare), and push is measured against a bare `supabase db push` (issue 21, bench/RESULTS.md).
 * Only the plain shapes are handled here, with output identical to the oclif command's
 * (test/e2e/fast-path-push.test.ts). Anything else — --help, --linked, unknown or repeated flags, empty values,
 * SBX_CONTENT_TYPE — returns false and goes through oclif, which owns every usage error.
 */
import {parseArgs} from 'node:util'
import {terminalText} from './core/output/terminal-text.js'
import {pushExitCode} from './core/push/push-report.js'
import {printFailure} from './fast-path-output.js'
import type {PushOptions, TargetChoice} from './workflows/push.js'

type Plain = Omit<PushOptions, 'onProgress'> & {json: boolean}

const OPTIONS = {
  'db-url': {type: 'string'},
  'dry-run': {type: 'boolean'},
  'include-all': {type: 'boolean'},
  cache: {type: 'boolean'},
  'lock-timeout': {type: 'string'},
  'shadow-url': {type: 'string'},
  verify: {type: 'boolean'},
  workdir: {type: 'string'},
  json: {type: 'boolean'},
} as const

const NEGATABLE = new Set(['cache', 'verify'])

export function parsePlainPush(argv: readonly string[], env = process.env): Plain | undefined {
  if (argv[0] !== 'push' || env.SBX_FAST_PATH === '0' || env.SBX_CONTENT_TYPE !== undefined) return undefined
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv.slice(1))
  } catch {
    return undefined
  }
  const {positionals, tokens, values} = parsed
  const options = tokens.flatMap((token) => (token.kind === 'option' ? [token] : []))
  // oclif refuses a flag given twice and `--no-` of a flag that has no negation.
  if (positionals.length > 0 || new Set(options.map((token) => token.name)).size !== options.length) return undefined
  if (options.some((token) => token.rawName.startsWith('--no-') && !NEGATABLE.has(token.name))) return undefined
  const lockTimeout = values['lock-timeout'] ?? '30'
  if (!/^\d+$/.test(lockTimeout) || values['db-url'] === '' || values['shadow-url'] === '') return undefined
  const fromEnv = env.SUPABASE_DB_URL
  if (fromEnv === '' && values['db-url'] === undefined) return undefined
  const target: TargetChoice =
    values['db-url'] !== undefined
      ? {kind: 'url', url: values['db-url']}
      : fromEnv !== undefined
        ? {kind: 'url', url: fromEnv, env: 'SUPABASE_DB_URL'}
        : {kind: 'embedded'}
  return {
    workdir: values.workdir,
    target,
    dryRun: values['dry-run'] ?? false,
    includeAll: values['include-all'] ?? false,
    verify: values.verify ?? true,
    cache: values.cache ?? true,
    shadowUrl: values['shadow-url'],
    lockTimeoutSeconds: Number(lockTimeout),
    json: values.json ?? false,
  }
}

function parse(args: string[]) {
  return parseArgs({args, allowPositionals: true, allowNegative: true, strict: true, tokens: true, options: OPTIONS})
}

/** Runs `push` if the arguments are plain; returns false to hand them to oclif. */
export async function runFastPath(argv: readonly string[]): Promise<boolean> {
  const plain = parsePlainPush(argv)
  if (!plain) return false
  const {json, ...options} = plain
  const [{push}, {renderPush}] = await Promise.all([import('./workflows/push.js'), import('./render/push.js')])
  try {
    const report = await push({
      ...options,
      onProgress: json ? undefined : (line) => process.stderr.write(`${terminalText(line)}\n`),
    })
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${terminalText(renderPush(report))}\n`)
    process.exitCode = pushExitCode(report) ?? process.exitCode
  } catch (thrown) {
    await printFailure(thrown, json)
  }
  return true
}
