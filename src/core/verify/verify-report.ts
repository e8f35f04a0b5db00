/** What `sbx verify` found: the shape of its --json output and of what push and render read. */

import type {ExtensionUse} from '../extensions/extension-plan.js'
import type {SkippedEntry} from '../migrations/migration-file.js'
import type {MigrationRisk} from '../risk/risk.js'
import type {AdvisorsReport} from './advisors.js'
import type {LintReport} from './lint.js'
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
  createdBy?: {
    file: string
    statementIndex: number
    skippedBecause?: string
    /** The creating statement was itself skipped on the embedded database, for these missing extensions. */
    skippedFor?: string[]
  }
  /** For a duplicate version: the earlier file that already recorded it. */
  duplicateOf?: string
  /** When the failing statement creates an extension that Supabase does not offer either. */
  unknownExtension?: string
  /** The statement ran longer than [verify] statement_timeout and was stopped (error.code 57014). */
  timedOut?: {elapsedMs: number; limitMs: number}
  /** The statement uses syntax newer than the project's major (core/embedded/postgres-major.ts), refused as its server would. */
  newerSyntax?: {feature: string; major: number}
}

/** Where the replay ran, against the project's `[db] major_version`. */
export interface ReplayDatabaseInfo {
  /** e.g. "PostgreSQL 17.5 (PGlite 0.4.6)". */
  version: string
  /** The major the replay ran on. */
  major: number
  /** `[db] major_version` of supabase/config.toml (supabase's default 17 when absent). */
  projectMajor: number
  /** Whether the replay ran on the project's own major. */
  exact: boolean
  /** The functions and aggregates the project's major lacks were removed from the replay's catalog. */
  emulated: boolean
  /** What a replay on `major` cannot catch for a project on `projectMajor` (empty when exact). */
  gap: string[]
}

/** A migration replayed without some of its statements, because they need an extension the embedded database lacks. */
export interface PartlyVerified {
  file: string
  /** The missing extensions its skipped statements are taken to need. */
  missingExtensions: string[]
  /** Skipped statements (0-based): the extension's CREATE (no error), or those failing for an object it would provide. */
  skipped: Array<{
    statementIndex: number
    error?: DatabaseErrorInfo
    /** The missing extensions it needs. */
    needs: string[]
    /** The object a statement skipped before would have created, which this one uses (`set_vt_batch`). */
    through?: string
  }>
}

export type FileRisk = {file: string} & MigrationRisk

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
  /** The database the replay ran on and the project's major; absent when there was nothing to run. */
  database?: ReplayDatabaseInfo
  /** Extensions the migrations create or call: loaded (the real one), stand-in, missing, or unknown. */
  extensions: ExtensionUse[]
  /** Migrations verified only partly (statements needing a missing extension skipped); verify still passes. */
  partlyVerified: PartlyVerified[]
  /** Supabase's security advisors on the replayed database, each finding attributed to its migration. */
  advisors?: AdvisorsReport
  /** The lock-safety lint (squawk) of the files the target has not applied. */
  lint?: LintReport
  /** With --shadow-url: the throwaway database on a real server where the replay and the advisors ran (dropped since). */
  shadow?: {server: string; database: string; removedAbandoned: string[]}
  /** Migrations whose replay trace is high risk (rewrites, whole-table scans); absent when none, or with [verify] risk = "off". */
  risk?: FileRisk[]
  /** Advisor or lint findings block: `ok` is then false although the replay passed. */
  blocked?: boolean
  /**
   * Files whose replay the database started from (the replay cache: the state after them, and what the report
   * needs about them, from an earlier run of the same files); absent when every file was replayed.
   */
  cached?: number
  elapsedMs: number
}
