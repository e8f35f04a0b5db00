/**
 * The git registry's plumbing, as two small state objects: GitRunner runs git for one registry (every call within
 * a deadline, its failures named as the registry's) and GitRefStore reads the registry's ref and runs its
 * fetch → decide → commit → push loop. registry-git.ts puts the Registry interface on top. git runs through
 * shell/project/git.ts runGit, the one git runner.
 */
import {randomBytes} from 'node:crypto'
import {readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ExternalError, RegistryBusyError, RegistryUnavailableError} from '../../core/errors.js'
import {redactSecrets} from '../../core/output/redact.js'
import type {Reservation} from '../../core/registry/registry.js'
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

/** One decision of the update loop: the records to write on top of the fetched tip, and what the caller gets. */
export interface Decision<T> {
  records: Reservation[]
  message: string
  value: T
}

/** Runs git for one registry: every call within a deadline, its failures named as the registry's. */
export class GitRunner {
  /** Lost races in this process, for messages: the remote answered every time. */
  lostRaces = 0

  constructor(
    private readonly options: GitRegistryOptions,
    readonly label: string,
  ) {}

  async run(args: string[], deadline: number, input?: string): Promise<GitRun> {
    // No automatic gc or maintenance after a fetch: it would hold up a reservation the others wait for.
    const result = await runGit(this.options.cwd, ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], {
      input,
      timeoutMs: deadline - Date.now(),
      env: {
        ...process.env,
        // Never wait for a password or a host-key prompt: fail within the timeout instead.
        GIT_TERMINAL_PROMPT: '0',
        GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
      },
    })
    const exit = result.ok ? '' : `exit ${result.exitCode ?? '?'}`
    const stderr = result.timedOut ? 'timed out' : result.stderr.trim() || result.stdout.trim() || exit
    return {ok: result.ok, stdout: result.stdout, stderr}
  }

  /** git's output, or the error: local plumbing, so never "unreachable". */
  async must(args: string[], deadline: number, input?: string): Promise<string> {
    const result = await this.run(args, deadline, input)
    if (result.ok) return result.stdout
    if (result.stderr === 'timed out') throw this.outOfTime(`git ${args[0]} did not finish`)
    const line = gitErrorLine(result.stderr)
    throw new ExternalError(`git ${args[0]} failed while updating the registry ${this.label}: ${line}`, 'EGIT')
  }

  /** The call's deadline passed with the remote answering: busy (exit 4), not unreachable. */
  outOfTime(what: string): RegistryBusyError {
    const races = `other writers won the race ${this.lostRaces} time${this.lostRaces === 1 ? '' : 's'}`
    return new RegistryBusyError(this.label, `${what} within ${this.options.timeoutSeconds} s; ${races}`)
  }

  unavailable(what: string, result: GitRun): RegistryUnavailableError {
    const line = gitErrorLine(result.stderr)
    return new RegistryUnavailableError(this.label, redactSecrets(`${what}: ${line}`, remoteUrlOf(this.options.remote)))
  }
}

/** The registry's ref on the remote: its reads, and its fetch → decide → commit → push loop. */
export class GitRefStore {
  /** The project's folder in the ref's tree (the key URI-encoded into one path segment). */
  private readonly dir: string
  private readonly now: () => Date

  constructor(
    private readonly options: GitRegistryOptions,
    private readonly git: GitRunner,
  ) {
    this.dir = encodeURIComponent(options.project)
    this.now = options.now ?? (() => new Date())
  }

  /** A ref of this call's own to fetch into (one per call, forced on every attempt). */
  fetchRef(): string {
    return `refs/sbx/fetched/${process.pid}-${randomBytes(4).toString('hex')}`
  }

  /**
   * The remote ref's commit, fetched into `local`, or undefined when the ref does not exist yet. The commit is read
   * from the loose ref file git just wrote.
   */
  async fetchTip(local: string, deadline: number): Promise<string | undefined> {
    const {remote, ref, gitDir} = this.options
    const result = await this.git.run(
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${ref}:${local}`],
      deadline,
    )
    if (!result.ok) {
      if (/couldn't find remote ref/i.test(result.stderr)) return undefined
      // The remote answered earlier in this call: out of time on a loaded machine, not unreachable.
      if (result.stderr === 'timed out' && this.git.lostRaces > 0) throw this.git.outOfTime('git fetch did not finish')
      throw this.git.unavailable('git fetch failed', result)
    }
    const loose = readLooseRef(gitDir, local)
    return loose ?? (await this.git.must(['rev-parse', '--verify', `${local}^{commit}`], deadline)).trim()
  }

  /** Forgets the call's fetched ref: by its loose file when it is one, else through git. */
  async dropRef(local: string): Promise<void> {
    if (dropLooseRef(this.options.gitDir, local)) return
    await this.git.run(['update-ref', '-d', local], Date.now() + 5000)
  }

  async versionsAt(tip: string | undefined, deadline: number): Promise<string[]> {
    if (!tip) return []
    const out = await this.git
      .must(['ls-tree', '-z', '--name-only', `${tip}:`, '--', `${this.dir}/`], deadline)
      .catch(() => '')
    return out
      .split('\0')
      .filter((p) => p.endsWith('.json'))
      .map((p) => path.posix.basename(p, '.json'))
  }

  async readRecords(tip: string | undefined, deadline: number, versions?: string[]): Promise<Reservation[]> {
    if (!tip) return []
    const wanted = versions ?? (await this.versionsAt(tip, deadline))
    if (wanted.length === 0) return []
    const objects = `${wanted.map((v) => `${tip}:${this.dir}/${v}.json`).join('\n')}\n`
    return parseBatch(await this.git.must(['cat-file', '--batch'], deadline, objects))
  }

  /**
   * fetch → decide → commit → push, again on a lost race, until the deadline (never a count of attempts).
   * Between attempts a random pause ("full jitter") whose ceiling *shrinks* with each loss of this call: the
   * writers that lost together spread out instead of colliding again, and the one that has lost most often
   * comes back first, so no writer starves while fresh ones keep winning (measured: 4 clones × 25, the
   * growing ceiling left single calls losing for over 10 s).
   */
  async update<T>(
    decide: (tip: string | undefined, deadline: number) => Promise<Decision<T>>,
  ): Promise<{value: T; attempts: number}> {
    const deadline = Date.now() + this.options.timeoutSeconds * 1000
    const local = this.fetchRef()
    let losses = 0
    try {
      for (let attempts = 1; ; attempts++) {
        const tip = await this.fetchTip(local, deadline)
        const {records, message, value} = await decide(tip, deadline)
        if (records.length === 0 || (await this.commitAndPush(local, tip, records, message, deadline))) {
          return {value, attempts}
        }
        this.git.lostRaces++
        losses++
        const pause = Math.random() * Math.max(20, 320 / losses)
        if (Date.now() + pause >= deadline) throw this.git.outOfTime('no push won the race')
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    } finally {
      await this.dropRef(local)
    }
  }

  /**
   * Writes `records` on top of `tip` and pushes; false when a concurrent writer won the race. One
   * `git fast-import` writes the blobs, the trees and the commit (it commits to the call's own ref `local`).
   */
  private async commitAndPush(
    local: string,
    tip: string | undefined,
    records: readonly Reservation[],
    message: string,
    deadline: number,
  ): Promise<boolean> {
    const stream = fastImportStream(local, tip, records, this.dir, message, this.now(), os.hostname())
    const commit = (await this.git.must(['fast-import', '--quiet', '--force'], deadline, stream)).trim()
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new ExternalError(`git fast-import gave no commit while updating the registry ${this.git.label}`, 'EGIT')
    }
    // Not --force, not +: the remote refuses anything but a fast-forward of what we fetched.
    const {remote, ref} = this.options
    const pushed = await this.git.run(['push', '--quiet', '--no-verify', remote, `${commit}:${ref}`], deadline)
    if (pushed.ok) return true
    if (LOST_RACE.test(pushed.stderr)) {
      if (Date.now() < deadline) return false
      this.git.lostRaces++
      throw this.git.outOfTime('no push won the race')
    }
    if (pushed.stderr === 'timed out') throw this.git.outOfTime('git push did not finish')
    throw this.git.unavailable('git push failed', pushed)
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
