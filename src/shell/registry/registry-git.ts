/**
 * The registry in a ref on a git remote (default refs/sbx/versions): needs nothing but push access.
 * The ref points to a commit whose tree holds one JSON record per version, `<project>/<version>.json`
 * (the project key URI-encoded into one path segment). Every change is: fetch the ref, decide, write a
 * commit on top, push it as a fast-forward (never forced). The remote's atomic ref update is the
 * compare-and-swap: a rejected push means someone else got there first, so refetch and decide again, with
 * jittered back-off, until the timeout. git runs through shell/project/git.ts runGit, the one git runner.
 */
import {randomBytes} from 'node:crypto'
import {readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ExternalError, RegistryBusyError, RegistryUnavailableError} from '../../core/errors.js'
import {redactSecrets} from '../../core/output/redact.js'
import {
  decideBatch,
  type Holder,
  type Registry,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
  reserveOutcomes,
} from '../../core/registry/registry.js'
import {runGit} from '../project/git.js'

export interface GitRegistryOptions {
  /** A remote name (origin) or URL. */
  remote: string
  ref: string
  project: string
  /** A folder inside the local repository; its object store holds what is fetched and committed. */
  cwd: string
  /** Where the temporary index lives (the git common dir's sbx folder). */
  scratchDir: string
  /** The git common dir: the fetched tip is read from its loose ref file (one git process fewer per attempt). */
  gitDir?: string
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

/** Lost races in this process, for messages: the remote answered every time. */
interface RaceState {
  lostRaces: number
}

export function openGitRegistry(options: GitRegistryOptions): Registry {
  const label = `git:${options.remote} ${options.ref}`
  const now = options.now ?? (() => new Date())
  const dir = encodeURIComponent(options.project)
  const state: RaceState = {lostRaces: 0}
  const {fetchTip, dropRef, versionsAt, readRecords, update} = gitStore(
    options,
    {label, dir, now},
    gitRunner(options, label, state),
    state,
  )

  return {
    backend: 'git',
    label,
    async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
      return (await this.reserveAll([request], []))[0] as ReserveOutcome
    },
    async reserveAll(requests, confirm): Promise<ReserveOutcome[]> {
      const {value, attempts} = await update(async (tip, deadline) => {
        const versions = await versionsAt(tip, deadline)
        const present = new Set(versions)
        const wanted = [...new Set([...requests.map((r) => r.version), ...confirm])].filter((v) => present.has(v))
        const records = new Map((await readRecords(tip, deadline, wanted)).map((r) => [r.version, r]))
        const max = versions.reduce<string | undefined>((m, v) => (m === undefined || v > m ? v : m), undefined)
        const batch = decideBatch(requests, confirm, records, max, now())
        const reserved = batch.outcomes.filter((o) => o.outcome === 'reserved').map((o) => o.reservation.version)
        return {
          records: batch.writes,
          message: `reserve ${reserved.join(', ')}${confirm.length ? `; written ${confirm.join(', ')}` : ''} (${options.project})`,
          value: batch.outcomes,
        }
      })
      return reserveOutcomes(value, attempts)
    },
    async list(): Promise<Reservation[]> {
      const deadline = Date.now() + options.timeoutSeconds * 1000
      const local = `refs/sbx/fetched/${process.pid}-${randomBytes(4).toString('hex')}`
      try {
        return await readRecords(await fetchTip(local, deadline), deadline)
      } finally {
        await dropRef(local)
      }
    },
    async markApplied(migrations, by: Holder): Promise<void> {
      if (migrations.length === 0) return
      await update(async (tip, deadline) => {
        const existing = new Map((await readRecords(tip, deadline)).map((r) => [r.version, r]))
        const at = now().toISOString()
        const records = migrations.flatMap((m): Reservation[] => {
          const record = existing.get(m.version)
          if (record?.state === 'applied') return []
          if (!record) return [{version: m.version, name: m.name, state: 'applied', by, at}]
          const {lease: _, ...rest} = record
          return [{...rest, state: 'applied'}]
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
        const {lease: _, ...rest} = record ?? ({} as Reservation)
        const released = record ? {...rest, state: 'released' as const} : undefined
        const records = released && record?.state !== 'released' ? [released] : []
        return {records, message: `release ${version} (${options.project})`, value: released}
      })
      return value
    },
  }
}

/** Running git for one registry: every call within a deadline, its failures named as the registry's. */
function gitRunner(options: GitRegistryOptions, label: string, state: RaceState) {
  const run = async (args: string[], deadline: number, input?: string, env?: NodeJS.ProcessEnv): Promise<GitRun> => {
    // No automatic gc or maintenance after a fetch: it would hold up a reservation the others wait for.
    const result = await runGit(options.cwd, ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], {
      input,
      timeoutMs: deadline - Date.now(),
      env: {
        ...process.env,
        // Never wait for a password or a host-key prompt: fail within the timeout instead.
        GIT_TERMINAL_PROMPT: '0',
        GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
        ...env,
      },
    })
    const exit = result.ok ? '' : `exit ${result.exitCode ?? '?'}`
    const stderr = result.timedOut ? 'timed out' : result.stderr.trim() || result.stdout.trim() || exit
    return {ok: result.ok, stdout: result.stdout, stderr}
  }

  /** The call's deadline passed with the remote answering: busy (exit 4), not unreachable. */
  const outOfTime = (what: string) =>
    new RegistryBusyError(
      label,
      `${what} within ${options.timeoutSeconds} s; other writers won the race ${state.lostRaces} time${state.lostRaces === 1 ? '' : 's'}`,
    )

  const unavailable = (what: string, result: GitRun) => {
    const line = gitErrorLine(result.stderr)
    return new RegistryUnavailableError(label, redactSecrets(`${what}: ${line}`, remoteUrlOf(options.remote)))
  }

  const must = async (args: string[], deadline: number, input?: string, env?: NodeJS.ProcessEnv) => {
    const result = await run(args, deadline, input, env)
    if (result.ok) return result.stdout
    if (result.stderr === 'timed out') throw outOfTime(`git ${args[0]} did not finish`)
    // Local plumbing: the remote is not involved, so this is not "unreachable".
    const line = gitErrorLine(result.stderr)
    throw new ExternalError(`git ${args[0]} failed while updating the registry ${label}: ${line}`, 'EGIT')
  }

  return {run, must, unavailable, outOfTime}
}

/** The registry's reads and its fetch → decide → commit → push loop, on top of gitRunner. */
function gitStore(
  options: GitRegistryOptions,
  {label, dir, now}: {label: string; dir: string; now: () => Date},
  {run, must, unavailable, outOfTime}: ReturnType<typeof gitRunner>,
  state: RaceState,
) {
  /**
   * The remote ref's commit, fetched into `local` (one ref per call, forced on every attempt), or undefined
   * when the ref does not exist yet. The commit is read from the loose ref file git just wrote.
   */
  const fetchTip = async (local: string, deadline: number): Promise<string | undefined> => {
    const result = await run(
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', options.remote, `+${options.ref}:${local}`],
      deadline,
    )
    if (!result.ok) {
      if (/couldn't find remote ref/i.test(result.stderr)) return undefined
      // The remote answered earlier in this call: out of time on a loaded machine, not unreachable.
      if (result.stderr === 'timed out' && state.lostRaces > 0) throw outOfTime('git fetch did not finish')
      throw unavailable('git fetch failed', result)
    }
    const loose = readLooseRef(options.gitDir, local)
    return loose ?? (await must(['rev-parse', '--verify', `${local}^{commit}`], deadline)).trim()
  }

  /** Forgets the call's fetched ref: by its loose file when it is one, else through git. */
  const dropRef = async (local: string): Promise<void> => {
    if (dropLooseRef(options.gitDir, local)) return
    await run(['update-ref', '-d', local], Date.now() + 5000)
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

  /**
   * Writes `records` on top of `tip` and pushes; false when a concurrent writer won the race. One
   * `git fast-import` writes the blobs, the trees and the commit (it commits to the call's own ref `local`).
   */
  const commitAndPush = async (
    local: string,
    tip: string | undefined,
    records: readonly Reservation[],
    message: string,
    deadline: number,
  ): Promise<boolean> => {
    const stream = fastImportStream(local, tip, records, dir, message, now(), os.hostname())
    const commit = (await must(['fast-import', '--quiet', '--force'], deadline, stream)).trim()
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new ExternalError(`git fast-import gave no commit while updating the registry ${label}`, 'EGIT')
    }
    // Not --force, not +: the remote refuses anything but a fast-forward of what we fetched.
    const pushed = await run(['push', '--quiet', '--no-verify', options.remote, `${commit}:${options.ref}`], deadline)
    if (pushed.ok) return true
    if (LOST_RACE.test(pushed.stderr)) {
      if (Date.now() < deadline) return false
      state.lostRaces++
      throw outOfTime('no push won the race')
    }
    if (pushed.stderr === 'timed out') throw outOfTime('git push did not finish')
    throw unavailable('git push failed', pushed)
  }

  /**
   * fetch → decide → commit → push, again on a lost race, until the deadline (never a count of attempts).
   * Between attempts a random pause ("full jitter") whose ceiling *shrinks* with each loss of this call: the
   * writers that lost together spread out instead of colliding again, and the one that has lost most often
   * comes back first, so no writer starves while fresh ones keep winning (measured: 4 clones × 25, the
   * growing ceiling left single calls losing for over 10 s).
   */
  const update = async <T>(
    decide: (tip: string | undefined, deadline: number) => Promise<{records: Reservation[]; message: string; value: T}>,
  ): Promise<{value: T; attempts: number}> => {
    const deadline = Date.now() + options.timeoutSeconds * 1000
    const local = `refs/sbx/fetched/${process.pid}-${randomBytes(4).toString('hex')}`
    let losses = 0
    try {
      for (let attempts = 1; ; attempts++) {
        const tip = await fetchTip(local, deadline)
        const {records, message, value} = await decide(tip, deadline)
        if (records.length === 0 || (await commitAndPush(local, tip, records, message, deadline))) {
          return {value, attempts}
        }
        state.lostRaces++
        losses++
        const pause = Math.random() * Math.max(20, 320 / losses)
        if (Date.now() + pause >= deadline) throw outOfTime('no push won the race')
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    } finally {
      await dropRef(local)
    }
  }

  return {fetchTip, dropRef, versionsAt, readRecords, update}
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

/** The commit a loose ref file names, or undefined (packed, absent, or no git dir given). */
function readLooseRef(gitDir: string | undefined, ref: string): string | undefined {
  if (!gitDir) return undefined
  try {
    const sha = readFileSync(path.join(gitDir, ...ref.split('/')), 'utf8').trim()
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined
  } catch {
    return undefined
  }
}

/** Removes a loose ref file; false when there is none to remove (git must then delete the ref). */
function dropLooseRef(gitDir: string | undefined, ref: string): boolean {
  if (!gitDir || readLooseRef(gitDir, ref) === undefined) return false
  rmSync(path.join(gitDir, ...ref.split('/')), {force: true})
  return true
}

/**
 * The `git fast-import` input for one registry commit: on top of `tip` (none: a root commit), one blob per
 * record at `<dir>/<version>.json`, then `get-mark` prints the commit's id.
 */
export function fastImportStream(
  ref: string,
  tip: string | undefined,
  records: readonly Reservation[],
  dir: string,
  message: string,
  at: Date,
  host: string,
): string {
  const data = (text: string) => `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`
  const when = `${Math.floor(at.getTime() / 1000)} +0000`
  const lines = [
    `reset ${ref}`,
    ...(tip ? [`from ${tip}`] : []),
    '',
    `commit ${ref}`,
    'mark :1',
    `author sbx <sbx@${host}> ${when}`,
    `committer sbx <sbx@${host}> ${when}`,
    data(message),
  ]
  const body = records.map(
    (record) => `M 100644 inline ${dir}/${record.version}.json\n${data(`${JSON.stringify(record, null, 2)}\n`)}`,
  )
  return `${lines.join('\n')}${body.join('')}\nget-mark :1\n`
}

/**
 * git's reason: its first `fatal:`/`error:` line (its last line is often the tail of a wrapped hint, such as
 * "and the repository exists."), else its last line.
 */
function gitErrorLine(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  const reason = lines.find((line) => /^(?:fatal|error):/u.test(line))
  return reason?.replace(/^(?:fatal|error):\s*/u, '') ?? lines.at(-1) ?? 'no output'
}
