import type {Hook} from '@oclif/core'
import {SbxError} from '../core/errors.js'
import {renderError} from '../render/error.js'

/**
 * A command sbx does not have runs the real supabase CLI with exactly the same arguments
 * (`sbx migration list --remote=…`, `sbx db reset`), so sbx can stand in for supabase everywhere; a near miss of
 * an sbx command that supabase does not know either gets "did you mean" (exit 2).
 */
const hook: Hook<'command_not_found'> = async function () {
  // Top-level names of sbx's own commands ("migration new" → "migration"), for "did you mean".
  const commands = [...new Set(this.config.commandIDs.map((id) => id.split(/[: ]/u)[0] as string))]
  try {
    process.exitCode = await passThroughArgs(process.argv.slice(2), commands)
  } catch (error) {
    // Hooks bypass BaseCommand.catch: show sbx's errors as every command does, keeping the exit code.
    if (!(error instanceof SbxError)) throw error
    process.stderr.write(renderError(error))
    process.exitCode = error.exitCode
  }
}

async function passThroughArgs(argv: string[], commands: string[]): Promise<number> {
  const {passThrough} = await import('../workflows/pass-through.js')
  return passThrough(argv, commands)
}

/** For bin/run.js, which hands `sbx <supabase command> --help` over before oclif would refuse it. */
export async function runPassThrough(argv: string[], commands: string[]): Promise<void> {
  try {
    process.exitCode = await passThroughArgs(argv, commands)
  } catch (error) {
    if (!(error instanceof SbxError)) throw error
    process.stderr.write(renderError(error))
    process.exitCode = error.exitCode
  }
}

export default hook
