/**
 * Machines for registry tests: a real bare repository as the shared origin, and separate clones of it (each
 * its own .git, hence its own sbx lock), each holding a supabase project with supabase/sbx.toml.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {onTestFinished} from 'vitest'
import {git, tmpProject, writeTree} from './project.js'

/** A bare repository with one commit on main holding supabase/config.toml and `files`. */
export function bareOrigin(files: Record<string, string> = {}): string {
  const root = tmpProject({}, {config: false})
  const origin = path.join(root, 'origin.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', origin)
  // Nothing may rewrite the registry ref: a forced push would be refused here rather than pass unnoticed.
  git(origin, 'config', 'receive.denyNonFastForwards', 'true')
  git(origin, 'config', 'core.logAllRefUpdates', 'always')
  const seed = path.join(root, 'seed')
  git(root, 'clone', '-q', origin, seed)
  writeTree(seed, {'supabase/config.toml': 'project_id = "sbx-registry-test"\n', ...files})
  git(seed, 'add', '-A')
  git(seed, 'commit', '-q', '-m', 'initial')
  git(seed, 'push', '-q', 'origin', 'HEAD:main')
  return origin
}

/** A separate clone of `origin` (a "machine"), with `files` written (not committed) into it. */
export function cloneOf(origin: string, files: Record<string, string> = {}): string {
  const root = tmpProject({}, {config: false})
  const dir = path.join(root, 'clone')
  git(root, 'clone', '-q', '-b', 'main', origin, dir)
  writeTree(dir, files)
  return dir
}

export function sbxToml(lines: Record<string, string | number>): Record<string, string> {
  const body = Object.entries(lines)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
    .join('\n')
  return {'supabase/sbx.toml': `[registry]\n${body}\n`}
}

/** Records in the registry ref of a bare origin: one file per reservation. */
export function gitRecords(
  origin: string,
  ref = 'refs/sbx/versions',
): Array<{version: string; name: string; state: string}> {
  const files = git(origin, 'ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean)
  return files.map((file) => JSON.parse(git(origin, 'show', `${ref}:${file}`)))
}

/** A loopback port on which nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A TCP server that accepts connections and never answers: a database that hangs. */
export async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return (server.address() as net.AddressInfo).port
}

export function migrationFiles(workdir: string): string[] {
  const dir = path.join(workdir, 'supabase', 'migrations')
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)) : []
}

export interface PausingProxy {
  port: number
  /** Resolves once the link has been cut (the pause has happened). */
  paused: Promise<void>
}

/**
 * A TCP proxy on loopback in front of `target` that forwards faithfully until the client has sent a message
 * containing `trigger` and the server has answered it; from then on it forwards nothing in either direction
 * while keeping both sockets open: a half-open link, as a dropped VPN or a suspended laptop leaves one.
 */
export async function pausingProxy(target: {host: string; port: number}, trigger: string): Promise<PausingProxy> {
  const sockets = new Set<net.Socket>()
  let cut = false
  let onPaused: () => void = () => undefined
  const paused = new Promise<void>((resolve) => {
    onPaused = resolve
  })
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
    }
    let armed = false
    client.on('data', (chunk: Buffer) => {
      if (cut) return
      if (chunk.includes(trigger)) armed = true
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return
      client.write(chunk)
      if (armed) {
        cut = true
        onPaused()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return {port: (server.address() as net.AddressInfo).port, paused}
}
