import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {supabase, supabasePush} from '../helpers/supabase.js'

describe('commands sbx does not have go to the real supabase CLI', () => {
  it('sbx migration list --remote=URL prints what supabase prints and keeps its exit code', async () => {
    const db = await throwawayDatabase('pglite')
    const dir = tmpProject({'supabase/migrations/20260101000000_init.sql': 'create table t (id int);'})
    expect((await supabasePush(dir, db.url)).exitCode).toBe(0)
    const args = ['migration', 'list', `--remote=${db.url}`, '--agent=no', '--workdir', dir]

    const viaSbx = await runSbx(args, {cwd: dir, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}})
    const direct = await supabase(args.slice(0, -2), dir)

    expect(viaSbx.exitCode).toBe(0)
    expect(viaSbx.stdout).toContain('20260101000000')
    expect(viaSbx.stdout).toBe(direct.stdout)
  })

  it('a failing supabase command exits with supabase’s code', async () => {
    const dir = tmpProject({})
    const result = await runSbx(
      ['migration', 'repair', 'abc', '--status', 'applied', '--remote=postgresql://x@127.0.0.1:9/x'],
      {
        cwd: dir,
        env: {SBX_SUPABASE_BIN: SUPABASE_BIN},
      },
    )
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('invalid version number')
  })

  it('without the supabase binary it is one clear line and exit 5', async () => {
    const dir = tmpProject({})
    const result = await runSbx(['db', 'reset'], {cwd: dir, env: {SBX_SUPABASE_BIN: '/nonexistent/supabase'}})
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('Cannot run /nonexistent/supabase')
  })
})

describe('a misspelt sbx command', () => {
  it.each([
    ['verfy', 'verify'],
    ['lgo', 'log'],
  ])('sbx %s: did you mean sbx %s, exit 2, supabase not run', async (typo, meant) => {
    const dir = tmpProject({})
    const result = await runSbx([typo], {cwd: dir, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}})
    expect(result.exitCode).toBe(2)
    expect(result.stderr.replace(/\s*\n ›\s+/gu, ' ')).toContain(`Did you mean: sbx ${meant}?`)
    expect(result.stdout).not.toContain('SUBCOMMANDS')
  })

  it.each(['login', 'link', 'init'])('sbx %s --help still reaches supabase', async (name) => {
    const dir = tmpProject({})
    const result = await runSbx([name, '--help'], {cwd: dir, env: {SBX_SUPABASE_BIN: SUPABASE_BIN}})
    expect(result.exitCode).toBe(0)
    expect(`${result.stdout}${result.stderr}`).toMatch(/USAGE|Usage/)
    expect(result.stderr).not.toContain('Did you mean')
  })
})
