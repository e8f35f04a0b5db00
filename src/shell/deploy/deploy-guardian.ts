/**
 * sbx's side of the deploy guardian (deploy-guardian-process.ts): start it, let it open the target and take the
 * deploy lock, have it run supabase, and hear supabase's lines and exit code back. The guardian holds the lock
 * until supabase has exited even if sbx is killed meanwhile, so no second push can overlap an orphaned one.
 */
import {type ChildProcess, fork} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {ExitCode, ExternalError, SbxError} from '../../core/errors.js'

export type GuardianTarget =
  | {kind: 'url'; url: string}
  /** `migrationsDir`: the migrations whose extensions the embedded database must load. */
  | {kind: 'embedded'; dataDir: string; lockHome: string; migrationsDir: string}

export type GuardianRequest =
  | {type: 'open'; target: GuardianTarget; lockTimeoutMs: number; description: string}
  | {type: 'run'; bin: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv}
  | {type: 'close'}

export type GuardianReply =
  | {type: 'waiting'; holder: string}
  | {type: 'ready'; url: string}
  | {type: 'line'; stream: 'stdout' | 'stderr'; text: string}
  | {type: 'exit'; code: number}
  | {type: 'failed'; message: string; code?: string; exitCode?: number; suggestions?: string[]}

export interface Guardian {
  /** The URL supabase and sbx reach the target at (for the embedded database: served by the guardian). */
  url: string
  pid: number
  /** Runs supabase under the lock; resolves with its exit code once it has exited. */
  run(
    request: Omit<Extract<GuardianRequest, {type: 'run'}>, 'type'>,
    onLine: (text: string, stream: 'stdout' | 'stderr') => void,
  ): Promise<number>
  /** Releases the lock and stops the guardian (and the embedded server). */
  close(): Promise<void>
}

export async function startGuardian(options: {
  target: GuardianTarget
  lockTimeoutMs: number
  description: string
  onWait?: (holder: string) => void
}): Promise<Guardian> {
  const child = takeGuardian()
  let onLine: ((text: string, stream: 'stdout' | 'stderr') => void) | undefined
  let onExit: ((code: number) => void) | undefined
  let failure: ((error: Error) => void) | undefined
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const ready = new Promise<string>((resolve, reject) => {
    failure = reject
    child.on('message', (message: GuardianReply) => {
      switch (message.type) {
        case 'waiting':
          options.onWait?.(message.holder)
          return
        case 'ready':
          resolve(message.url)
          return
        case 'line':
          onLine?.(message.text, message.stream)
          return
        case 'exit':
          onExit?.(message.code)
          return
        case 'failed':
          failure?.(
            message.code
              ? new SbxError(message.message, {
                  code: message.code,
                  exitCode: (message.exitCode ?? ExitCode.External) as ExitCode,
                  suggestions: message.suggestions,
                })
              : new ExternalError(message.message, 'EGUARDIAN'),
          )
          return
      }
    })
    child.once('exit', (code) =>
      failure?.(new ExternalError(`The deploy guardian exited early (code ${code}).`, 'EGUARDIAN')),
    )
  })
  child.send({
    type: 'open',
    target: options.target,
    lockTimeoutMs: options.lockTimeoutMs,
    description: options.description,
  })
  const url = await ready
  return {
    url,
    pid: child.pid ?? 0,
    run(request, lineHandler) {
      onLine = lineHandler
      return new Promise<number>((resolve, reject) => {
        onExit = resolve
        failure = reject
        child.send({type: 'run', ...request})
      })
    },
    async close() {
      failure = undefined
      if (child.connected) child.send({type: 'close'})
      await exited
    },
  }
}

let prewarmed: ChildProcess | undefined

/**
 * Forks the guardian as `sbx push` starts (bin/run.js), before oclif loads: its Node start and its pg load
 * (~170 ms, measured) overlap sbx's own start-up instead of following it. It waits for its "open" and exits when
 * sbx does; unreferenced until taken, so a push that never needs it (a usage error, --help) exits as if it were
 * not there.
 */
export function prewarmGuardian(): void {
  prewarmed = forkGuardian()
  prewarmed.unref()
  prewarmed.channel?.unref()
}

function takeGuardian(): ChildProcess {
  const child = prewarmed
  prewarmed = undefined
  if (child?.connected && child.exitCode === null && child.signalCode === null) {
    child.ref()
    child.channel?.ref()
    return child
  }
  child?.kill()
  return forkGuardian()
}

function forkGuardian(): ChildProcess {
  return fork(guardianScript(), [], {
    // Built: plain node. From the sources (tests run them through vitest): tsx compiles the .ts entry.
    execArgv: guardianScript().endsWith('.ts') ? ['--import', 'tsx'] : [],
    // Nothing of its own to print; and no pipe to sbx that could break (EPIPE) when sbx is killed.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
  })
}

function guardianScript(): string {
  const built = fileURLToPath(new URL('./deploy-guardian-process.js', import.meta.url))
  return existsSync(built) ? built : fileURLToPath(new URL('./deploy-guardian-process.ts', import.meta.url))
}
