/**
 * One redaction for every form a connection secret takes in sbx's input and in what outside programs print: the
 * userinfo of a URL (`postgresql://user:SECRET@host`), a `password=` pair (libpq's key=value strings and URL
 * query parameters) and `PGPASSWORD=`. The secret is replaced only where it stands as a password, never as a
 * substring elsewhere: with the password `postgres`, supabase's `/usr/share/postgresql/15/extension/x.control`
 * stays as it is (issue 18). Pure.
 */

const MASK = '***'

/**
 * `scheme://user:SECRET@`: the userinfo's password, whatever the scheme (or none: `postgres//u:SECRET@` is a
 * typo sbx still has to mask) and however it is encoded. Greedy up to
 * the last `@` before the host, as URL parsers read it, so an unencoded `@` inside the password leaks nothing.
 */
const USERINFO = /((?:[a-z][a-z0-9+.-]*:)?\/\/[^\s:/@'"]*:)([^\s/'"]*)@/giu

/** `user:SECRET@host` without a scheme, as drivers quote the authority in their errors. */
const BARE_USERINFO = /((?:^|[\s'"(=,])[^\s:/@'"(=,]+:)([^\s/'"]*)@(?=[\w[])/gu

/**
 * `password=SECRET` / `PGPASSWORD=SECRET` as libpq writes key=value pairs (a quoted value may hold spaces and
 * `\'`) and as a URL query parameter (ended by `&`). The key must not be the tail of a longer word.
 */
const PASSWORD_PAIR = /(?<![A-Za-z0-9_])((?:PG)?password\s*=\s*)('(?:\\.|[^'\\])*'|[^\s&'"]+)/giu

/** Masks every password standing as one in `text`; everything else is kept for diagnosis. */
export function redactText(text: string): string {
  return text.replace(USERINFO, `$1${MASK}@`).replace(BARE_USERINFO, `$1${MASK}@`).replace(PASSWORD_PAIR, `$1${MASK}`)
}

/** A database URL (or key=value connection string) as it may be shown: the password replaced. */
export function redactUrl(url: string): string {
  return redactText(url)
}

/**
 * Removes the connection's password from free text (error messages, child output): every password standing as
 * one, the connection string itself wherever it is quoted whole, and — when the connection is known — its
 * password wherever it stands as a word of its own (between spaces, quotes, brackets or the text's ends), but
 * never as part of a path, a URL's other parts or a longer word.
 */
export function redactSecrets(text: string, url?: string): string {
  const masked = redactText(url ? text.split(url).join(redactUrl(url)) : text)
  const password = url ? passwordOf(url) : undefined
  if (!password) return masked
  const escaped = password.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')
  return masked.replace(new RegExp(`(?<=^|[\\s'"\`([{,;])${escaped}(?=$|[\\s'"\`)\\]},;.!?])`, 'gu'), MASK)
}

/** The password of a URL or key=value connection string, decoded. */
function passwordOf(connection: string): string | undefined {
  try {
    const password = new URL(connection).password
    if (password) return decodeURIComponent(password)
  } catch {
    // Not a URL: a key=value string, or a malformed URL.
  }
  const pair = /(?<![A-Za-z0-9_])password\s*=\s*('(?:\\.|[^'\\])*'|[^\s&'"]+)/iu.exec(connection)?.[1]
  if (pair) return pair.startsWith("'") ? pair.slice(1, -1).replace(/\\(.)/gu, '$1') : pair
  return /\/\/[^:/@\s]+:([^@\s]*)@/u.exec(connection)?.[1]
}
