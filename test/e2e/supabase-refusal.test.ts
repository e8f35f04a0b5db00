/**
 * supabase refusing the project's config.toml (`[inbucket]`, no longer supported by supabase 3.1): verify, plan and
 * push say supabase's own line and exit 2, before any replay or deploy. The real supabase binary, the built CLI.
 */
import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const LINE = '[inbucket] in supabase/config.toml is no longer supported. Use [local_smtp] instead.'

function project() {
  return tmpProject({
    'supabase/config.toml': 'project_id = "sbx-test"\n\n[inbucket]\nenabled = true\nport = 54324\n',
    'supabase/migrations/20240101000000_t.sql': 'create table public.t (id int);\n',
  })
}

describe('supabase refusing config.toml', () => {
  it('verify and plan show supabase’s line and exit 2 (also under --json) without replaying', async () => {
    const dir = project()
    const human = await runSbx(['verify'], {cwd: dir, env, timeoutMs: 120_000})
    expect(human.exitCode).toBe(2)
    expect(human.stderr.replace(/\s*›\s*/gu, ' ')).toContain(`supabase 3.1.0 refuses supabase/config.toml: ${LINE}`)
    expect(human.stdout).not.toContain('Replayed')

    const json = await runSbx(['verify', '--json'], {cwd: dir, env, timeoutMs: 120_000})
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'ESUPABASECONFIG'})

    const plan = await runSbx(['plan', '--json'], {cwd: dir, env, timeoutMs: 120_000})
    expect(plan.exitCode).toBe(2)
    expect(JSON.parse(plan.stdout).error.message).toContain(LINE)
  }, 300_000)

  it('push without verify gets supabase’s line from db push itself, exit 2, nothing applied', async () => {
    const dir = project()
    const pushed = await runSbx(['push', '--no-verify', '--json'], {cwd: dir, env, timeoutMs: 120_000})
    expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(2)
    expect(JSON.parse(pushed.stdout).error).toMatchObject({code: 'ESUPABASECONFIG'})
    expect(JSON.parse(pushed.stdout).error.message).toContain(LINE)
  }, 300_000)
})
