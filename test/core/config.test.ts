import {describe, expect, it} from 'vitest'
import {envName, parseConfig} from '../../src/core/config.js'
import {SbxError} from '../../src/core/errors.js'

function failure(text: string | undefined, env: Record<string, string> = {}): SbxError {
  try {
    parseConfig({text, env})
  } catch (error) {
    if (error instanceof SbxError) return error
    throw error
  }
  throw new Error('expected parseConfig to fail')
}

describe('parseConfig: supabase/sbx.toml', () => {
  it.each([
    {case: 'no file, no environment', text: undefined, env: {}, config: {}},
    {
      case: 'a git registry with defaults',
      text: '[registry]\nurl = "git:origin"\n',
      env: {},
      config: {registry: {url: 'git:origin', timeout: 10, ref: 'refs/sbx/versions'}},
    },
    {
      case: 'every key written out',
      text: '[registry]\nurl = "postgres://u:p@db/x"\nproject = "shop"\ntimeout = 3\nref = "refs/sbx/team"\n',
      env: {},
      config: {registry: {url: 'postgres://u:p@db/x', project: 'shop', timeout: 3, ref: 'refs/sbx/team'}},
    },
    {
      case: 'env(NAME) values, a number from a string',
      text: '[registry]\nurl = "env(REGISTRY)"\ntimeout = "env(SECONDS)"\n',
      env: {REGISTRY: 'postgresql://h/db', SECONDS: '4'},
      config: {registry: {url: 'postgresql://h/db', timeout: 4, ref: 'refs/sbx/versions'}},
    },
    {
      case: 'SBX_REGISTRY_URL overrides the file',
      text: '[registry]\nurl = "git:origin"\nproject = "p"\n',
      env: {SBX_REGISTRY_URL: 'postgres://h/db'},
      config: {registry: {url: 'postgres://h/db', project: 'p', timeout: 10, ref: 'refs/sbx/versions'}},
    },
    {
      case: 'the environment alone',
      text: undefined,
      env: {SBX_REGISTRY_URL: 'git:upstream', SBX_REGISTRY_TIMEOUT: '2'},
      config: {registry: {url: 'git:upstream', timeout: 2, ref: 'refs/sbx/versions'}},
    },
  ])('$case', ({text, env, config}) => {
    expect(parseConfig({text, env})).toEqual(config)
  })
})

describe('parseConfig: every mistake is one line naming the file, the key and what is expected (exit 2)', () => {
  it.each([
    {
      case: 'an unknown key (reported before the missing url it was meant to be)',
      text: '[registry]\nurll = "git:origin"\n',
      message: 'supabase/sbx.toml: unknown key [registry] urll: expected one of url, project, timeout, ref.',
    },
    {
      case: 'an unknown section',
      text: '[registri]\nurl = "git:origin"\n',
      message: 'supabase/sbx.toml: unknown section [registri]: expected one of registry, verify, lint, notify, check.',
    },
    {
      case: 'a wrong type',
      text: '[registry]\nurl = "git:origin"\ntimeout = "soon"\n',
      message: 'supabase/sbx.toml: [registry] timeout: expected a number of seconds from 1 to 3600 (e.g. 10).',
    },
    {
      case: 'a URL of another kind',
      text: '[registry]\nurl = "https://example.com"\n',
      message:
        'supabase/sbx.toml: [registry] url: expected a postgres:// or postgresql:// URL, or git:<remote> (e.g. git:origin).',
    },
    {
      case: 'a missing url',
      text: '[registry]\nproject = "p"\n',
      message:
        'supabase/sbx.toml: [registry] url: expected a postgres:// or postgresql:// URL, or git:<remote> (e.g. git:origin).',
    },
    {
      case: 'a ref outside refs/',
      text: '[registry]\nurl = "git:origin"\nref = "main"\n',
      message: 'supabase/sbx.toml: [registry] ref: expected a git ref name under refs/ (e.g. refs/sbx/versions).',
    },
    {
      case: 'a section that is not a table',
      text: 'registry = "git:origin"\n',
      message: 'supabase/sbx.toml: [registry]: expected a table of settings.',
    },
    {
      case: 'a missing env() variable',
      text: '[registry]\nurl = "env(SBX_TEST_UNSET_VARIABLE)"\n',
      message:
        'supabase/sbx.toml: [registry] url is env(SBX_TEST_UNSET_VARIABLE), but SBX_TEST_UNSET_VARIABLE is not set: set it or write the value.',
    },
    {
      case: 'not TOML at all',
      text: '[registry\n',
      message: 'supabase/sbx.toml:1: not valid TOML (Invalid TOML document: illegal character in key); fix the syntax.',
    },
  ])('$case', ({text, message}) => {
    const error = failure(text)
    expect(error.message).toBe(message)
    expect(error.exitCode).toBe(2)
    expect(error.code).toBe('ECONFIG')
  })

  it('names the variable when a bad value came from the environment', () => {
    const error = failure('[registry]\nurl = "git:origin"\n', {SBX_REGISTRY_TIMEOUT: 'never'})
    expect(error.message).toBe(
      'SBX_REGISTRY_TIMEOUT (for [registry] timeout in supabase/sbx.toml): expected a number of seconds from 1 to 3600 (e.g. 10).',
    )
    expect(error.exitCode).toBe(2)
  })

  it('derives the override names from section and key', () => {
    expect(envName('registry', 'url')).toBe('SBX_REGISTRY_URL')
    expect(envName('notify', 'webhook-url')).toBe('SBX_NOTIFY_WEBHOOK_URL')
  })
})
