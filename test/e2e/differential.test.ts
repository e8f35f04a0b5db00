/**
 * The differential suite: every case of test/helpers/differential-cases.ts pushed with the real supabase 3.1 to a
 * throwaway database on the real PostgreSQL 15 (with the Supabase baseline), and verified with the built sbx in a
 * project whose config.toml says major_version = 15. Outcome: ok, or (0-based statement, SQLSTATE); one
 * disagreement fails the suite. Features of 16–18 are also verified on each PGlite line sbx has (17, 18): they
 * pass from the major that added them and fail before it. Serial: the helpers' clean-up hooks belong to one test.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {throwawayDatabase} from '../helpers/databases.js'
import {DIFFERENTIAL_CASES} from '../helpers/differential-cases.js'
import {tmpProject} from '../helpers/project.js'
import {supabasePush} from '../helpers/supabase.js'

const SERVER = process.env.SBX_TEST_DATABASE_URL
const FILE = '20260101000000_case.sql'

type Outcome = 'ok' | {statement: number; code: string}

function project(sql: string, major: number): string {
  return tmpProject({
    'supabase/config.toml': `project_id = "differential"\n\n[db]\nmajor_version = ${major}\n`,
    [`supabase/migrations/${FILE}`]: sql,
  })
}

async function supabaseOutcome(sql: string): Promise<Outcome> {
  const db = await throwawayDatabase('postgres', {baseline: true})
  const result = await supabasePush(project(sql, 15), db.url)
  if (result.exitCode === 0) return 'ok'
  const output = `${result.stdout}\n${result.stderr}`
  const code = /\(SQLSTATE (\w{5})\)/u.exec(output)?.[1]
  const statement = /At statement:? (\d+)/u.exec(output)?.[1]
  if (!code || statement === undefined) throw new Error(`supabase failed without a SQLSTATE:\n${output}`)
  return {statement: Number(statement), code}
}

async function verifyOutcome(sql: string, major: number): Promise<Outcome> {
  const cwd = project(sql, major)
  const result = await runSbx(['verify', '--json', '--advisors', 'off', '--lint', 'off'], {cwd, timeoutMs: 170_000})
  const report = JSON.parse(result.stdout) as {ok: boolean; failure?: {statementIndex: number; error: {code?: string}}}
  if (report.ok) return 'ok'
  if (!report.failure) throw new Error(`verify exited ${result.exitCode} without a failure: ${result.stdout}`)
  expect(result.exitCode).toBe(3)
  return {statement: report.failure.statementIndex, code: report.failure.error.code ?? ''}
}

describe.runIf(SERVER)('differential: sbx verify (major 15) agrees with supabase db push on PostgreSQL 15', () => {
  it('has at least 40 one-file cases', () => {
    expect(DIFFERENTIAL_CASES.length).toBeGreaterThanOrEqual(40)
    expect(fs.existsSync(path.join('node_modules', '.bin', 'supabase'))).toBe(true)
  })
  it.each(DIFFERENTIAL_CASES)('$name', async ({sql}) => {
    const [pushed, verified] = [await supabaseOutcome(sql), await verifyOutcome(sql, 15)]
    expect(verified).toEqual(pushed)
  })
})

const LINES = [17, 18]
const NEWER = DIFFERENTIAL_CASES.filter((c) => c.since !== undefined).flatMap((c) =>
  LINES.map((major) => ({...c, major, passes: major >= (c.since as number)})),
)

describe('differential: features of 16–18 on the PGlite lines (release notes)', () => {
  it.each(NEWER)('$name with major_version = $major', async ({sql, major, passes}) => {
    const outcome = await verifyOutcome(sql, major)
    if (passes) expect(outcome).toBe('ok')
    else expect(outcome).not.toBe('ok')
  })
})
