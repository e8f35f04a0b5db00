import {describe, expect, it} from 'vitest'
import {redactSecrets, redactText, redactUrl} from '../../src/core/output/redact.js'

describe('one redaction for every connection-string form', () => {
  it.each([
    [
      'a URL',
      'postgresql://postgres:s3cret@db.example.com:5432/postgres',
      'postgresql://postgres:***@db.example.com:5432/postgres',
    ],
    ['a percent-encoded password', 'postgres://u:p%40ss%2Fw@h/d', 'postgres://u:***@h/d'],
    ['an unencoded @ in the password', 'postgresql://u:p@ss@h:5432/d', 'postgresql://u:***@h:5432/d'],
    [
      'a URL query parameter',
      'postgresql://h/d?user=u&password=s3cret&sslmode=require',
      'postgresql://h/d?user=u&password=***&sslmode=require',
    ],
    [
      'libpq key=value',
      'host=db.example.com user=postgres password=s3cret dbname=postgres',
      'host=db.example.com user=postgres password=*** dbname=postgres',
    ],
    ['a quoted key=value password', "host=h password='a b\\' c' port=5432", 'host=h password=*** port=5432'],
    ['spaces around =', 'host=h password = s3cret', 'host=h password = ***'],
    ['PGPASSWORD', 'env PGPASSWORD=s3cret psql', 'env PGPASSWORD=*** psql'],
    ['an authority without a scheme', 'cannot connect to postgres:pa55word@db', 'cannot connect to postgres:***@db'],
    ['a URL missing its colon', 'postgres//u:s3cret@@/', 'postgres//u:***@/'],
  ])('%s', (_, input, shown) => {
    expect(redactUrl(input)).toBe(shown)
    expect(redactText(`failed: ${input} (exit 1)`)).toBe(`failed: ${shown} (exit 1)`)
  })

  it('replaces the password only where it stands as one, never inside other words', () => {
    const url = 'postgresql://postgres:postgres@127.0.0.1:54322/postgres'
    const text = `Connecting to ${url}\nERROR: could not open extension control file "/usr/share/postgresql/15/extension/x.control"`
    expect(redactSecrets(text, url)).toBe(
      'Connecting to postgresql://postgres:***@127.0.0.1:54322/postgres\nERROR: could not open extension control file "/usr/share/postgresql/15/extension/x.control"',
    )
  })

  it("masks the known password where it stands as a word of its own, never in a path or the URL's user", () => {
    const url = 'postgresql://postgres:postgres@127.0.0.1:54322/postgres'
    expect(redactSecrets('auth failed for "postgres"; see /usr/share/postgresql/15 and /srv/postgres/x', url)).toBe(
      'auth failed for "***"; see /usr/share/postgresql/15 and /srv/postgres/x',
    )
    expect(redactSecrets('password hunter2-pw (bad)', 'postgresql://u:hunter2-pw@h/d')).toBe('password *** (bad)')
    expect(redactSecrets("got 'a b' back", "host=h password='a b'")).toBe("got '***' back")
  })

  it('leaves words that only end in "password" and URLs without one alone', () => {
    const text = 'new_password=kept; see postgresql://postgres@127.0.0.1:5432/postgres'
    expect(redactText(text)).toBe(text)
  })
})
