/** Runs the `[notify] command` through the shell with one JSON event on stdin, bounded by a timeout. */
import {spawn} from 'node:child_process'

export function runNotifyCommand(command: string, input: string, cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: process.platform !== 'win32',
    })
    let stderr = ''
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else resolve()
    }
    const timer = setTimeout(() => {
      // The whole process group: a shell's children too.
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        // Already gone.
      }
      finish(new Error(`no exit within ${timeoutMs / 1000} s (killed)`))
    }, timeoutMs)
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8')
    })
    child.on('error', (error) => finish(error))
    child.on('close', (code, signal) => {
      if (code === 0) finish()
      else
        finish(
          new Error(`exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`),
        )
    })
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input)
  })
}
