import {Command, Errors, Flags} from '@oclif/core'
import {fileSystemRefusal, SbxError, UsageError} from './core/errors.js'
import {terminalText} from './core/output/terminal-text.js'
import {errorJson, renderError} from './render/error.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    // A plain string: openProject says "not a folder" with exit 2 (oclif's own check exits 1).
    workdir: Flags.string({
      helpGroup: 'GLOBAL',
      summary:
        'Folder holding supabase/ (default: $SUPABASE_WORKDIR, else the nearest ancestor with supabase/config.toml).',
    }),
  }

  // Every line a command prints may carry text from outside (names from a database, supabase's output).
  override log(message = '', ...args: unknown[]): void {
    super.log(terminalText(String(message)), ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(terminalText(String(message)), ...args)
  }

  /** A progress line on stderr (push and squash stream supabase's lines through it). */
  protected progress(line: string): void {
    process.stderr.write(`${terminalText(line)}\n`)
  }

  // Failures sbx can name are shown by render/error.ts (one line, then Try: lines; under --json a small object)
  // with their documented exit code; anything else is a bug and keeps oclif's full report.
  protected override async catch(thrown: Error & {exitCode?: number}): Promise<unknown> {
    const error = knownFailure(thrown, this.id)
    if (!error) return super.catch(thrown)
    process.exitCode = error.exitCode
    if (this.jsonEnabled()) this.logJson(errorJson(error))
    else process.stderr.write(renderError(error))
    return undefined
  }
}

function knownFailure(thrown: unknown, id: string | undefined): SbxError | undefined {
  const error = fileSystemRefusal(thrown)
  if (error instanceof SbxError) return error
  // oclif's parse errors (unknown flag, missing or invalid argument) carry the whole parse (155 KB under --json).
  if (error instanceof Errors.CLIError && 'parse' in error) {
    const first = error.message.split('\n')[0]?.trim() ?? error.message
    return new UsageError(first, 'EUSAGE', [`sbx ${id?.replaceAll(':', ' ') ?? ''} --help`.replace('  ', ' ')])
  }
  return undefined
}
