import {describe, expect, it} from 'vitest'
import {configRefusal, supabaseError} from '../../src/core/push/supabase-refusal.js'

const INBUCKET = '[inbucket] in supabase/config.toml is no longer supported. Use [local_smtp] instead.'

describe('configRefusal', () => {
  it.each([
    {
      case: 'JSON output (supabase 3.1 --output-format json)',
      output: `{"_tag":"Error","error":{"code":"DbConfigLoadError","message":${JSON.stringify(INBUCKET)}}}`,
      refusal: INBUCKET,
    },
    {
      case: 'human output, before the generic last line',
      output: `Warning: --db-url is deprecated\n${INBUCKET}\nTry rerunning the command with --debug to troubleshoot the error.\n`,
      refusal: INBUCKET,
    },
    {
      case: 'a connection error is no config error',
      output:
        '{"_tag":"Error","error":{"code":"DbConnectError","message":"failed to connect to postgres: dial error (connect ECONNREFUSED 127.0.0.1:1)"}}',
      refusal: undefined,
    },
    {
      case: 'a migration error',
      output: 'ERROR: relation "x" does not exist (SQLSTATE 42P01)\nAt statement: 0',
      refusal: undefined,
    },
    {case: 'nothing', output: '', refusal: undefined},
  ])('$case', ({output, refusal}) => {
    expect(configRefusal(output)).toBe(refusal)
  })

  it('supabaseError reads the JSON error, else the last line that is not generic', () => {
    expect(supabaseError('{"_tag":"Error","error":{"message":"boom"}}\n')).toEqual({message: 'boom'})
    expect(supabaseError('Target: x\nno such table\nTry rerunning the command with --debug to x')).toEqual({
      message: 'no such table',
    })
  })
})
