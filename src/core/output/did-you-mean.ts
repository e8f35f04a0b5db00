/**
 * A misspelt sbx command (`sbx verfy`, `sbx lgo`) used to go to supabase, which printed its whole help. A name
 * that supabase does not know either and that is close to an sbx command gets "did you mean"; every name
 * supabase knows still passes through. Pure: the caller supplies both command lists.
 */

/** The sbx command closest to `name`, when it is a plausible typo of it (at most 2 edits, fewer than half). */
export function closestCommand(name: string, commands: readonly string[]): string | undefined {
  let best: {command: string; distance: number} | undefined
  for (const command of commands) {
    const distance = editDistance(name.toLowerCase(), command)
    if (distance > 2 || distance * 2 >= Math.max(name.length, command.length)) continue
    if (!best || distance < best.distance) best = {command, distance}
  }
  return best?.command
}

/** Command names in `supabase --help` (v3 "SUBCOMMANDS", v2 "Available Commands" and its groups). */
export function parseSupabaseCommands(help: string): Set<string> {
  const names = new Set<string>()
  for (const line of help.split('\n')) {
    const match = /^ {2}([a-z][a-z0-9-]*)(?:, ([a-z][a-z0-9-]*))?(?:\s+\S|:?\s*$)/u.exec(line)
    // The usage line ("  supabase <subcommand> [flags]") names the program, not a command.
    if (!match || match[1] === 'supabase') continue
    names.add(match[1] as string)
    if (match[2]) names.add(match[2])
  }
  return names
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d = Array.from({length: a.length + 1}, (_, i) =>
    Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number) => (d[i] as number[])[j] as number
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1)
      ;(d[i] as number[])[j] = value
    }
  }
  return at(a.length, b.length)
}
