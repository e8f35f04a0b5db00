/** Facts about processes: who this one is (for lock holders and audit lines), and whether another lives. */
import os from 'node:os'

export interface Actor {
  user: string
  host: string
  pid: number
  command: string
}

export function currentActor(command: string): Actor {
  let user = process.env.USER ?? process.env.USERNAME ?? ''
  if (!user) {
    try {
      user = os.userInfo().username
    } catch {
      user = 'unknown'
    }
  }
  return {user, host: os.hostname(), pid: process.pid, command}
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
