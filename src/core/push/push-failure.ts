/**
 * What to tell the user when `supabase db push` fails: supabase's own error lines (not its generic last line,
 * "Try rerunning the command with --debug to troubleshoot the error."), the file it was applying, and the state
 * the target is in — measured from the history before and after, not guessed. Pure.
 */

export interface PushFailureInput {
  /** Everything supabase printed, stderr then stdout, secrets already removed. */
  output: string
  /** Files this push meant to apply, in apply order. */
  pending: readonly string[]
  /** Of those, the ones the target's history holds after the failure; undefined when it could not be read. */
  appliedAfter?: readonly string[]
  /** Files that manage their own transactions: statements before a failure in them stay committed. */
  autocommit: ReadonlySet<string>
  /** supabase's major version (v2 needs TLS unless the URL says sslmode=disable). */
  supabaseMajor: number
}

export interface PushFailure {
  /** The migration supabase was applying when it failed, if it got that far. */
  file?: string
  /** supabase's own words: the error and what it printed around it. */
  reason: string[]
  /** "At statement: N", when supabase printed it. */
  statement?: number
  applied: string[]
  /** One sentence on the state of the target. */
  state: string
  suggestions: string[]
}

const GENERIC = /^Try rerunning the command with --debug/u
const NOISE = /^(?:Connecting to |Initialising |Would push |Do you want to push |Applying migration |Finished |\s*•\s)/u
/**
 * supabase's warnings on stdout, measured with 3.1: a lone `│` line, then `▲  Connected to 127.0.0.1 without TLS:
 * the TLS connection failed or was rejected. …`, printed after the error on stderr; neither is the reason.
 */
const WARNING = /^\s*▲/u
const HAS_WORDS = /[\p{L}\p{N}]/u
const ERROR_START = /error|failed|not supported|no longer|cannot|can't|refus|invalid|denied|unknown|missing|must /iu

export function explainPushFailure(input: PushFailureInput): PushFailure {
  const lines = input.output.split('\n').map((line) => line.trimEnd())
  const applying = lines
    .map((line) => /^Applying migration (.+?)(?:\.\.\.)?$/u.exec(line.trim())?.[1])
    .filter((file): file is string => file !== undefined)
  const file = applying.at(-1)
  const afterLastApplying = file
    ? lines.slice(lines.findLastIndex((l) => l.includes(`Applying migration ${file}`)) + 1)
    : lines
  const meaningful = afterLastApplying.filter(
    (line) => HAS_WORDS.test(line) && !GENERIC.test(line.trim()) && !NOISE.test(line) && !WARNING.test(line),
  )
  const start = meaningful.findIndex((line) => ERROR_START.test(line))
  const reason = (start >= 0 ? meaningful.slice(start) : meaningful).slice(0, 12)
  const statementLine = lines.find((line) => /^At statement:?\s*\d+/u.test(line.trim()))
  const statement = statementLine ? Number(/\d+/u.exec(statementLine)?.[0]) : undefined

  const applied = input.appliedAfter ? [...input.appliedAfter] : applying.slice(0, -1)
  const failing = file?.replace(/^.*\//u, '')
  const state = describeState({
    failing,
    applied,
    pending: input.pending,
    autocommit: input.autocommit,
    known: input.appliedAfter !== undefined,
  })
  const suggestions: string[] = []
  if (input.supabaseMajor < 3 && /tls error|does not support SSL/iu.test(input.output)) {
    suggestions.push(
      'supabase 2.x insists on TLS, and this server does not offer it: add sslmode=disable to the URL (…/postgres?sslmode=disable), as sbx itself connected without TLS.',
    )
  }
  suggestions.push(
    failing ? 'Fix the failing migration and run sbx push again.' : 'Fix what supabase reports and run sbx push again.',
  )
  return {
    ...(failing ? {file: failing} : {}),
    reason: reason.length > 0 ? reason : ['supabase printed no error message'],
    ...(statement !== undefined ? {statement} : {}),
    applied,
    state,
    suggestions,
  }
}

function describeState(facts: {
  failing?: string
  applied: readonly string[]
  pending: readonly string[]
  autocommit: ReadonlySet<string>
  known: boolean
}): string {
  const {failing, applied, pending} = facts
  if (applied.length === 0 && !failing) return 'Nothing was applied: supabase failed before the first migration.'
  const before =
    applied.length === 0
      ? 'No migration was applied before it'
      : `Applied before it: ${applied.length} of ${pending.length} (${applied.join(', ')})`
  if (!failing) return `${before}.`
  const partly = facts.autocommit.has(failing)
    ? `${failing} manages its own transactions, so its statements before the failing one stay committed, with no history row`
    : `nothing of ${failing} is applied (supabase runs it in one transaction)`
  return `${before}; ${partly}.`
}

export function pushFailureMessage(failure: PushFailure): string {
  const where = failure.file ? ` while applying ${failure.file}` : ''
  const at = failure.statement !== undefined ? ` (at statement ${failure.statement})` : ''
  return `supabase db push failed${where}${at}: ${failure.reason.join('\n  ')}\n${failure.state}`
}
