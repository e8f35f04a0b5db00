/**
 * A file supabase skips on purpose (`local_…_ollama.sql`, kept for a developer's machine): without `[check] ignore`
 * check and fix exit 3 naming it; with it, check, fix --dry-run and fix exit 0 and note it. The built CLI.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

const FILES = {
  'supabase/migrations/20240101000000_init.sql': 'create table public.t (id int);\n',
  'supabase/migrations/local_20240107152745_ollama.sql': 'create extension if not exists vector;\n',
}

describe('[check] ignore in supabase/sbx.toml', () => {
  it('turns a file supabase skips from a block into a note for check, fix --dry-run and fix', async () => {
    const dir = tmpProject(FILES)
    const blocked = await runSbx(['check'], {cwd: dir})
    expect(blocked.exitCode, blocked.stdout).toBe(3)
    expect(blocked.stdout).toContain('local_20240107152745_ollama.sql')
    expect(blocked.stdout).toContain('[check] ignore')
    // fix --dry-run's verdict is fix's: the same exit, and the finding that no rename solves.
    const dry = await runSbx(['fix', '--dry-run', '--json'], {cwd: dir})
    expect(dry.exitCode, dry.stdout).toBe(3)
    expect(JSON.parse(dry.stdout).remaining).toEqual([
      expect.objectContaining({kind: 'skipped-file', file: 'local_20240107152745_ollama.sql'}),
    ])
    expect((await runSbx(['fix', '--dry-run'], {cwd: dir})).exitCode).toBe(3)
    expect((await runSbx(['fix'], {cwd: dir})).exitCode).toBe(3)

    fs.writeFileSync(path.join(dir, 'supabase', 'sbx.toml'), '[check]\nignore = ["local_*.sql"]\n')
    const noted = await runSbx(['check', '--json'], {cwd: dir})
    expect(noted.exitCode, noted.stdout).toBe(0)
    expect(JSON.parse(noted.stdout).findings).toEqual([
      expect.objectContaining({
        kind: 'skipped-file',
        blocking: false,
        intended: true,
        file: 'local_20240107152745_ollama.sql',
      }),
    ])
    const human = await runSbx(['check'], {cwd: dir})
    expect(human.stdout).toContain('(intended: [check] ignore in supabase/sbx.toml)')
    expect((await runSbx(['fix', '--dry-run'], {cwd: dir})).exitCode).toBe(0)
    const fixed = await runSbx(['fix'], {cwd: dir})
    expect(fixed.exitCode, fixed.stdout + fixed.stderr).toBe(0)
    expect(fs.readdirSync(path.join(dir, 'supabase', 'migrations')).sort()).toEqual(
      ['20240101000000_init.sql', 'local_20240107152745_ollama.sql'].sort(),
    )
  })
})
