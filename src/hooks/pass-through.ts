import {Errors, type Hook} from '@oclif/core'
import {SbxError} from '../core/errors.js'

/**
 * A command sbx does not have runs the real supabase CLI with exactly the same arguments
 * (`sbx migration list --remote=…`, `sbx db reset`), so sbx can stand in for supabase everywhere.
 */
const hook: Hook<'command_not_found'> = async () => {
  const {passThrough} = await import('../workflows/pass-through.js')
  try {
    process.exitCode = await passThrough(process.argv.slice(2))
  } catch (error) {
    // Hooks bypass BaseCommand.catch: map sbx's errors to oclif's here, keeping the exit code.
    if (error instanceof SbxError) throw new Errors.CLIError(error.message, {code: error.code, exit: error.exitCode})
    throw error
  }
}

export default hook
