/**
 * push's stages that need the replay: "verify" before anything is sent (the snapshot replayed, the risk of what
 * this push sends sized on the target) and the drift check after the deploy. A module of its own so that
 * `push --no-verify` never loads the replay, risk and catalog modules: it loads 59 modules where it loaded 73
 * (measured, with the pure constants it shared with the replay moved to core/).
 */
import type {SbxConfig} from '../../core/config.js'
import type {MigrationFolder} from '../../core/migrations/migration-file.js'
import type {PushReport} from '../../core/push/push-report.js'
import {assessMigration, relationsOf} from '../../core/risk/risk.js'
import {parseSize, type RiskViolation, riskViolations} from '../../core/risk/risk-policy.js'
import {catalogOf, type DbObject, missingObjects, sortObjects, toObject} from '../../core/sql/catalog.js'
import {DEFAULT_VERIFY_SETTINGS, type VerifySettings} from '../../core/verify/verify-config.js'
import {riskLines} from '../../render/risk.js'
import type {Snapshot} from '../../shell/deploy/push-snapshot.js'
import type {PushTarget} from '../../shell/deploy/push-target.js'
import type {Workspace} from '../../shell/project/workspace.js'
import type {PushOptions} from '../push.js'
import {objectsLeftBehind, trackCatalog} from './catalog-tracker.js'
import {type RiskTracer, traceRisk} from './risk-tracer.js'

export interface VerifiedPush {
  /** After the deploy: what the replay of every migration leaves behind that the target lacks. */
  drift(): Promise<DbObject[]>
}

/**
 * Stage "verify": the snapshot as opened here, replayed; advisor and lint findings block only on what this push
 * sends. What refuses the push, or how to check the target for drift once it is deployed.
 */
export async function verifyStage(stage: {
  options: PushOptions
  workspace: Workspace
  snapshot: Snapshot
  target: PushTarget
  folder: MigrationFolder
  config: SbxConfig
  pending: string[]
  progress: (line: string) => void
}): Promise<{refusal: Pick<PushReport, 'verify' | 'risk'>} | VerifiedPush> {
  const {options, snapshot, folder, config, pending, progress, target} = stage
  progress('Verifying every migration on a fresh embedded database…')
  const tracker = trackCatalog()
  const risk = config.verify?.risk
  // "report" prints only what comes out high; "error" also refuses AccessExclusiveLock on a large table: every lock.
  const tracer = risk === 'off' ? undefined : traceRisk(risk === 'error' ? {} : {highOnly: true})
  // Loaded only to verify: its graph (the embedded database, advisors, lint) is ~130 ms of start-up (measured).
  const {verify} = await import('../verify.js')
  const verified = await verify({
    project: {workdir: snapshot.workdir, migrationsDir: snapshot.migrationsDir, folder, config},
    unapplied: new Set(pending),
    shadowUrl: options.shadowUrl,
    observer: tracker,
    tracer,
    cacheFrom: stage.workspace.workdir,
    ...(options.cache === false ? {cache: false} : {}),
  })
  if (!verified.ok) return {refusal: {verify: verified}}
  if (tracer) {
    const settings = config.verify ?? DEFAULT_VERIFY_SETTINGS
    const refusals = await riskRefusals(tracer, target, pending, settings, progress)
    if (refusals.length > 0) return {refusal: {risk: refusals}}
  }
  for (const partly of verified.partlyVerified) {
    progress(
      `Verified only partly (the embedded database lacks ${partly.missingExtensions.join(', ')}): ${partly.file}`,
    )
  }
  return {
    async drift() {
      if (!target.readCatalog) return []
      // Post-deploy check: every object the replay of all migrations leaves behind must exist on the target.
      const missing = missingObjects(objectsLeftBehind(tracker), catalogOf(await target.readCatalog()))
      return sortObjects(missing.map(toObject))
    },
  }
}

/**
 * Prints the high-risk lines of what this push sends and, with [verify] risk = "error", returns what holds
 * AccessExclusiveLock on, rewrites or scans a table larger than [verify] large_table on the target.
 */
async function riskRefusals(
  tracer: RiskTracer,
  target: PushTarget,
  pending: readonly string[],
  settings: VerifySettings,
  progress: (line: string) => void,
): Promise<RiskViolation[]> {
  const traced = pending.flatMap((file) => {
    const trace = tracer.traces.get(file)
    return trace ? [{file, trace}] : []
  })
  const relations = relationsOf(traced.map((t) => t.trace))
  const stats = target.readTableStats && relations.length > 0 ? await target.readTableStats(relations) : undefined
  const threshold = parseSize(settings.large_table) as number
  const refusals: RiskViolation[] = []
  for (const {file, trace} of traced) {
    const risk = assessMigration(trace, stats ?? (target.readTableStats ? new Map() : undefined))
    if (risk.level === 'high') for (const line of riskLines(risk, '  ')) progress(`${file}${line}`)
    if (settings.risk === 'error') refusals.push(...riskViolations(file, trace.statements, risk, stats, threshold))
  }
  return refusals
}
