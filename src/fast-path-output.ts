/**
 * How the fast paths (fast-path.ts, fast-path-push.ts) print a failure: exactly as the oclif commands do, so that
 * scripts cannot tell the paths apart. A failure sbx can name: render/error.ts's shapes, as base-command.ts prints
 * them. Anything else is a bug and gets oclif's own report (exit 1): under --json oclif's error object on stdout,
 * else oclif's handler, loaded only then.
 */
import {fileSystemRefusal, SbxError} from './core/errors.js'

export async function printFailure(thrown: unknown, json: boolean): Promise<void> {
  const error = fileSystemRefusal(thrown)
  if (error instanceof SbxError) {
    const {errorJson, renderError} = await import('./render/error.js')
    if (json) process.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`)
    else process.stderr.write(renderError(error))
    process.exitCode = error.exitCode
    return
  }
  process.exitCode = 1
  if (json) {
    // oclif's Command.toErrorJson: an Error's message and name are not enumerable, so they are spelled out.
    const body = error instanceof Error ? {...error, message: error.message, name: error.name} : error
    process.stdout.write(`${JSON.stringify({error: body}, null, 2)}\n`)
    return
  }
  const {handle} = await import('@oclif/core')
  await handle(error as Error)
}
