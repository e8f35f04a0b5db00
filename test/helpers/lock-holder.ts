/** A real process holding the real sbx lock (test/fixtures/hold-lock.mjs) until the test kills it. */
import path from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {onTestFinished} from 'vitest'
import {REPO_ROOT} from './cli.js'

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'hold-lock.mjs')

export interface LockHolder {
  pid: number
  lockHome: string
  process: ResultPromise<{reject: false}>
  /** SIGKILLs the holder and waits until it is gone (reaped), so its pid no longer counts as alive. */
  kill(): Promise<void>
}

export async function holdLock(workdir: string, options: {stage?: boolean} = {}): Promise<LockHolder> {
  const child = execa('node', [FIXTURE, workdir, ...(options.stage ? ['--stage'] : [])], {
    reject: false,
    stdin: 'ignore',
  }) as ResultPromise<{reject: false}>
  onTestFinished(async () => {
    child.kill('SIGKILL')
    await child
  })
  const lockHome = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /^acquired (.+)$/m.exec(out)
      if (match) resolve(match[1] as string)
    })
    child.then((result) => reject(new Error(`hold-lock exited early (${result.exitCode}): ${String(result.stderr)}`)))
  })
  return {
    pid: child.pid as number,
    lockHome,
    process: child,
    async kill() {
      child.kill('SIGKILL')
      await child
    },
  }
}
