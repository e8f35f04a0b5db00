/**
 * The git registry under load, as the issue measured it: 4 machines (separate clones of one real bare
 * origin) × 25 parallel `sbx migration new` (the built CLI, real processes), with the default settings
 * (`timeout = 10`, `--lock-timeout 30`). Every call must succeed.
 */
import {describe, expect, it} from 'vitest'
import {runSbx} from '../helpers/cli.js'
import {git} from '../helpers/project.js'
import {bareOrigin, cloneOf, gitRecords, migrationFiles} from '../helpers/registry.js'

const versionOf = (file: string) => file.slice(0, file.indexOf('_'))

describe('git registry under load', () => {
  it('4 clones × 25 parallel migration new with the default timeouts: 0 failures, 100 distinct versions, only fast-forwards', async () => {
    const origin = bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\n'})
    const clones = Array.from({length: 4}, () => cloneOf(origin))
    const started = Date.now()
    const results = await Promise.all(
      clones.flatMap((clone, c) =>
        Array.from({length: 25}, (_, i) =>
          runSbx(['migration', 'new', `c${c}_m${i}`, '--json'], {
            cwd: clone,
            env: {SUPABASE_WORKDIR: undefined},
            timeoutMs: 300_000,
          }),
        ),
      ),
    )
    const failures = results.filter((r) => r.exitCode !== 0)
    const attempts = results
      .filter((r) => r.exitCode === 0)
      .map((r) => JSON.parse(r.stdout).registry.attempts as number)
    console.log(
      `git 4x25: ${failures.length} failures in ${Date.now() - started} ms; attempts per reservation max ${Math.max(...attempts)}, mean ${(attempts.reduce((a, b) => a + b, 0) / attempts.length).toFixed(2)}`,
    )
    expect(failures.map((r) => `exit ${r.exitCode}: ${r.stdout.trim()} ${r.stderr.trim()}`)).toEqual([])
    const files = clones.flatMap(migrationFiles)
    expect(files).toHaveLength(100)
    expect(new Set(files.map(versionOf)).size).toBe(100)
    expect(
      gitRecords(origin)
        .map((r) => `${r.version}_${r.name}.sql`)
        .sort(),
    ).toEqual([...files].sort())
    const updates = git(origin, 'reflog', 'show', '--format=%H', 'refs/sbx/versions').trim().split('\n')
    for (const [i, sha] of updates.slice(0, -1).entries()) {
      expect(git(origin, 'rev-parse', `${sha}^`).trim()).toBe(updates[i + 1])
    }
  }, 600_000)
})
