import {describe, expect, it} from 'vitest'
import {explainPushFailure, pushFailureMessage} from '../../src/core/push/push-failure.js'

// supabase 3.1's own output for `select 1/0;` pushed to a server without TLS (captured here, stderr then stdout).
const STDERR = `Target: custom Postgres (127.0.0.1:5432)
Confirmed by --yes: Apply 1 migration on custom Postgres (127.0.0.1:5432)
Applying migration 20260101000000_bad.sql...
ERROR: division by zero (SQLSTATE 22012)
At statement: 0
select 1/0
Try rerunning the command with --debug to troubleshoot the error.`
const STDOUT = `│
▲  Connected to 127.0.0.1 without TLS: the TLS connection failed or was rejected. Set PGSSLMODE=require (or verify-full) to refuse unencrypted connections.
`

describe('explainPushFailure', () => {
  it("keeps supabase's TLS warning out of the reason", () => {
    const failure = explainPushFailure({
      output: `${STDERR}\n${STDOUT}`,
      pending: ['20260101000000_bad.sql'],
      autocommit: new Set(),
      supabaseMajor: 3,
    })
    expect(failure).toMatchObject({file: '20260101000000_bad.sql', statement: 0})
    expect(failure.reason).toEqual(['ERROR: division by zero (SQLSTATE 22012)', 'At statement: 0', 'select 1/0'])
    expect(pushFailureMessage(failure)).not.toMatch(/TLS|│/u)
  })
})
