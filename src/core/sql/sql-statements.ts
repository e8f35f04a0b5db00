/**
 * Splitting a migration file into statements exactly as supabase 3.1 does before it runs them and records
 * them in `supabase_migrations.schema_migrations.statements`. The rules, read from the CLI's bundle
 * and checked against the real binary (test/shell/sql-statements.supabase.test.ts):
 *
 * - A `;` ends a statement unless it sits in '…', "…", E'…' (backslash escapes, and a string continued on
 *   a later line), $tag$…$tag$, a -- comment, a nested /* *\/ comment, parentheses, or BEGIN ATOMIC … END.
 * - A backslash outside any quote protects the character after it (`\;` does not split).
 * - Each piece is trimmed after dropping trailing `;`s; empty pieces are dropped, so a comment stays at the
 *   start of the statement that follows it, and a trailing comment becomes a statement of its own.
 *
 * Quirks are kept on purpose, since a different split would record different statements than supabase:
 * the first `)` closes every open parenthesis, and `$$$` closes a `$$` quote.
 */

/** How supabase runs a file: inside transactions (the default) or one statement at a time. */
export type TransactionMode = 'transactional' | 'none'

export interface MigrationStatements {
  statements: string[]
  transactionMode: TransactionMode
}

const NO_TRANSACTION_MARKER = '-- pg-delta: transaction=false'
const BOM = '\uFEFF'

/** The `statements` array supabase records for this SQL (an empty file gives []). */
export function splitStatements(sql: string): string[] {
  const statements: string[] = []
  for (const token of tokenize(sql)) {
    const statement = token.replace(/;+$/u, '').trim()
    if (statement.length > 0) statements.push(statement)
  }
  return statements
}

/** A migration file as supabase reads it: a first line `-- pg-delta: transaction=false` turns transactions off. */
export function migrationStatements(text: string): MigrationStatements {
  const withoutBom = text.startsWith(BOM) ? text.slice(1) : text
  const newline = withoutBom.indexOf('\n')
  const firstLine = (newline < 0 ? withoutBom : withoutBom.slice(0, newline)).replace(/\r$/u, '')
  if (firstLine === NO_TRANSACTION_MARKER) return {statements: splitStatements(withoutBom), transactionMode: 'none'}
  // supabase keeps the BOM here; trimming removes it from the first statement anyway.
  return {statements: splitStatements(text), transactionMode: 'transactional'}
}

/** The statement without the whitespace, comments and BOM before its first keyword (how supabase classifies it). */
export function stripLeadingComments(statement: string): string {
  return statement.slice(skipSpaceAndComments(statement, (ch) => isSpace(ch) || ch === BOM)).trim()
}

// ---------------------------------------------------------------------------------------------------------
// The tokenizer: a state machine fed one code point at a time. `Scan` is the token read so far,
// src[start, end), which includes the character being fed.

interface Scan {
  readonly src: string
  start: number
  end: number
}

interface State {
  /** The next state, or null when `ch` (a `;`) ends the token. */
  next(ch: string, scan: Scan): State | null
}

function tokenize(src: string): string[] {
  const tokens: string[] = []
  const scan: Scan = {src, start: 0, end: 0}
  let state: State = READY
  for (const ch of src) {
    scan.end += ch.length
    const next = state.next(ch, scan)
    if (next === null) {
      tokens.push(src.slice(scan.start, scan.end))
      scan.start = scan.end
      state = READY
    } else {
      state = next
    }
  }
  if (scan.end > scan.start) tokens.push(src.slice(scan.start))
  return tokens
}

class Ready implements State {
  next(ch: string, scan: Scan): State | null {
    switch (ch) {
      case '$': {
        // `a$b` is an identifier, not the start of a dollar quote.
        const dollar = scan.end - 1
        return identifierCharBefore(scan, dollar) ? this : new DollarTag(dollar)
      }
      case "'":
        return new Quoted("'", endsWithKeyword(scan, scan.end - 1, 'E'))
      case '"':
        return new Quoted('"', false)
      case '-':
        return DASH
      case '/':
        return new BlockComment()
      case '\\':
        return ESCAPE
      case ';':
        return null
      case '(':
        return new Parenthesized()
      case 'c':
      case 'C':
        return endsWithBeginAtomic(scan) ? new AtomicBody(scan.end) : this
      default:
        return this
    }
  }
}
const READY = new Ready()

/** One `-` seen: a second one opens a line comment. */
const DASH: State = {
  next: (ch, scan) => (ch === '-' ? LINE_COMMENT : READY.next(ch, scan)),
}

const LINE_COMMENT: State = {
  next: (ch) => (isNewline(ch) ? READY : LINE_COMMENT),
}

/** A backslash outside quotes: the next character is taken literally. */
const ESCAPE: State = {
  next: () => READY,
}

class BlockComment implements State {
  private depth = 0
  // The `*` of `/*` must not also count as the start of `*/`.
  private afterDelimiter = false

  next(ch: string, scan: Scan): State | null {
    const delta = this.afterDelimiter ? 0 : commentDelta(scan.src.slice(scan.end - 2, scan.end))
    this.afterDelimiter = delta !== 0
    if (this.depth === 0 && delta === 0) return READY.next(ch, scan)
    this.depth += delta
    return this.depth === 0 ? READY : this
  }
}

/** '…', "…" or E'…'. A doubled delimiter stays inside; E'…' also honours backslash escapes. */
class Quoted implements State {
  private closing = false
  private backslash = false

  constructor(
    private readonly delimiter: string,
    private readonly backslashEscapes: boolean,
  ) {}

  next(ch: string, scan: Scan): State | null {
    if (this.closing) {
      if (ch === this.delimiter) {
        this.closing = false
        return this
      }
      return this.backslashEscapes ? new EStringGap().next(ch, scan) : READY.next(ch, scan)
    }
    if (this.backslash) {
      this.backslash = false
      return this
    }
    if (this.backslashEscapes && ch === '\\') {
      this.backslash = true
      return this
    }
    if (ch === this.delimiter) this.closing = true
    return this
  }
}

/**
 * After an E'…' string: whitespace holding a newline (comments allowed) followed by `'` continues the same
 * E-string, as in PostgreSQL.
 */
class EStringGap implements State {
  private newline = false
  private dashes = 0

  next(ch: string, scan: Scan): State | null {
    if (this.dashes === 2) {
      if (isNewline(ch)) {
        this.dashes = 0
        this.newline = true
      }
      return this
    }
    if (ch === '-') {
      this.dashes += 1
      return this
    }
    if (this.dashes === 0) {
      if (isSpace(ch)) {
        this.newline ||= isNewline(ch)
        return this
      }
      if (this.newline && ch === "'") return new Quoted("'", true)
    }
    return READY.next(ch, scan)
  }
}

/** `$tag` read so far, from `offset`; a second `$` opens the quote. */
class DollarTag implements State {
  constructor(private readonly offset: number) {}

  next(ch: string, scan: Scan): State | null {
    if (ch === '$') return new DollarQuoted(scan.src.slice(this.offset, scan.end))
    if (isIdentifierChar(ch)) return this
    return READY.next(ch, scan)
  }
}

class DollarQuoted implements State {
  constructor(private readonly tag: string) {}

  next(_ch: string, scan: Scan): State | null {
    return scan.src.startsWith(this.tag, scan.end - this.tag.length) ? READY : this
  }
}

class Parenthesized implements State {
  private inner: State = READY

  next(ch: string, scan: Scan): State | null {
    const next = this.inner.next(ch, scan)
    if (next === null) {
      this.inner = READY
      return this
    }
    this.inner = next
    if (next !== READY) return this
    return ch === ')' ? READY : this
  }
}

/** A SQL-standard function body: `;` separates its statements; an `END` standing alone closes it. */
class AtomicBody implements State {
  private inner: State = READY
  private pendingEnd = false
  private statementHasContent = false

  constructor(private statementStart: number) {}

  next(ch: string, scan: Scan): State | null {
    const pendingEnd = this.pendingEnd
    this.pendingEnd = false
    if (pendingEnd && !isIdentifierChar(ch)) return READY.next(ch, scan)
    const next = this.inner.next(ch, scan)
    if (next === null) {
      this.inner = READY
      this.statementStart = scan.end
      this.statementHasContent = false
      return this
    }
    this.inner = next
    if (next !== READY) return this
    if (!this.statementHasContent && endsWithKeyword(scan, scan.end, 'END')) {
      const before = scan.src.slice(this.statementStart, scan.end - 3)
      if (skipSpaceAndComments(before, isSpace) === before.length) this.pendingEnd = true
      else this.statementHasContent = true
    }
    return this
  }
}

// ---------------------------------------------------------------------------------------------------------
// Character classes, as supabase defines them.

function isIdentifierChar(ch: string): boolean {
  const code = ch.codePointAt(0)
  return code !== undefined && (code >= 128 || /[A-Za-z0-9_$]/u.test(ch))
}

function isSpace(ch: string): boolean {
  return ch.length === 1 && ' \t\n\r\f\v'.includes(ch)
}

function isNewline(ch: string): boolean {
  return ch === '\n' || ch === '\r'
}

function commentDelta(pair: string): number {
  return pair === '/*' ? 1 : pair === '*/' ? -1 : 0
}

/** Whether the character before `index` (inside the current token) could belong to an identifier. */
function identifierCharBefore(scan: Scan, index: number): boolean {
  if (index <= scan.start) return false
  // Any UTF-16 unit >= 128 (a surrogate included) counts as an identifier character.
  return isIdentifierChar(scan.src.charAt(index - 1))
}

/** Whether the token up to `end` ends with `keyword` (ASCII case-insensitive) on a word boundary. */
function endsWithKeyword(scan: Scan, end: number, keyword: string): boolean {
  const start = end - keyword.length
  if (start < scan.start) return false
  for (let i = 0; i < keyword.length; i++) {
    let code = scan.src.charCodeAt(start + i)
    if (code >= 97 && code <= 122) code -= 32
    if (code !== keyword.charCodeAt(i)) return false
  }
  return !identifierCharBefore(scan, start)
}

function endsWithBeginAtomic(scan: Scan): boolean {
  if (!endsWithKeyword(scan, scan.end, 'ATOMIC')) return false
  let end = scan.end - 'ATOMIC'.length
  while (end > scan.start && isSpace(scan.src.charAt(end - 1))) end -= 1
  return endsWithKeyword(scan, end, 'BEGIN')
}

/** Index of the first character of `text` that is neither space nor inside a leading comment. */
function skipSpaceAndComments(text: string, space: (ch: string) => boolean): number {
  let i = 0
  while (i < text.length) {
    if (space(text.charAt(i))) {
      i += 1
    } else if (text.startsWith('--', i)) {
      const newline = text.slice(i + 2).search(/[\n\r]/u)
      if (newline === -1) return text.length
      i += newline + 3
    } else if (text.startsWith('/*', i)) {
      let depth = 1
      let afterDelimiter = true
      i += 2
      while (i < text.length && depth > 0) {
        const delta: number = afterDelimiter ? 0 : commentDelta(text.slice(i - 1, i + 1))
        afterDelimiter = delta !== 0
        depth += delta
        i += 1
      }
      if (depth > 0) return text.length
    } else {
      return i
    }
  }
  return text.length
}
