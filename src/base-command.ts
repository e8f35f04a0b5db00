import {Command, Errors, Flags} from '@oclif/core'
import {fileSystemRefusal, SbxError} from './core/errors.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    // A plain string: openProject says "not a folder" with exit 2 (oclif's own check exits 1).
    workdir: Flags.string({
      helpGroup: 'GLOBAL',
      summary:
        'Folder holding supabase/ (default: $SUPABASE_WORKDIR, else the nearest ancestor with supabase/config.toml).',
    }),
  }

  // Under --json oclif exits with err.exitCode, otherwise with err.oclif.exit: set both.
  protected override async catch(thrown: Error & {exitCode?: number}): Promise<unknown> {
    const error = fileSystemRefusal(thrown) as Error & {exitCode?: number}
    if (!(error instanceof SbxError)) return super.catch(error)
    process.exitCode = error.exitCode
    const {code, exitCode: exit, message, suggestions} = error
    const cliError = new Errors.CLIError(message, {code, exit, suggestions})
    Object.assign(cliError, {exitCode: exit})
    return super.catch(cliError)
  }
}
