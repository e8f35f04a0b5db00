/**
 * Every git call sbx makes, one function each. node:child_process rather than execa: execa alone adds ~145 ms
 * of start-up. Imported on the first call: `migration new` spawns no git, and loading node:child_process cost
 * it ~6 ms of its ~90 ms of CPU (profiled).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import {ExternalError, UsageError} from '../../core/errors.js'

export interface GitResult {
  ok: boolean
  stdout: string
  stderr: string
  /** Killed at `timeoutMs`. */
  timedOut: boolean
  /** git's exit code, when it exited with one. */
  exitCode?: number
}

export interface RunGitOptions {
  /** Written to git's stdin (fast-import, hash-object --stdin). */
  input?: string
  /** Killed after this long. */
  timeoutMs?: number
  /** Replaces git's environment (callers add to process.env). */
  env?: NodeJS.ProcessEnv
}

/** The one way sbx runs git (this module's calls and the git registry's). */
export async function runGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  const {execFile} = await import('node:child_process')
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        ...(options.timeoutMs !== undefined ? {timeout: Math.max(1, options.timeoutMs)} : {}),
        ...(options.env ? {env: options.env} : {}),
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & {killed?: boolean; code?: unknown}) | null
        const exitCode = typeof failure?.code === 'number' ? failure.code : failure ? undefined : 0
        resolve({
          ok: !error,
          stdout,
          stderr,
          timedOut: Boolean(failure?.killed),
          ...(exitCode !== undefined ? {exitCode} : {}),
        })
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

function git(cwd: string, args: string[]): Promise<GitResult> {
  return runGit(cwd, args)
}

async function gitOrThrow(cwd: string, args: string[]): Promise<string> {
  const result = await git(cwd, args)
  if (!result.ok) {
    const detail = result.stderr.trim().split('\n')[0] ?? ''
    throw new ExternalError(`git ${args.join(' ')} failed: ${detail}`, 'EGIT')
  }
  return result.stdout
}

export interface GitLocation {
  /** Top of this worktree. */
  toplevel: string
  /** The git common dir, shared by every worktree of the repository. */
  commonDir: string
}

/**
 * Where `dir` sits in git, or undefined outside a repository. Read from the file system the way git finds its
 * directory (the nearest `.git` folder, or a `.git` file's `gitdir:` and that folder's `commondir`): spawning
 * `git rev-parse` was the largest single cost of `migration new` after Node's own start (6 of ~50 ms of CPU).
 * Whatever git would decide differently (GIT_DIR and friends in the environment, a `.git` that is neither)
 * is asked of git itself.
 */
export async function locateRepository(dir: string): Promise<GitLocation | undefined> {
  if (GIT_ENV.some((name) => process.env[name] !== undefined)) return askGit(dir)
  let current = await fs.realpath(dir).catch(() => path.resolve(dir))
  for (;;) {
    const found = await gitDirAt(current)
    if (found === 'ask') return askGit(dir)
    if (found) return {toplevel: current, commonDir: found}
    const parent = path.dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/** Variables that move git's directory or stop its search: with any of them set, git decides. */
const GIT_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
]

/** The common dir of a repository whose work tree is `top`, undefined if `top` has no `.git`, 'ask' if unsure. */
async function gitDirAt(top: string): Promise<string | undefined | 'ask'> {
  const dotGit = path.join(top, '.git')
  const stat = await fs.stat(dotGit).catch(() => undefined)
  if (!stat) return undefined
  let gitDir = dotGit
  if (stat.isFile()) {
    const match = /^gitdir: (.+?)\r?\n?$/.exec(await fs.readFile(dotGit, 'utf8').catch(() => ''))
    if (!match?.[1]) return 'ask'
    gitDir = path.resolve(top, match[1])
  } else if (!stat.isDirectory()) return 'ask'
  const commondir = await fs.readFile(path.join(gitDir, 'commondir'), 'utf8').catch(() => undefined)
  const common = commondir === undefined ? gitDir : path.resolve(gitDir, commondir.trim())
  // A folder named .git without HEAD is not a repository to git either: let it say what it is.
  if (!(await fs.stat(path.join(common, 'HEAD')).catch(() => undefined))) return 'ask'
  return fs.realpath(common).catch(() => common)
}

async function askGit(dir: string): Promise<GitLocation | undefined> {
  const result = await git(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'])
  if (!result.ok) return undefined
  const [toplevel, commonDir] = result.stdout.trim().split('\n')
  if (!toplevel || !commonDir) return undefined
  return {toplevel, commonDir}
}

/**
 * Paths of every worktree of the repository (this one included), read as git keeps them: the folder holding
 * the common dir, and `worktrees/<id>/gitdir` for each linked one. A common dir not named `.git` (a bare or
 * separated repository) is asked of git, which knows its work tree from its config.
 */
export async function listWorktrees(location: GitLocation): Promise<string[]> {
  if (path.basename(location.commonDir) !== '.git') return askGitForWorktrees(location.toplevel)
  const linkedDir = path.join(location.commonDir, 'worktrees')
  const ids = await fs.readdir(linkedDir).catch(() => [] as string[])
  const linked = await Promise.all(
    ids.map(async (id) => {
      const gitdir = await fs.readFile(path.join(linkedDir, id, 'gitdir'), 'utf8').catch(() => undefined)
      return gitdir === undefined ? [] : [path.dirname(path.resolve(linkedDir, id, gitdir.trim()))]
    }),
  )
  return [path.dirname(location.commonDir), ...linked.flat()]
}

async function askGitForWorktrees(dir: string): Promise<string[]> {
  const result = await git(dir, ['worktree', 'list', '--porcelain', '-z'])
  if (!result.ok) return []
  return result.stdout
    .split('\0')
    .filter((field) => field.startsWith('worktree '))
    .map((field) => field.slice('worktree '.length))
}

/** Files under `relDir` that git tracks, relative to the repository top. */
export async function trackedFiles(toplevel: string, relDir: string): Promise<Set<string>> {
  const out = await gitOrThrow(toplevel, ['ls-files', '-z', '--', relDir])
  return new Set(out.split('\0').filter(Boolean))
}

/**
 * Unix time of the first commit that added each file under `relDir` (following no renames: a renamed
 * migration is a new version). One `git log` for the whole folder, not one per file.
 */
export async function firstCommitTimes(toplevel: string, relDir: string): Promise<Map<string, number>> {
  const result = await git(toplevel, [
    'log',
    '--diff-filter=A',
    '--no-renames',
    '--format=%x00%ct',
    '--name-only',
    '-z',
    '--',
    relDir,
  ])
  // A repository without a commit yet has no commit times: every file is uncommitted.
  if (!result.ok && /does not have any commits|bad default revision/.test(result.stderr)) return new Map()
  if (!result.ok) throw new ExternalError(`git log failed: ${result.stderr.trim().split('\n')[0] ?? ''}`, 'EGIT')
  const out = result.stdout
  const times = new Map<string, number>()
  let current = 0
  for (const token of out.split('\0')) {
    const trimmed = token.replace(/^\n+/, '')
    if (trimmed === '') continue
    if (/^\d+$/.test(trimmed) && !trimmed.includes('/')) {
      current = Number(trimmed)
      continue
    }
    // git log lists newest first: keep overwriting so the oldest addition wins.
    times.set(trimmed, current)
  }
  return times
}

export async function gitMove(toplevel: string, from: string, to: string): Promise<void> {
  await gitOrThrow(toplevel, ['mv', '--', from, to])
}

export async function resolveRef(toplevel: string, ref: string): Promise<string> {
  const result = await git(toplevel, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  if (!result.ok) {
    throw new UsageError(`git cannot find "${ref}": fetch it first (git fetch) or name another branch.`, 'EGITREF')
  }
  return result.stdout.trim()
}

export async function mergeBase(toplevel: string, a: string, b: string): Promise<string | undefined> {
  const result = await git(toplevel, ['merge-base', a, b])
  return result.ok ? result.stdout.trim() : undefined
}

/** File names directly inside `relDir` at `commit`. */
export async function filesAtCommit(toplevel: string, commit: string, relDir: string): Promise<string[]> {
  const out = await gitOrThrow(toplevel, ['ls-tree', '-z', '--name-only', `${commit}:${relDir}`]).catch(() => '')
  return out.split('\0').filter(Boolean)
}

/** The staged names under `relDir` (what a pre-commit hook checks). */
export async function stagedFiles(toplevel: string, relDir: string): Promise<string[]> {
  const out = await gitOrThrow(toplevel, ['ls-files', '-z', '--cached', '--', relDir])
  return out
    .split('\0')
    .filter(Boolean)
    .map((file) => path.posix.relative(relDir, file))
}

/** The folder git runs hooks from (honours core.hooksPath). */
export async function hooksDir(toplevel: string): Promise<string> {
  const out = await gitOrThrow(toplevel, ['rev-parse', '--path-format=absolute', '--git-path', 'hooks'])
  return out.trim()
}

/** The URL of a remote (`origin`), or undefined when there is no such remote. */
export async function remoteUrl(dir: string, remote: string): Promise<string | undefined> {
  const result = await git(dir, ['remote', 'get-url', remote])
  return result.ok ? result.stdout.trim() || undefined : undefined
}

/**
 * The checked-out branch of the worktree at `toplevel`, or undefined on a detached HEAD. Read from HEAD
 * rather than by running git: `migration new` with a registry asks on every call, and a spawn costs ~10 ms.
 */
export async function currentBranch(toplevel: string): Promise<string | undefined> {
  try {
    const dotGit = path.join(toplevel, '.git')
    const stat = await fs.stat(dotGit)
    // A linked worktree's .git is a file naming its git dir.
    const gitDir = stat.isDirectory()
      ? dotGit
      : path.resolve(toplevel, (await fs.readFile(dotGit, 'utf8')).replace(/^gitdir:\s*/, '').trim())
    const head = (await fs.readFile(path.join(gitDir, 'HEAD'), 'utf8')).trim()
    return /^ref: refs\/heads\/(.+)$/.exec(head)?.[1]
  } catch {
    return undefined
  }
}

/** Stages every change under `paths` (relative to toplevel) and commits exactly those paths; returns the commit. */
export async function commitPaths(toplevel: string, paths: readonly string[], message: string): Promise<string> {
  await gitOrThrow(toplevel, ['add', '-A', '--', ...paths])
  await gitOrThrow(toplevel, ['commit', '--quiet', '--no-verify', '-m', message, '--', ...paths])
  return (await gitOrThrow(toplevel, ['rev-parse', 'HEAD'])).trim()
}

/** Stages exactly these paths as they are now: modified, added or deleted (`git add -A -- paths`). */
export async function stagePaths(toplevel: string, paths: readonly string[]): Promise<void> {
  if (paths.length > 0) await gitOrThrow(toplevel, ['add', '-A', '--', ...paths])
}
