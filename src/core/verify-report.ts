/** What `sbx verify` found: the shape of its --json output and of what push and render read. */
import type {SkippedEntry} from './migration-file.js'
import type {MissingObject} from './missing-object.js'

/** A Postgres error as reported to the client. */
export interface DatabaseErrorInfo {
  message: string
  /** SQLSTATE, e.g. 42P01. */
  code?: string
  detail?: string
  hint?: string
  /** 1-based character offset of the error in the statement, when Postgres gives one. */
  position?: number
}

export interface VerifyFailure {
  file: string
  version: string
  /** 0-based, the number supabase prints as "At statement: N"; equal to `statements` for the history insert. */
  statementIndex: number
  /** How many statements the file has. */
  statements: number
  statement: string
  /** How supabase runs the file: in transactions (split only around CONCURRENTLY…), or statement by statement. */
  transactionMode: 'transactional' | 'autocommit'
  /** Whether earlier statements of the file had committed: a real push leaves them applied, with no history row. */
  partial: boolean
  error: DatabaseErrorInfo
  /** The object the error says is missing. */
  missing?: MissingObject
  /** The statement that would create the missing object: later in this file, a later migration, or a skipped file. */
  createdBy?: {file: string; statementIndex: number; skippedBecause?: string}
  /** For a duplicate version: the earlier file that already recorded it. */
  duplicateOf?: string
}

export interface VerifyReport {
  ok: boolean
  /** Files supabase would run, in its order. */
  migrations: number
  /** Files applied before the failure (all of them when ok). */
  applied: number
  /** Statements of the applied files. */
  statements: number
  failure?: VerifyFailure
  /** Names supabase cannot read cleanly (not UTF-8, control characters): nothing was replayed. */
  unreadableNames?: SkippedEntry[]
  /** Entries of supabase/migrations that supabase skips, so verify did too. */
  skipped: SkippedEntry[]
  /** e.g. "PostgreSQL 18.6 (PGlite 0.5.14)"; absent when there was nothing to run. */
  database?: string
  elapsedMs: number
}
