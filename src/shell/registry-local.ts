/**
 * What one clone remembers about the registry, beside the repository lock (the git common dir's sbx
 * folder, shared by its worktrees): a random clone identifier, and the files `migration new --offline`
 * wrote without a reservation, until `sbx fix` reserves them.
 */
import {randomBytes} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

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
