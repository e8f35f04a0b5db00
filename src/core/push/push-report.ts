/** What `sbx push` did: the shape of its --json output. */

import {ExitCode} from '../errors.js'
import type {Finding} from '../migrations/findings.js'
import type {RiskViolation} from '../risk/risk-policy.js'
import type {DbObject} from '../sql/catalog.js'
import type {VerifyReport} from '../verify/verify-report.js'
import type {InterruptedFile} from './interrupted-push.js'

export interface PushReport {
  target: string
  status: 'pushed' | 'up-to-date' | 'dry-run' | 'refused' | 'drift'
  /** Files this push applied (or would apply, on a dry run). */
  applied: string[]
  alreadyApplied: number
  durationMs: number
  /** Why a push was refused: blocking findings, or the first failure of verify. */
  findings?: Finding[]
  verify?: VerifyReport
  /** The history rows of squashed migrations replaced by their squashed file's row (sbx squash), before supabase ran. */
  repair?: HistoryRepairReport
  /** Refused by [verify] risk = "error": statements that lock, rewrite or scan a large table on the target. */
  risk?: RiskViolation[]
  /** After the deploy (status drift): objects the replay of every migration leaves behind that the target lacks. */
  drift?: DbObject[]
  /**
   * Only when the caller named a file of its own (MCP apply_migration): whether the target's history holds its
   * version when this push returns, and whether this push is what applied it (else a concurrent push did).
   */
  own?: OwnOutcome
  /** Refused: files a killed push left partly committed (core/push/interrupted-push.ts); nothing was sent. */
  interrupted?: InterruptedFile[]
}

export interface OwnOutcome {
  file: string
  applied: boolean
  byThisPush: boolean
}

export interface HistoryRepairReport {
  /** Each squashed file whose row now stands for the versions it replaces. */
  rows: Array<{file: string; replaces: string[]}>
  /** True on a dry run: shown, not done. */
  dryRun: boolean
}

/** The exit code a finished push ends with (a failure that throws has its own): the oclif command's and the fast path's. */
export function pushExitCode(report: Pick<PushReport, 'status'>): ExitCode | undefined {
  if (report.status === 'refused') return ExitCode.Findings
  if (report.status === 'drift') return ExitCode.Drift
  return undefined
}
