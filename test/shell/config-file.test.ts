import {describe, expect, it} from 'vitest'
import {SbxError} from '../../src/core/errors.js'
import {hasConfig, loadConfig} from '../../src/shell/project/config-file.js'
import {tmpProject} from '../helpers/project.js'

describe('loadConfig: supabase/sbx.toml in a real project folder', () => {
  it('reads the file, substitutes env() and applies SBX_* overrides', async () => {
    const dir = tmpProject({'supabase/sbx.toml': '[registry]\nurl = "env(TEAM_DB)"\nproject = "shop"\n'})
    expect(hasConfig(dir, {})).toBe(true)
    expect(await loadConfig(dir, {TEAM_DB: 'postgres://db/x'})).toEqual({
      registry: {url: 'postgres://db/x', project: 'shop', timeout: 10, ref: 'refs/sbx/versions'},
    })
    expect((await loadConfig(dir, {TEAM_DB: 'postgres://db/x', SBX_REGISTRY_TIMEOUT: '3'})).registry?.timeout).toBe(3)
  })

  it('has nothing to load without a file or SBX_REGISTRY_* variables', async () => {
    const dir = tmpProject()
    expect(hasConfig(dir, {SBX_FAST_PATH: '0'})).toBe(false)
    expect(await loadConfig(dir, {})).toEqual({})
    expect(hasConfig(dir, {SBX_REGISTRY_URL: 'git:origin'})).toBe(true)
    expect((await loadConfig(dir, {SBX_REGISTRY_URL: 'git:origin'})).registry?.url).toBe('git:origin')
    // Every section's variables configure without a file, not only the registry's.
    expect((await loadConfig(dir, {SBX_VERIFY_RISK: 'off'})).verify?.risk).toBe('off')
    expect((await loadConfig(dir, {SBX_LINT_LEVEL: 'error'})).lint?.level).toBe('error')
    await expect(loadConfig(dir, {SBX_LINT_LEVEL: 'loud'})).rejects.toThrow(SbxError)
  })

  it('refuses a bad file with exit 2, naming the file and the key', async () => {
    const dir = tmpProject({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\nretries = 3\n'})
    let error: unknown
    try {
      await loadConfig(dir, {})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SbxError)
    expect((error as SbxError).exitCode).toBe(2)
    expect((error as SbxError).message).toBe(
      'supabase/sbx.toml: unknown key [registry] retries: expected one of url, project, timeout, ref.',
    )
  })
})
