/**
 * The registry in a ref on a git remote (default refs/sbx/versions): needs nothing but push access.
 * The ref points to a commit whose tree holds one JSON record per version, `<project>/<version>.json`
 * (the project key URI-encoded into one path segment). Every change is: fetch the ref, decide, write a
 * commit on top, push it as a fast-forward (never forced). The remote's atomic ref update is the
 * compare-and-swap: a rejected push means someone else got there first, so refetch and decide again, with
 * jittered back-off, until the timeout. Plain git through node:child_process (execa costs start-up).
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ExternalError, RegistryUnavailableError} from '../core/errors.js'
import {redactSecrets} from '../core/redact.js'
import {
  decideReservation,
  type Holder,
  type Registry,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
} from '../core/registry.js'

export interface GitRegistryOptions {
  /** A remote name (origin) or URL. */
  remote: string
  ref: string
  project: string
  /** A folder inside the local repository; its object store holds what is fetched and committed. */
  cwd: string
  /** Where the temporary index lives (the git common dir's sbx folder). */
  scratchDir: string
  timeoutSeconds: number
  now?: () => Date
}

interface GitRun {
  ok: boolean
  stdout: string
  stderr: string
}

/** Pushes lost to a concurrent writer are retried; everything else (unreachable, no permission) fails. */
const LOST_RACE =
  /rejected|non-fast-forward|fetch first|cannot lock ref|failed to update ref|stale info|incorrect old value/i

export function openGitRegistry(options: GitRegistryOptions): Registry {
  const label = `git:${options.remote} ${options.ref}`
  const now = options.now ?? (() => new Date())
  const dir = encodeURIComponent(options.project)

  const run = (args: string[], deadline: number, input?: string, env?: NodeJS.ProcessEnv): Promise<GitRun> =>
    new Promise((resolve) => {
      const child = execFile(
        'git',
        // No automatic gc or maintenance after a fetch: it would hold up a reservation the others wait for.
        ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args],
        {
          cwd: options.cwd,
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
          timeout: Math.max(1, deadline - Date.now()),
          env: {
            ...process.env,
            // Never wait for a password or a host-key prompt: fail within the timeout instead.
            GIT_TERMINAL_PROMPT: '0',
            GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const timedOut = Boolean(error && (error as {killed?: boolean}).killed)
          const exit = error ? `exit ${(error as {code?: unknown}).code ?? '?'}` : ''
          resolve({ok: !error, stdout, stderr: timedOut ? 'timed out' : stderr.trim() || stdout.trim() || exit})
        },
      )
      if (input !== undefined) child.stdin?.end(input)
    })

  const unavailable = (what: string, result: GitRun) => {
    const line = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'
    return new RegistryUnavailableError(label, redactSecrets(`${what}: ${line}`, remoteUrlOf(options.remote)))
  }

  const must = async (args: string[], deadline: number, input?: string, env?: NodeJS.ProcessEnv) => {
    const result = await run(args, deadline, input, env)
    if (result.ok) return result.stdout
    // Local plumbing: the remote is not involved, so this is not "unreachable".
    const line = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'
    throw new ExternalError(`git ${args[0]} failed while updating the registry ${label}: ${line}`, 'EGIT')
  }

  /** The remote ref's commit (fetched into this repository), or undefined when the ref does not exist yet. */
  const fetchTip = async (deadline: number): Promise<string | undefined> => {
    const local = `refs/sbx/fetched/${process.pid}-${randomBytes(4).toString('hex')}`
    const result = await run(
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', options.remote, `+${options.ref}:${local}`],
      deadline,
    )
    if (!result.ok) {
      if (/couldn't find remote ref/i.test(result.stderr)) return undefined
      throw unavailable('git fetch failed', result)
    }
    try {
      return (await must(['rev-parse', '--verify', `${local}^{commit}`], deadline)).trim()
    } finally {
      await run(['update-ref', '-d', local], deadline)
    }
  }

  const versionsAt = async (tip: string | undefined, deadline: number): Promise<string[]> => {
    if (!tip) return []
    const out = await must(['ls-tree', '-z', '--name-only', `${tip}:`, '--', `${dir}/`], deadline).catch(() => '')
    return out
      .split('\0')
      .filter((p) => p.endsWith('.json'))
      .map((p) => path.posix.basename(p, '.json'))
  }

  const readRecords = async (
    tip: string | undefined,
    deadline: number,
    versions?: string[],
  ): Promise<Reservation[]> => {
    if (!tip) return []
    const wanted = versions ?? (await versionsAt(tip, deadline))
    if (wanted.length === 0) return []
    const out = await must(
      ['cat-file', '--batch'],
      deadline,
      `${wanted.map((v) => `${tip}:${dir}/${v}.json`).join('\n')}\n`,
    )
    return parseBatch(out)
  }

  /** Writes `records` on top of `tip` and pushes; false when a concurrent writer won the race. */
  const commitAndPush = async (
    tip: string | undefined,
    records: readonly Reservation[],
    message: string,
    deadline: number,
  ): Promise<boolean> => {
    const index = path.join(options.scratchDir, `registry-index.${process.pid}.${randomBytes(4).toString('hex')}`)
    const env = {GIT_INDEX_FILE: index}
    mkdirSync(options.scratchDir, {recursive: true})
    try {
      if (tip) await must(['read-tree', tip], deadline, undefined, env)
      else await must(['read-tree', '--empty'], deadline, undefined, env)
      const lines: string[] = []
      for (const record of records) {
        const blob = (
          await must(['hash-object', '-w', '--stdin'], deadline, `${JSON.stringify(record, null, 2)}\n`)
        ).trim()
        lines.push(`100644 ${blob}\t${dir}/${record.version}.json`)
      }
      await must(['update-index', '--index-info'], deadline, `${lines.join('\n')}\n`, env)
      const tree = (await must(['write-tree'], deadline, undefined, env)).trim()
      const host = os.hostname()
      const commit = (
        await must(['commit-tree', tree, ...(tip ? ['-p', tip] : []), '-m', message], deadline, undefined, {
          GIT_AUTHOR_NAME: 'sbx',
          GIT_AUTHOR_EMAIL: `sbx@${host}`,
          GIT_COMMITTER_NAME: 'sbx',
          GIT_COMMITTER_EMAIL: `sbx@${host}`,
        })
      ).trim()
      // Not --force, not +: the remote refuses anything but a fast-forward of what we fetched.
      const pushed = await run(['push', '--quiet', '--no-verify', options.remote, `${commit}:${options.ref}`], deadline)
      if (pushed.ok) return true
      if (LOST_RACE.test(pushed.stderr)) return false
      throw unavailable('git push failed', pushed)
    } finally {
      rmSync(index, {force: true})
      rmSync(`${index}.lock`, {force: true})
    }
  }

  /** fetch → decide → commit → push, again on a lost race, until the deadline. */
  const update = async <T>(
    decide: (tip: string | undefined, deadline: number) => Promise<{records: Reservation[]; message: string; value: T}>,
  ): Promise<{value: T; attempts: number}> => {
    const deadline = Date.now() + options.timeoutSeconds * 1000
    let delay = 25
    for (let attempts = 1; ; attempts++) {
      const tip = await fetchTip(deadline)
      const {records, message, value} = await decide(tip, deadline)
      if (records.length === 0 || (await commitAndPush(tip, records, message, deadline))) return {value, attempts}
      if (Date.now() + delay >= deadline) {
        throw new RegistryUnavailableError(label, `still losing the race to other writers after ${attempts} attempts`)
      }
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())))
      delay = Math.min(delay * 1.6, 400)
    }
  }

  return {
    backend: 'git',
    label,
    async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
      const {value, attempts} = await update(async (tip, deadline) => {
        const versions = await versionsAt(tip, deadline)
        const [atVersion] = versions.includes(request.version)
          ? await readRecords(tip, deadline, [request.version])
          : []
        const max = versions.reduce<string | undefined>((m, v) => (m === undefined || v > m ? v : m), undefined)
        const decision = decideReservation(request, {max, atVersion}, now())
        return {
          records: decision.write ? [decision.reservation] : [],
          message: `reserve ${decision.reservation.version}_${decision.reservation.name} (${options.project})`,
          value: decision,
        }
      })
      return value.outcome === 'reserved'
        ? {reserved: true, reservation: value.reservation, attempts}
        : {reserved: false, holder: value.reservation, attempts}
    },
    async list(): Promise<Reservation[]> {
      const deadline = Date.now() + options.timeoutSeconds * 1000
      return readRecords(await fetchTip(deadline), deadline)
    },
    async markApplied(migrations, by: Holder): Promise<void> {
      if (migrations.length === 0) return
      await update(async (tip, deadline) => {
        const existing = new Map((await readRecords(tip, deadline)).map((r) => [r.version, r]))
        const at = now().toISOString()
        const records = migrations.flatMap((m): Reservation[] => {
          const record = existing.get(m.version)
          if (record?.state === 'applied') return []
          return [record ? {...record, state: 'applied'} : {version: m.version, name: m.name, state: 'applied', by, at}]
        })
        return {
          records,
          message: `applied ${migrations.map((m) => m.version).join(', ')} (${options.project})`,
          value: undefined,
        }
      })
    },
    async release(version: string): Promise<Reservation | undefined> {
      const {value} = await update(async (tip, deadline) => {
        const versions = await versionsAt(tip, deadline)
        const [record] = versions.includes(version) ? await readRecords(tip, deadline, [version]) : []
        const released = record ? {...record, state: 'released' as const} : undefined
        const records = released && record?.state !== 'released' ? [released] : []
        return {records, message: `release ${version} (${options.project})`, value: released}
      })
      return value
    },
  }
}

/** Parses `git cat-file --batch` output: `<oid> blob <size>\n<content>\n` per object. */
function parseBatch(out: string): Reservation[] {
  const buffer = Buffer.from(out, 'utf8')
  const records: Reservation[] = []
  let offset = 0
  while (offset < buffer.length) {
    const newline = buffer.indexOf(10, offset)
    if (newline < 0) break
    const header = buffer.subarray(offset, newline).toString('utf8').split(' ')
    if (header[1] !== 'blob') {
      offset = newline + 1
      continue
    }
    const size = Number(header[2])
    const content = buffer.subarray(newline + 1, newline + 1 + size).toString('utf8')
    offset = newline + 1 + size + 1
    try {
      records.push(JSON.parse(content) as Reservation)
    } catch {
      // A record edited by hand into invalid JSON: skip it rather than make the registry unusable.
    }
  }
  return records
}

/** The URL behind a remote name is only needed to redact a password; a name has none. */
function remoteUrlOf(remote: string): string | undefined {
  return /:\/\//.test(remote) ? remote : undefined
}
