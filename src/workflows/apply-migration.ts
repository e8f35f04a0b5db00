/**
 * What an agent's "apply this SQL" should be: `sbx migration new` with the SQL, then `sbx push` (verify, then
 * the real supabase db push) to the development database. The file and the history get the same version,
 * so there is nothing for `sbx sync` to reconcile later. On failure the file stays for the agent to fix.
 */
import path from 'node:path'
import {Readable} from 'node:stream'
import type {DatabaseTargetChoice} from '../shell/deploy/push-target.js'
import {type NewMigrationResult, newMigration} from './new-migration.js'
import {type PushReport, push} from './push.js'

export interface ApplyMigrationOptions {
  workdir?: string
  name: string
  sql: string
  target: DatabaseTargetChoice
  lockTimeoutSeconds: number
}

export interface ApplyMigrationReport {
  migration: NewMigrationResult
  /** `status: 'refused'` when verify or preflight failed: nothing was sent, the file stays. */
  push: PushReport
  /**
   * This call's own outcome, whatever other agents do at the same time: whether the target's history holds this
   * migration's version, and who applied it (`this-call`, or `another-push` whose snapshot included the file).
   */
  applied: boolean
  appliedBy?: 'this-call' | 'another-push'
}

/** Throws what newMigration throws (nothing created) and, once the file exists, `ApplyFailure`. */
export async function applyMigration(options: ApplyMigrationOptions): Promise<ApplyMigrationReport> {
  const migration = await newMigration({
    name: options.name,
    workdir: options.workdir,
    content: Readable.from([Buffer.from(options.sql)]),
    lockTimeoutSeconds: options.lockTimeoutSeconds,
  })
  try {
    const report = await push({
      workdir: options.workdir,
      target: options.target,
      dryRun: false,
      includeAll: false,
      verify: true,
      lockTimeoutSeconds: options.lockTimeoutSeconds,
      ownFile: path.basename(migration.path),
    })
    const own = report.own
    const applied = own?.applied === true
    return {
      migration,
      push: report,
      applied,
      ...(applied ? {appliedBy: own?.byThisPush ? ('this-call' as const) : ('another-push' as const)} : {}),
    }
  } catch (error) {
    throw new ApplyFailure(migration, error)
  }
}

/** A push that failed after the file was created: carries the file so the caller can say where it stays. */
export class ApplyFailure extends Error {
  constructor(
    readonly migration: NewMigrationResult,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'ApplyFailure'
  }
}
