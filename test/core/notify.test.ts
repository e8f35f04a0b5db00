import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config.js'
import {eventText, payload} from '../../src/core/notify/notify.js'

describe('[notify] settings', () => {
  it('webhook and command, timeout 5 s by default; env overrides and env() work', () => {
    expect(
      parseConfig({text: '[notify]\nwebhook = "https://hooks.example/x"\ncommand = "cat"\n', env: {}}).notify,
    ).toEqual({
      webhook: 'https://hooks.example/x',
      command: 'cat',
      timeout: 5,
    })
    expect(
      parseConfig({
        text: '[notify]\nwebhook = "env(HOOK)"\n',
        env: {HOOK: 'http://127.0.0.1:9/h', SBX_NOTIFY_TIMEOUT: '2'},
      }).notify,
    ).toEqual({webhook: 'http://127.0.0.1:9/h', timeout: 2})
  })

  it.each([
    ['[notify]\nwebhook = "ftp://x"\n', '[notify] webhook: expected an http:// or https:// URL'],
    ['[notify]\ntimeout = 0\n', '[notify] timeout: expected a number of seconds'],
    ['[notify]\nwebhok = "https://x"\n', 'unknown key [notify] webhok'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseConfig({text, env: {}})).toThrow(message)
  })
})

describe('alert events', () => {
  it('a rename says from, to, why and who kept the version', () => {
    expect(
      eventText({
        event: 'rename',
        command: 'fix',
        from: '20260207080000_a.sql',
        to: '20260207080100_a.sql',
        reason: 'duplicate-version',
        kept: '20260207080000_b.sql',
        project: 'app',
      }),
    ).toBe(
      'sbx fix renamed 20260207080000_a.sql → 20260207080100_a.sql (duplicate-version; 20260207080000_b.sql kept the version) in app',
    )
  })

  it('never carries a password', () => {
    const url = 'postgresql://postgres:pa55word@db.example:5432/postgres'
    const body = payload(
      {event: 'push-refused', target: url, project: 'app', why: ['cannot connect to postgres:pa55word@db']},
      new Date('2026-02-07T08:00:00Z'),
      [url],
    )
    expect(JSON.stringify(body)).not.toContain('pa55word')
    expect(body).toMatchObject({event: 'push-refused', at: '2026-02-07T08:00:00.000Z', source: 'sbx'})
  })
})
