/**
 * The deploy guardian: a small child process that holds the deploy lock and runs `supabase db push` for
 * `sbx push`, so that the lock lives exactly as long as the deploy, whatever happens to sbx itself.
 *
 * Why a process of its own: a Postgres advisory lock dies with its connection. When only the sbx process was
 * killed (an agent runner or a CI step killing one pid), its connection died with it while the supabase child
 * went on applying; a second push then overlapped it and applied a self-committing file twice. Killing the child
 * instead would not do: a file that commits its own transaction before supabase records its version would be
 * applied again by the next push. So the guardian keeps the lock (and, for the embedded target, serves the
 * database) until supabase has exited, and only then lets go. It reads supabase's output itself, so supabase
 * never writes into a closed pipe (a Go program dies of SIGPIPE there) when sbx is gone.
 *
 * It speaks to sbx over the IPC channel of `fork` (see deploy-guardian.ts for the messages). It shares sbx's
 * process group, so Ctrl-C or a CI cancel (a signal to the group) stops supabase, the guardian and sbx together.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {SbxError} from '../../core/errors.js'
import {acquirePushLock, describeSelf, releasePushLock, waitForRunningPushes} from '../database/advisory-lock.js'
import type {GuardianReply, GuardianRequest, GuardianTarget} from './deploy-guardian.js'

interface Opened {
  url: string
  close(): Promise<void>
}

let opened: Opened | undefined
let supabase: ChildProcess | undefined
let closing = false

function send(message: GuardianReply): void {
  // sbx may be gone (killed): the deploy goes on without anyone to tell.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined)
}

// Loaded at once, not on "open": a guardian started ahead (prewarmGuardian) has pg ready when the push needs it.
const database = import('../database/database.js')
database.catch(() => undefined)

async function open(target: GuardianTarget, lockTimeoutMs: number, description: string): Promise<Opened> {
  const {connect} = await database
  let url = target.kind === 'url' ? target.url : ''
  let stopServing = async () => {}
  if (target.kind === 'embedded') {
    const {openEmbeddedDatabase, serveDatabase} = await import('../embedded/embedded-db.js')
    const {acquireLock} = await import('../project/lock.js')
    // PGlite allows one process per data directory: a second push to the embedded database waits here.
    const release = await acquireLock({
      lockHome: target.lockHome,
      timeoutSeconds: lockTimeoutMs / 1000,
      command: description,
      onWait: () => send({type: 'waiting', holder: 'another sbx process using the embedded database'}),
    })
    try {
      const {extensionsNeeded} = await import('../embedded/extension-needs.js')
      const extensions = await extensionsNeeded(target.migrationsDir)
      // The PGlite line of the project's [db] major_version, as verify replays on (core/embedded/postgres-major.ts).
      const [{projectMajor}, {replayMajorFor}, pathModule] = await Promise.all([
        import('../project/supabase-config.js'),
        import('../../core/embedded/postgres-major.js'),
        import('node:path'),
      ])
      const declared = await projectMajor(pathModule.dirname(pathModule.dirname(target.migrationsDir)))
      const embedded = await openEmbeddedDatabase(target.dataDir, {
        extensions,
        major: replayMajorFor(declared.major, extensions.load),
      })
      const server = await serveDatabase(embedded.db).catch(async (error: unknown) => {
        await embedded.close()
        throw error
      })
      url = server.url
      stopServing = async () => {
        await server.close()
        await embedded.close()
        await release()
      }
    } catch (error) {
      await release()
      throw error
    }
  }
  const client = await connect(url).catch(async (error: unknown) => {
    await stopServing()
    throw error
  })
  const closeAll = async () => {
    await releasePushLock(client)
    await client.end().catch(() => undefined)
    await stopServing()
  }
  try {
    await describeSelf(client, description)
    const deadline = Date.now() + lockTimeoutMs
    const onWait = (holder: string) => send({type: 'waiting', holder})
    await acquirePushLock(client, {timeoutSeconds: lockTimeoutMs / 1000, onWait})
    // The embedded database has no other clients: only a server can hold an orphaned push.
    if (target.kind === 'url') {
      await waitForRunningPushes(client, {timeoutSeconds: Math.max(0, deadline - Date.now()) / 1000, onWait})
    }
  } catch (error) {
    await closeAll()
    throw error
  }
  return {url, close: closeAll}
}

function run(request: Extract<GuardianRequest, {type: 'run'}>): void {
  const child = spawn(request.bin, request.args, {
    cwd: request.cwd,
    env: request.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  supabase = child
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8')
    let pending = ''
    child[stream].on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const text of lines) send({type: 'line', stream, text})
    })
    child[stream].on('end', () => {
      if (pending) send({type: 'line', stream, text: pending})
    })
  }
  child.on('error', (error) => send({type: 'failed', message: `Cannot run ${request.bin}: ${error.message}`}))
  child.on('close', (code, signal) => {
    supabase = undefined
    send({type: 'exit', code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)})
    // With sbx gone there is nobody to say "close": the deploy is over, so let go now.
    if (!process.connected) void shutdown()
  })
}

async function shutdown(): Promise<void> {
  if (closing) return
  closing = true
  await opened?.close().catch(() => undefined)
  process.exit(0)
}

process.on('message', (message: GuardianRequest) => {
  switch (message.type) {
    case 'open':
      open(message.target, message.lockTimeoutMs, message.description).then(
        (result) => {
          opened = result
          send({type: 'ready', url: result.url})
        },
        (error: unknown) => {
          const sbx = error instanceof SbxError ? error : undefined
          send({
            type: 'failed',
            message: error instanceof Error ? error.message : String(error),
            ...(sbx ? {code: sbx.code, exitCode: sbx.exitCode, suggestions: sbx.suggestions} : {}),
          })
          void shutdown()
        },
      )
      return
    case 'run':
      run(message)
      return
    case 'close':
      void shutdown()
      return
  }
})

// sbx is gone (killed, or finished without saying close): finish the deploy in flight, then let go.
process.on('disconnect', () => {
  if (!supabase) void shutdown()
})

// A signal to the process group reaches supabase too; the guardian waits for it to stop before letting go.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!supabase) void shutdown()
  })
}
