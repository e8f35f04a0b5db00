import {execFileSync, spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runSbx, SBX_BIN} from '../helpers/cli.js'
import {git, gitProject, tmpProject, writeTree} from '../helpers/project.js'

/** A PATH on which `sbx` is the built CLI, as after `npm install -g` or in node_modules/.bin. */
function pathWithSbx(): string {
  const bin = tmpProject({}, {config: false})
  fs.writeFileSync(path.join(bin, 'sbx'), `#!/bin/sh\nexec node "${SBX_BIN}" "$@"\n`, {mode: 0o755})
  return `${bin}:${process.env.PATH}`
}

function commit(dir: string, env: NodeJS.ProcessEnv) {
  return spawnSync('git', ['commit', '-q', '-m', 'add migrations'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      ...env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  })
}

describe('sbx hooks install', () => {
  it('refuses a commit that stages two migrations with one version, and allows it once fixed', async () => {
    const dir = gitProject({})
    const installed = await runSbx(['hooks', 'install'], {cwd: dir})
    expect(installed.exitCode).toBe(0)
    expect(fs.readFileSync(path.join(dir, '.gitattributes'), 'utf8')).toContain(
      'supabase/sbx-renames.jsonl merge=union',
    )

    writeTree(dir, {
      'supabase/migrations/20260101000000_a.sql': 'select 1;',
      'supabase/migrations/20260101000000_b.sql': 'select 2;',
    })
    git(dir, 'add', '-A')
    const env = {PATH: pathWithSbx()}
    const refused = commit(dir, env)
    expect(refused.status).not.toBe(0)
    expect(refused.stdout + refused.stderr).toContain('20260101000000')

    expect((await runSbx(['fix'], {cwd: dir})).exitCode).toBe(0)
    git(dir, 'add', '-A')
    const accepted = commit(dir, env)
    expect(accepted.status, accepted.stderr).toBe(0)
  })

  it('keeps an existing hook and changes nothing the second time', async () => {
    const dir = gitProject({})
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit')
    fs.writeFileSync(hook, '#!/bin/sh\necho existing-hook-ran\n', {mode: 0o755})
    await runSbx(['hooks', 'install'], {cwd: dir})
    const once = fs.readFileSync(hook, 'utf8')
    expect(once.startsWith('#!/bin/sh\necho existing-hook-ran\n')).toBe(true)
    const again = await runSbx(['hooks', 'install'], {cwd: dir})
    expect(again.stdout).toContain('nothing changed')
    expect(fs.readFileSync(hook, 'utf8')).toBe(once)
    const out = execFileSync(hook, {cwd: dir, encoding: 'utf8', env: {...process.env, PATH: pathWithSbx()}})
    expect(out).toContain('existing-hook-ran')
  })

  it('goes into .husky/pre-commit when husky is set up', async () => {
    const dir = gitProject({'.husky/pre-commit': 'npm test\n'})
    const result = await runSbx(['hooks', 'install', '--json'], {cwd: dir})
    expect(JSON.parse(result.stdout).via).toBe('husky')
    const hook = fs.readFileSync(path.join(dir, '.husky', 'pre-commit'), 'utf8')
    expect(hook.startsWith('npm test\n')).toBe(true)
    expect(hook).toContain('sbx check --staged')
  })

  it('outside git it is a clear usage error', async () => {
    const dir = tmpProject({})
    const result = await runSbx(['hooks', 'install'], {cwd: dir})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('not in a git repository')
  })
})
