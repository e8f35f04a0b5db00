/**
 * The real squawk binary (npm `squawk-cli`, whose platform package carries it). Run directly rather than
 * through the package's Node shim: one process start instead of two.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {ExternalError} from '../../core/errors.js'
import type {SquawkViolation} from '../../core/verify/lint.js'

export interface SquawkRun {
  /** Working folder; file names are given (and reported) relative to it. */
  cwd: string
  files: readonly string[]
  assumeInTransaction: boolean
  exclude: readonly string[]
  include: readonly string[]
  pgVersion: string
}

export function findSquawk(): {bin: string; version: string} {
  const require = createRequire(import.meta.url)
  const binaryName = process.platform === 'win32' ? 'squawk.exe' : 'squawk'
  let version = 'unknown'
  try {
    const manifest = require.resolve('squawk-cli/package.json')
    version = (require(manifest) as {version?: string}).version ?? version
    const fromCli = createRequire(manifest)
    const bin = fromCli.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/${binaryName}`)
    if (existsSync(bin)) return {bin, version}
  } catch {
    // Fall back to the package's shim below.
  }
  try {
    const shim = path.join(path.dirname(require.resolve('squawk-cli/package.json')), 'js', 'bin', 'squawk')
    if (existsSync(shim)) return {bin: shim, version}
  } catch {
    // Not installed at all.
  }
  throw new ExternalError(
    `squawk (npm squawk-cli) is not installed for ${process.platform}-${process.arch}: reinstall sbx's dependencies.`,
    'ENOSQUAWK',
  )
}

export async function runSquawk(run: SquawkRun): Promise<SquawkViolation[]> {
  if (run.files.length === 0) return []
  const {bin} = findSquawk()
  const {execa} = await import('execa')
  const args = [
    '--reporter',
    'json',
    '--pg-version',
    run.pgVersion,
    ...(run.assumeInTransaction ? ['--assume-in-transaction'] : []),
    ...(run.exclude.length > 0 ? ['--exclude', run.exclude.join(',')] : []),
    ...(run.include.length > 0 ? ['--include', run.include.join(',')] : []),
    '--',
    ...run.files,
  ]
  const result = await execa(bin, args, {cwd: run.cwd, reject: false, stdin: 'ignore'})
  const stdout = String(result.stdout).trim()
  // squawk exits 1 when it finds something; its JSON is on stdout either way.
  if (stdout.startsWith('[')) return JSON.parse(stdout) as SquawkViolation[]
  throw new ExternalError(
    `squawk failed (exit ${result.exitCode}): ${
      String(result.stderr || result.stdout)
        .trim()
        .split('\n')[0]
    }`,
    'ESQUAWK',
  )
}
