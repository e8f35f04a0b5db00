/** Exit codes shared by every command; documented in the README and in each command's --help. */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Findings: 3,
  LockTimeout: 4,
  External: 5,
  Drift: 6,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODES_HELP = `EXIT CODES
  0  success
  1  unexpected failure (a bug: please report it)
  2  usage error or bad input
  3  findings that block (check, push, verify)
  4  timed out waiting for a lock
  5  an outside tool or database failed
  6  done, but the target differs from its migrations (push: objects missing after the deploy)`

/**
 * A failure the user can act on. `code` is stable (for scripts reading --json); the exit code is derived
 * from the class so that one table decides every exit status.
 */
export class SbxError extends Error {
  readonly exitCode: ExitCode
  readonly code: string
  readonly suggestions: string[]

  constructor(message: string, options: {code: string; exitCode: ExitCode; suggestions?: string[]; cause?: unknown}) {
    super(message, {cause: options.cause})
    this.name = 'SbxError'
    this.code = options.code
    this.exitCode = options.exitCode
    this.suggestions = options.suggestions ?? []
  }
}

export class UsageError extends SbxError {
  constructor(message: string, code = 'EUSAGE', suggestions?: string[]) {
    super(message, {code, exitCode: ExitCode.Usage, suggestions})
  }
}

export class LockTimeoutError extends SbxError {
  constructor(message: string, suggestions?: string[]) {
    super(message, {code: 'ELOCKTIMEOUT', exitCode: ExitCode.LockTimeout, suggestions})
  }
}

export class ExternalError extends SbxError {
  constructor(message: string, code = 'EEXTERNAL', suggestions?: string[], cause?: unknown) {
    super(message, {code, exitCode: ExitCode.External, suggestions, cause})
  }
}

/** Error codes with which the file system refuses a write: the user can act on them (permissions, space). */
const REFUSED_WRITES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
}

/**
 * A Node file-system error the user can act on, as an SbxError naming the path (exit 5); anything else unchanged.
 * The path is the one the write was aimed at: for link(2) and rename(2) the destination.
 */
export function fileSystemRefusal(error: unknown): unknown {
  const e = error as NodeJS.ErrnoException & {dest?: string}
  const what = typeof e?.code === 'string' ? REFUSED_WRITES[e.code] : undefined
  if (!what || (e.dest === undefined && e.path === undefined)) return error
  const target = e.dest ?? e.path
  return new ExternalError(
    `Cannot write ${target}: ${what} (${e.code}).`,
    'EFILESYSTEM',
    [`Make ${target} writable for this user (or free space), then run the command again; nothing was changed.`],
    error,
  )
}

export type RegistryCondition = 'unreachable' | 'busy' | 'refused'

/** A registry failure (sbx.toml [registry]); `registry` names it without a password. */
export abstract class RegistryError extends SbxError {
  abstract readonly registry: string
  abstract readonly detail: string
  /** How messages describe it: the server did not answer, its lock stayed taken, or it answered with an error. */
  abstract readonly condition: RegistryCondition
  /** The same failure, with what the command at hand can do about it. */
  abstract withWayOut(wayOut: string): RegistryError
}

const DEFAULT_WAY_OUT = 'retry when it is reachable, or check [registry] url in supabase/sbx.toml (or SBX_REGISTRY_URL)'

/** The version registry cannot be reached or refused the request (exit 5, EREGISTRY). */
export class RegistryUnavailableError extends RegistryError {
  readonly condition = 'unreachable'
  constructor(
    readonly registry: string,
    readonly detail: string,
    wayOut = DEFAULT_WAY_OUT,
  ) {
    super(`Registry ${registry} is unreachable (${detail}): ${wayOut}.`, {
      code: 'EREGISTRY',
      exitCode: ExitCode.External,
    })
  }

  withWayOut(wayOut: string): RegistryUnavailableError {
    return new RegistryUnavailableError(this.registry, this.detail, wayOut)
  }
}

/**
 * The registry answered, with an error of its own (a missing privilege, a read-only server…): exit 5,
 * EREGISTRY, but never called "unreachable".
 */
export class RegistryRefusedError extends RegistryError {
  readonly condition = 'refused'
  constructor(
    readonly registry: string,
    readonly detail: string,
    wayOut = DEFAULT_WAY_OUT,
  ) {
    super(`Registry ${registry} refused the request (${detail}): ${wayOut}.`, {
      code: 'EREGISTRY',
      exitCode: ExitCode.External,
    })
  }

  withWayOut(wayOut: string): RegistryRefusedError {
    return new RegistryRefusedError(this.registry, this.detail, wayOut)
  }
}

/**
 * The registry answers, but its lock stayed taken for the whole `timeout` (another session holds it, or too
 * many writers race for it): exit 4 (a lock timed out), EREGISTRYBUSY.
 */
export class RegistryBusyError extends RegistryError {
  readonly condition = 'busy'
  constructor(
    readonly registry: string,
    readonly detail: string,
    wayOut = 'retry shortly, or raise [registry] timeout in supabase/sbx.toml',
  ) {
    super(`Registry ${registry} is busy (${detail}): ${wayOut}.`, {
      code: 'EREGISTRYBUSY',
      exitCode: ExitCode.LockTimeout,
    })
  }

  withWayOut(wayOut: string): RegistryBusyError {
    return new RegistryBusyError(this.registry, this.detail, wayOut)
  }
}
