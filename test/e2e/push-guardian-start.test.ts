/**
 * `sbx push` forks its deploy guardian before oclif parses the command line (bin/run.js). The README promises it
 * opens nothing until asked and exits with sbx when the push never needs it: after a usage error, and when sbx is
 * killed by pid while the target never answers. The guardian is found as a real process: its command line names
 * deploy-guardian-process and its working folder is the project's.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import {describe, expect, it, onTestFinished, vi} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}

/** Pids of deploy guardians running in `dir`. */
function guardiansIn(dir: string): number[] {
  const real = fs.realpathSync(dir)
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return []
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (!cmdline.includes('deploy-guardian-process')) return []
      return fs.readlinkSync(`/proc/${entry}/cwd`) === real ? [Number(entry)] : []
    } catch {
      return [] // gone meanwhile
    }
  })
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as net.AddressInfo).port
}

describe('the deploy guardian started with sbx push', () => {
  it('exits with sbx after a usage error', async () => {
    const dir = tmpProject()
    const result = await runSbx(['push', '--no-such-flag'], {cwd: dir, env})
    expect(result.exitCode).toBe(2)
    await vi.waitFor(() => expect(guardiansIn(dir)).toEqual([]), {timeout: 20_000, interval: 50})
  })

  it('exits when sbx is killed by pid while the target never answers', async () => {
    const dir = tmpProject()
    const port = await silentServer()
    const url = `postgresql://postgres@127.0.0.1:${port}/x?sslmode=disable`
    const child = spawn('node', [SBX_BIN, 'push', '--db-url', url, '--no-verify'], {
      cwd: dir,
      env: {...process.env, ...env, NODE_ENV: undefined},
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    await vi.waitFor(() => expect(guardiansIn(dir)).toHaveLength(1), {timeout: 20_000, interval: 20})
    process.kill(child.pid as number, 'SIGKILL')
    await exited
    await vi.waitFor(() => expect(guardiansIn(dir)).toEqual([]), {timeout: 20_000, interval: 50})
  })
})
