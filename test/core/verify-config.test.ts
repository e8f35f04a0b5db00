import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config.js'
import {SbxError} from '../../src/core/errors.js'

describe('supabase/sbx.toml [verify] and [lint]', () => {
  it.each([
    {
      case: 'empty sections take the defaults',
      text: '[verify]\n[lint]\n',
      env: {},
      config: {
        verify: {
          advisors: 'report',
          ignore: [],
          risk: 'report',
          large_table: '100MB',
          statement_timeout: 60_000,
          exact_major: false,
          replay_cache: 1024 ** 3,
        },
        lint: {level: 'report', exclude: [], include: [], pg_version: '15'},
      },
    },
    {
      case: 'every key written out',
      text: '[verify]\nadvisors = "error"\nignore = ["rls_disabled_in_public:public.legacy"]\nshadow_url = "postgresql://postgres@127.0.0.1:5432/postgres"\nrisk = "error"\nlarge_table = "1.5GB"\nstatement_timeout = "2min"\nexact_major = true\nreplay_cache = "500MB"\n[lint]\nlevel = "warn"\nexclude = ["adding-foreign-key-constraint"]\ninclude = ["prefer-robust-stmts"]\npg_version = "17"\n',
      env: {},
      config: {
        verify: {
          advisors: 'error',
          ignore: ['rls_disabled_in_public:public.legacy'],
          shadow_url: 'postgresql://postgres@127.0.0.1:5432/postgres',
          risk: 'error',
          large_table: '1.5GB',
          statement_timeout: 120_000,
          exact_major: true,
          replay_cache: 500 * 1024 ** 2,
        },
        lint: {
          level: 'warn',
          exclude: ['adding-foreign-key-constraint'],
          include: ['prefer-robust-stmts'],
          pg_version: '17',
        },
      },
    },
    {
      case: 'environment overrides, lists comma-separated',
      text: undefined,
      env: {SBX_VERIFY_ADVISORS: 'warn', SBX_VERIFY_IGNORE: 'a, b', SBX_VERIFY_REPLAY_CACHE: '0'},
      config: {
        verify: {
          advisors: 'warn',
          ignore: ['a', 'b'],
          risk: 'report',
          large_table: '100MB',
          statement_timeout: 60_000,
          exact_major: false,
          replay_cache: 0,
        },
      },
    },
  ])('$case', ({text, env, config}) => {
    expect(parseConfig({text, env})).toEqual(config)
  })

  it.each([
    {
      text: '[verify]\nadvisors = "loud"\n',
      message: /\[verify\] advisors: expected one of "off", "report", "error", "warn"/,
    },
    {
      text: '[lint]\nlevels = "warn"\n',
      message: /unknown key \[lint\] levels: expected one of level, exclude, include, pg_version/,
    },
    {text: '[verify]\nshadow_url = "mysql://x"\n', message: /\[verify\] shadow_url: expected a postgres/},
    {text: '[verify]\nrisk = "warn"\n', message: /\[verify\] risk: expected one of "off", "report", "error"/},
    {text: '[verify]\nlarge_table = "100 rows"\n', message: /\[verify\] large_table: expected a size such as "100MB"/},
    {text: '[verify]\nreplay_cache = "lots"\n', message: /\[verify\] replay_cache: expected a size such as "1GB"/},
  ])('$text → exit 2', ({text, message}) => {
    let error: unknown
    try {
      parseConfig({text, env: {}})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SbxError)
    expect((error as SbxError).exitCode).toBe(2)
    expect((error as SbxError).message).toMatch(message)
  })
})
