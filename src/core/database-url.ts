/**
 * Checking a database URL before anything connects: a malformed one is a usage error (exit 2) named as such, not
 * a DNS failure or a stack trace from the URL parser (a port that is not a number makes the whole URL invalid). The password never appears in the message.
 */
import {UsageError} from './errors.js'
import {redactUrl} from './output/redact.js'

const EXPECTED = 'expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE'

export function assertDatabaseUrl(url: string, source = '--db-url'): void {
  const shown = redactUrl(url)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError(`${source} ${shown} is not a valid URL: ${EXPECTED}.`, 'EBADURL')
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new UsageError(`${source} ${shown} is not a Postgres URL: ${EXPECTED}.`, 'EBADURL')
  }
}
