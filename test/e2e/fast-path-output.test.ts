/**
 * The fast paths report failures as the oclif commands do (src/fast-path-output.ts): a failure sbx names in its one
 * line (or small JSON object) with its exit code; a bug — an error sbx cannot name — with oclif's report, exit 1,
 * and under --json oclif's error object on stdout. Run in a real process: oclif's handler exits the process.
 */
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {REPO_ROOT} from '../helpers/cli.js'

const MODULE = path.join(REPO_ROOT, 'dist', 'fast-path-output.js')
const ERRORS = path.join(REPO_ROOT, 'dist', 'core', 'errors.js')

async function print(error: string, json: boolean) {
  const script = `const {printFailure} = await import(${JSON.stringify(MODULE)})
const {UsageError} = await import(${JSON.stringify(ERRORS)})
await printFailure(${error}, ${json})`
  const result = await execa('node', ['--input-type=module', '-e', script], {reject: false})
  return {exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr)}
}

describe('fast-path failures', () => {
  it('a named failure: one line and Try: lines, its exit code', async () => {
    const result = await print(
      `new UsageError('Bad name: use letters.', 'EBADNAME', ['sbx migration new --help'])`,
      false,
    )
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('Error: Bad name: use letters. (EBADNAME)\nTry: sbx migration new --help')
  })

  it('a named failure under --json: the small object, its exit code', async () => {
    const result = await print(`new UsageError('Bad name.', 'EBADNAME')`, true)
    expect(result.exitCode).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({code: 'EBADNAME', message: 'Bad name.', exitCode: 2})
  })

  it("a bug: oclif's report on stderr, exit 1", async () => {
    const result = await print(`new TypeError('boom in a bug')`, false)
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('boom in a bug')
  })

  it("a bug under --json: oclif's error object on stdout, exit 1", async () => {
    const result = await print(`Object.assign(new TypeError('boom in a bug'), {detail: 7})`, true)
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({error: {detail: 7, message: 'boom in a bug', name: 'TypeError'}})
  })
})
