/**
 * `sbx migration new` without oclif. Agent fleets spawn it by the hundred at once, and loading oclif is half
 * of its CPU time (bench/RESULTS.md). Only the plain shapes are handled here — a name, --workdir,
 * --lock-timeout, --offline, --json — with output identical to the oclif command's (test/e2e/fast-path.test.ts). Anything
 * else, including every usage error and --help, returns false and goes through oclif.
 */
import {parseArgs} from 'node:util'
import {printFailure} from './fast-path-output.js'
// Static: bundled into the one file bin/run.js loads (scripts/bundle-fast-path.mjs). Each module the ESM loader
// has to find, read and link costs start-up; only the registry's code stays in chunks loaded when it is used.
import {newMigration, stdinContent} from './workflows/new-migration.js'

interface Plain {
  name: string
  workdir?: string
  lockTimeoutSeconds: number
  json: boolean
  offline: boolean
}

export function parsePlainMigrationNew(argv: readonly string[]): Plain | undefined {
  if (argv[0] !== 'migration' || argv[1] !== 'new' || process.env.SBX_FAST_PATH === '0') return undefined
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv.slice(2))
  } catch {
    return undefined
  }
  const {positionals, values} = parsed
  const lockTimeout = values['lock-timeout'] ?? '30'
  if (positionals.length !== 1 || !/^\d+$/.test(lockTimeout)) return undefined
  return {
    name: positionals[0] as string,
    workdir: values.workdir,
    lockTimeoutSeconds: Number(lockTimeout),
    json: values.json ?? false,
    offline: values.offline ?? false,
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: {type: 'boolean'},
      'lock-timeout': {type: 'string'},
      offline: {type: 'boolean'},
      workdir: {type: 'string'},
    },
  })
}

/** Runs `migration new` if the arguments are plain; returns false to hand them to oclif. */
export async function runFastPath(argv: readonly string[]): Promise<boolean> {
  const plain = parsePlainMigrationNew(argv)
  if (!plain) return false
  try {
    const result = await newMigration({
      name: plain.name,
      workdir: plain.workdir,
      lockTimeoutSeconds: plain.lockTimeoutSeconds,
      content: stdinContent(),
      offline: plain.offline,
    })
    if (result.registry && !result.registry.reserved) {
      const {renderUnreserved} = await import('./render/registry.js')
      process.stderr.write(`${renderUnreserved(result)}\n`)
    }
    process.stdout.write(
      plain.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `Created new migration at supabase/migrations/${result.version}_${result.name}.sql\n`,
    )
  } catch (thrown) {
    await printFailure(thrown, plain.json)
  }
  return true
}
