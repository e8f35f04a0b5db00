/**
 * What one clone remembers about the registry, beside the repository lock (the git common dir's sbx
 * folder, shared by its worktrees): a random clone identifier, and the files `migration new --offline`
 * wrote without a reservation, until `sbx fix` reserves them.
 */
import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type {RegistryCondition} from '../../core/errors.js'
import type {Holder} from '../../core/registry/registry.js'
import {isAlive} from '../project/processes.js'

export function cloneId(lockHome: string): string {
  const file = path.join(lockHome, 'clone-id')
  try {
    const id = readFileSync(file, 'utf8').trim()
    if (/^[0-9a-f]{16}$/.test(id)) return id
  } catch {
    // First use in this clone.
  }
  mkdirSync(lockHome, {recursive: true})
  const id = randomBytes(8).toString('hex')
  // Two first users racing both write a valid id; the rename makes one of them win whole.
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${id}\n`)
  renameSync(tmp, file)
  return readFileSync(file, 'utf8').trim()
}

type Unreserved = Record<string, string[]>

function unreservedPath(lockHome: string): string {
  return path.join(lockHome, 'unreserved.json')
}

function readAll(lockHome: string): Unreserved {
  try {
    const parsed: unknown = JSON.parse(readFileSync(unreservedPath(lockHome), 'utf8'))
    return parsed && typeof parsed === 'object' ? (parsed as Unreserved) : {}
  } catch {
    return {}
  }
}

/** Files of this project written offline and not reserved since. */
export function unreservedFiles(lockHome: string, projectKey: string): string[] {
  const files = readAll(lockHome)[projectKey]
  return Array.isArray(files) ? files.filter((f) => typeof f === 'string') : []
}

/** Replaces the list (called under the repository lock). */
export function setUnreservedFiles(lockHome: string, projectKey: string, files: readonly string[]): void {
  const all = readAll(lockHome)
  if (files.length === 0) delete all[projectKey]
  else all[projectKey] = [...new Set(files)].sort()
  mkdirSync(lockHome, {recursive: true})
  const tmp = `${unreservedPath(lockHome)}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`)
  renameSync(tmp, unreservedPath(lockHome))
}

/**
 * `migration new` calls of one clone queue for the repository lock; each writes its request here first, so
 * that whoever holds the lock reserves for all of them in one registry write (one git push for the whole
 * queue instead of one each). `<pid>.json` is the request, `<pid>.result` the version reserved for it.
 */
export interface QueuedRequest {
  pid: number
  /** Random, per call: a result left by a killed call whose pid is reused is not taken for this one. */
  id: string
  /** The registry and project it is for: a holder batches only requests for its own. */
  registry: string
  project: string
  name: string
  by: Holder
}

function queueDir(lockHome: string): string {
  return path.join(lockHome, 'registry-queue')
}

/** Writes the request under a fresh random id, and returns the id. */
export function enqueueRequest(lockHome: string, fields: Omit<QueuedRequest, 'id'>): string {
  const request: QueuedRequest = {...fields, id: randomBytes(6).toString('hex')}
  const dir = queueDir(lockHome)
  mkdirSync(dir, {recursive: true})
  dequeueRequest(lockHome, request.pid)
  const tmp = path.join(dir, `${request.pid}.tmp`)
  writeFileSync(tmp, JSON.stringify(request))
  renameSync(tmp, path.join(dir, `${request.pid}.json`))
  return request.id
}

export function dequeueRequest(lockHome: string, pid: number): void {
  for (const suffix of ['json', 'result']) rmSync(path.join(queueDir(lockHome), `${pid}.${suffix}`), {force: true})
}

/** Requests of live processes other than this one; `pending` only those nothing was reserved for yet. */
export function queuedRequests(lockHome: string, options: {pending: boolean}): QueuedRequest[] {
  let files: string[]
  try {
    files = readdirSync(queueDir(lockHome))
  } catch {
    return []
  }
  const requests: QueuedRequest[] = []
  for (const file of files) {
    const pid = Number(/^(\d+)\.json$/.exec(file)?.[1])
    if (!pid || pid === process.pid) continue
    if (!isAlive(pid)) {
      dequeueRequest(lockHome, pid)
      continue
    }
    try {
      const request = JSON.parse(readFileSync(path.join(queueDir(lockHome), file), 'utf8')) as QueuedRequest
      if (options.pending && takenResult(lockHome, request) !== undefined) continue
      requests.push(request)
    } catch {
      // Being replaced: it is picked up by the next holder.
    }
  }
  return requests
}

/** What the holder ahead did for a queued call: reserved a version, or failed for the whole queue. */
export type QueueResult = {version: string} | {failed: {condition: RegistryCondition; detail: string}}

export function writeResult(lockHome: string, request: QueuedRequest, result: QueueResult): void {
  const tmp = path.join(queueDir(lockHome), `${request.pid}.result.tmp`)
  writeFileSync(tmp, JSON.stringify({id: request.id, ...result}))
  renameSync(tmp, path.join(queueDir(lockHome), `${request.pid}.result`))
}

/** What a holder did for this request, if one did. */
export function takenResult(lockHome: string, request: {pid: number; id: string}): QueueResult | undefined {
  try {
    const raw = JSON.parse(readFileSync(path.join(queueDir(lockHome), `${request.pid}.result`), 'utf8')) as {
      id?: unknown
      version?: unknown
      failed?: {condition?: unknown; detail?: unknown}
    }
    if (raw.id !== request.id) return undefined
    if (typeof raw.version === 'string' && /^\d+$/.test(raw.version)) return {version: raw.version}
    const {condition, detail} = raw.failed ?? {}
    if (
      (condition === 'unreachable' || condition === 'busy' || condition === 'refused') &&
      typeof detail === 'string'
    ) {
      return {failed: {condition, detail}}
    }
    return undefined
  } catch {
    return undefined
  }
}

function unconfirmedPath(lockHome: string): string {
  return path.join(lockHome, 'unconfirmed.json')
}

/** Versions whose files this clone wrote and whose reservations still carry a lease (called under the lock). */
export function unconfirmedVersions(lockHome: string, project: string): string[] {
  try {
    const all = JSON.parse(readFileSync(unconfirmedPath(lockHome), 'utf8')) as Record<string, unknown>
    const list = all[project]
    return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string' && /^\d+$/.test(v)) : []
  } catch {
    return []
  }
}

export function setUnconfirmedVersions(lockHome: string, project: string, versions: readonly string[]): void {
  let all: Record<string, unknown> = {}
  try {
    all = JSON.parse(readFileSync(unconfirmedPath(lockHome), 'utf8')) as Record<string, unknown>
  } catch {
    // First use.
  }
  if (versions.length === 0) delete all[project]
  else all[project] = [...new Set(versions)].sort()
  mkdirSync(lockHome, {recursive: true})
  const tmp = `${unconfirmedPath(lockHome)}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`)
  renameSync(tmp, unconfirmedPath(lockHome))
}
