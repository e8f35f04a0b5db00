/**
 * Running supabase in sbx's place: same arguments, same terminal, its exit code — unless the command is a typo
 * of an sbx command that supabase does not know either: then "did you mean" and exit 2.
 */
import {spawn} from 'node:child_process'
import {ExternalError, UsageError} from '../core/errors.js'
import {closestCommand, parseSupabaseCommands} from '../core/output/did-you-mean.js'
import {resolveWorkdir} from '../shell/project/project.js'
import {findSupabaseBin, supabaseHelp} from '../shell/supabase/supabase.js'

export async function passThrough(argv: string[], sbxCommands: readonly string[] = []): Promise<number> {
  const bin = findSupabaseBin(resolveWorkdir())
  const [name] = argv
  const suggestion = name && !name.startsWith('-') ? closestCommand(name, sbxCommands) : undefined
  // Only a near miss costs a look at supabase's own command list (a start of the binary, ~0.7 s).
  const known = suggestion ? parseSupabaseCommands(await supabaseHelp(bin)) : undefined
  // An empty list means supabase could not run: then running it below reports that (exit 5).
  if (suggestion && known && known.size > 0 && !known.has(name as string)) {
    throw new UsageError(
      `"${name}" is not an sbx or supabase command. Did you mean: sbx ${suggestion}? (sbx --help lists them all.)`,
      'EUNKNOWNCOMMAND',
    )
  }
  const child = spawn(bin, argv, {stdio: 'inherit'})
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new ExternalError(`Cannot run ${bin}: ${error.message}`, 'ESUPABASE')))
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)))
  })
}
