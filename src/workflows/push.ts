/**
 * `sbx push`: snapshot, lock, preflight, verify, then the real `supabase db push`, then confirm.
 *
 * The repository lock is held only while the migrations are copied into a snapshot (milliseconds), so
 * `migration new`, `fix` and `watch` go on during a long deploy; they leave the snapshotted files where they are.
 * Verify and supabase work on the snapshot. The deploy lock on the target is held by the deploy guardian, a
 * child process that keeps it until supabase has exited even if sbx is killed. Nothing reaches the database
 * unless preflight and verify pass. `--lock-timeout` bounds the whole wait: repository lock, then deploy lock.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import {assertDatabaseUrl} from '../core/database-url.js'
import {ExternalError} from '../core/errors.js'
import {withIntendedSkips} from '../core/migrations/check-config.js'
import {findIssues} from '../core/migrations/findings.js'
import type {AppliedMigration, History} from '../core/migrations/history.js'
import {type MigrationFolder, parseMigrationFile} from '../core/migrations/migration-file.js'
import {redactSecrets} from '../core/output/redact.js'
import {type InterruptedFile, judgeInterruptedPushes} from '../core/push/interrupted-push.js'
import {explainPushFailure, pushFailureMessage} from '../core/push/push-failure.js'
import type {OwnOutcome, PushReport} from '../core/push/push-report.js'
import {configRefusal, configRefused} from '../core/push/supabase-refusal.js'
import {migrationStatements} from '../core/sql/sql-statements.js'
import {mayRunInAutocommit, planReplay} from '../core/verify/replay-plan.js'
import {violationLine} from '../render/risk.js'
import {
  addAppliedFiles,
  addPinnedPid,
  removeSnapshot,
  type Snapshot,
  takeSnapshot,
} from '../shell/deploy/push-snapshot.js'
import {openTarget, type PushTarget, type TargetChoice, targetLabel} from '../shell/deploy/push-target.js'
import {loadConfig} from '../shell/project/config-file.js'
import {withLock} from '../shell/project/lock.js'
import {readMigrationFolder, readTextsNow} from '../shell/project/migrations-dir.js'
import {currentActor} from '../shell/project/processes.js'
import {openWorkspace, type Workspace} from '../shell/project/workspace.js'
import {nonInteractiveArgs, openSupabase, type SupabaseCli, targetArgs} from '../shell/supabase/supabase.js'
import {notify, projectName} from './steps/notify.js'
import {databaseHistory, readAppliedStatements, targetOrigin} from './steps/project-state.js'
import type {VerifiedPush} from './steps/push-verify.js'
import {markPushedApplied, registryPushWarnings} from './steps/registry-push.js'
import {finishInterruptedSquash} from './steps/squash-finish.js'
import {repairSquashedHistory} from './steps/squash-repair.js'

export type {PushReport} from '../core/push/push-report.js'
export type {TargetChoice} from '../shell/deploy/push-target.js'

export interface PushOptions {
  workdir?: string
  target: TargetChoice
  dryRun: boolean
  includeAll: boolean
  verify: boolean
  /** false (`--no-cache`): the verify before the push replays every file, without the replay cache. */
  cache?: boolean
  lockTimeoutSeconds: number
  /** Verify on a throwaway database of this server (else [verify] shadow_url, else the embedded database). */
  shadowUrl?: string
  /** Progress for people: supabase's own lines and sbx's steps. */
  onProgress?: (line: string) => void
  /** A file the caller created for this push: the report's `own` says whether it ends up applied, and by whom. */
  ownFile?: string
}

const COMMAND = 'sbx push'

export async function push(options: PushOptions): Promise<PushReport> {
  const started = Date.now()
  const deadline = started + options.lockTimeoutSeconds * 1000
  const remainingMs = () => Math.max(0, deadline - Date.now())
  const progress = options.onProgress ?? (() => undefined)
  if (options.target.kind === 'url') assertDatabaseUrl(options.target.url, options.target.env ?? '--db-url')
  const workspace = await openWorkspace({workdir: options.workdir})
  const cli = await openSupabase(workspace.workdir)
  const {user, host, pid} = currentActor(COMMAND)
  // The deploy guardian starts (a Node process, a connection, the deploy lock) while the snapshot is taken: the
  // repository lock is held only for the copy and never waits for the deploy lock, so no two pushes deadlock.
  const opening = openTarget(options.target, workspace, cli, {
    lockTimeoutMs: remainingMs(),
    description: `sbx push ${user}@${host} pid ${pid}`,
    onWait: (holder) => progress(`Waiting for the deploy lock on ${targetLabel(options.target)}, held by ${holder}…`),
  })
  const [snapshotting, targeting] = await Promise.allSettled([
    withLock({lockHome: workspace.lockHome, timeoutSeconds: remainingMs() / 1000, command: COMMAND}, async () => {
      // A squash killed halfway is finished before its folder is deployed.
      await finishInterruptedSquash(workspace)
      return takeSnapshot(workspace)
    }),
    opening,
  ])
  if (snapshotting.status === 'rejected' || targeting.status === 'rejected') {
    if (snapshotting.status === 'fulfilled') await removeSnapshot(snapshotting.value)
    if (targeting.status === 'fulfilled') await targeting.value.close()
    throw snapshotting.status === 'rejected' ? snapshotting.reason : (targeting as PromiseRejectedResult).reason
  }
  const snapshot = snapshotting.value
  const target = targeting.value
  try {
    if (target.guardianPid) await addPinnedPid(snapshot, target.guardianPid)
    const report = await deploy({options, cli, workspace, snapshot, target, started, progress})
    await alert(workspace.workdir, report, options)
    return report
  } finally {
    await releaseDeploy(target, snapshot)
  }
}

/** The deploy lock and the snapshot: the guardian's exit and the snapshot's unlinks (~15 ms each, measured) overlap. */
async function releaseDeploy(target: PushTarget, snapshot: Snapshot): Promise<void> {
  const [closed, removed] = await Promise.allSettled([target.close(), removeSnapshot(snapshot)])
  if (closed.status === 'rejected') throw closed.reason
  if (removed.status === 'rejected') throw removed.reason
}

interface DeployContext {
  options: PushOptions
  workspace: Workspace
  cli: SupabaseCli
  snapshot: Snapshot
  target: PushTarget
  started: number
  progress: (line: string) => void
}

async function deploy({
  options,
  cli,
  workspace,
  snapshot,
  target,
  started,
  progress,
}: DeployContext): Promise<PushReport> {
  const report = (status: PushReport['status'], extra: Partial<PushReport> = {}): PushReport => ({
    target: target.label,
    status,
    applied: [],
    alreadyApplied: 0,
    durationMs: Date.now() - started,
    ...(repair ? {repair} : {}),
    ...extra,
    ...(options.ownFile ? {own: ownOutcome(options.ownFile, status, extra.applied ?? [], history)} : {}),
  })
  const applied = await target.readHistory()
  // sbx.toml is read once, from the project (not the snapshot), for preflight and verify alike.
  const config = await loadConfig(workspace.workdir)
  const folder = await snapshotFolder(snapshot, workspace, config.check?.ignore ?? [], applied, progress)
  // Stage "repair squashed history" (sbx squash): under the deploy lock, before anything is judged or sent.
  const toHistory = (rows: AppliedMigration[]) => databaseHistory(rows, targetOrigin(options.target))
  const {history, repair} = await repairSquashedHistory({
    workdir: workspace.workdir,
    migrationsDir: snapshot.migrationsDir,
    folder,
    history: toHistory(applied),
    target,
    dryRun: options.dryRun,
    toHistory,
    onProgress: progress,
  })
  const localStatements = await readAppliedStatements({migrationsDir: snapshot.migrationsDir}, folder, history)
  const blocking = findIssues({folder, history, localStatements}).filter(
    (f) => f.blocking && !(options.includeAll && f.kind === 'out-of-order'),
  )
  const pending = folder.migrations.filter((m) => !history.applied.has(m.version)).map((m) => m.file)
  const alreadyApplied = folder.migrations.length - pending.length
  if (blocking.length > 0) return report('refused', {findings: blocking, alreadyApplied})
  // Read and hashed once, whether an earlier run's journal entry or this run's needs them.
  let hashing: Promise<Map<string, string>> | undefined
  const pendingHashes = () => {
    hashing ??= fileHashes(snapshot, pending)
    return hashing
  }
  const interrupted = await interruptedFiles(target, history, pendingHashes, options.dryRun)
  if (interrupted.length > 0) return report('refused', {interrupted, alreadyApplied})
  if (pending.length === 0) return report(options.dryRun && repair ? 'dry-run' : 'up-to-date', {alreadyApplied})
  const toPush = folder.migrations.filter((m) => !history.applied.has(m.version))
  for (const line of await registryPushWarnings(workspace, folder.migrations, toPush)) progress(line)

  let verified: VerifiedPush | undefined
  if (options.verify) {
    // Loaded only to verify: the replay, risk and catalog modules are a third of push's start-up graph.
    const {verifyStage} = await import('./steps/push-verify.js')
    const stage = await verifyStage({options, workspace, snapshot, target, folder, config, pending, progress})
    if ('refusal' in stage) return report('refused', {...stage.refusal, alreadyApplied})
    verified = stage
  }

  // supabase would see the unrepaired history and refuse: a dry run that would repair stops here.
  if (options.dryRun && repair) return report('dry-run', {applied: pending, alreadyApplied})
  progress(`Pushing ${plural(pending.length)} to ${target.label} with supabase ${cli.version}…`)
  const args = [
    'db',
    'push',
    ...targetArgs(cli, target.supabase),
    ...nonInteractiveArgs(cli),
    ...(options.includeAll ? ['--include-all'] : []),
    ...(options.dryRun ? ['--dry-run'] : []),
    '--workdir',
    snapshot.workdir,
  ]
  const secretUrl = options.target.kind === 'url' ? options.target.url : undefined
  const filter = (text: string) => redactSecrets(text, secretUrl)
  const run = options.dryRun ? undefined : await journalRun(target, snapshot, pending, pendingHashes)
  const result = await target.runSupabase(cli, args, {
    cwd: snapshot.workdir,
    filter,
    onLine: (line) => line.trim() && progress(line),
  })
  if (result.exitCode !== 0) throw await pushFailed({cli, target, snapshot, pending, run, output: result})
  if (options.dryRun) return report('dry-run', {applied: pending, alreadyApplied})
  // Every file is applied: nothing of this run can be left half-done. (Kept on a failure or a kill: the next push judges.)
  if (run) await target.journal?.remove([run])

  const after = new Set((await target.readHistory()).map((a) => a.version))
  const missing = folder.migrations.filter((m) => !after.has(m.version)).map((m) => m.file)
  if (missing.length > 0) {
    throw new ExternalError(
      `supabase db push finished, but ${target.label} lacks: ${missing.join(', ')}.`,
      'EPUSHINCOMPLETE',
    )
  }
  // The embedded database is this machine's own: only shared targets make versions applied for the team.
  const registryNote = options.target.kind === 'embedded' ? undefined : await markPushedApplied(workspace, toPush)
  if (registryNote) progress(registryNote)
  const drift = (await verified?.drift()) ?? []
  if (drift.length > 0) return report('drift', {applied: pending, alreadyApplied, drift})
  return report('pushed', {applied: pending, alreadyApplied})
}

/**
 * The snapshot's folder, completed under the deploy lock: files another push applied between this push's snapshot
 * and its deploy lock (their versions are in the history, their files were created after the snapshot) are copied
 * in from the project's folder. Without them, preflight would refuse remote versions "missing locally" that are
 * there, and an agent told "Nothing was applied" about a migration that was would apply it again.
 */
async function snapshotFolder(
  snapshot: Snapshot,
  workspace: Workspace,
  ignore: readonly string[],
  applied: readonly AppliedMigration[],
  progress: (line: string) => void,
): Promise<MigrationFolder> {
  const read = await readMigrationFolder(snapshot.migrationsDir)
  const local = new Set(read.migrations.map((m) => m.version))
  const arrived = await addAppliedFiles(
    snapshot,
    workspace,
    new Set(applied.map((a) => a.version).filter((v) => !local.has(v))),
  )
  if (arrived.length === 0) return withIntendedSkips(read, ignore)
  progress(`Applied meanwhile by another push, added to this push's snapshot: ${arrived.join(', ')}`)
  return withIntendedSkips(await readMigrationFolder(snapshot.migrationsDir), ignore)
}

/**
 * The error for a supabase that exited non-zero, with the target's state read back. The run's journal entry is
 * kept only when the failing file commits its own transactions (the next push must not repeat what it committed).
 */
async function pushFailed(context: {
  cli: SupabaseCli
  target: PushTarget
  snapshot: Snapshot
  pending: readonly string[]
  run: string | undefined
  output: {stdout: string; stderr: string}
}): Promise<Error> {
  const {cli, target, snapshot, pending, run} = context
  const output = `${context.output.stderr}\n${context.output.stdout}`
  const autocommit = autocommitFiles(snapshot, pending)
  // supabase refused config.toml before connecting: nothing was applied, and it is the project's input at fault.
  const refusal = configRefusal(output)
  if (refusal) {
    if (run) await target.journal?.remove([run])
    return configRefused(cli, refusal, true)
  }
  const after = await target.readHistory().catch(() => undefined)
  const appliedAfter = after && pending.filter((file) => after.some((a) => file.startsWith(`${a.version}_`)))
  const failure = explainPushFailure({output, pending, appliedAfter, autocommit, supabaseMajor: cli.major})
  if (run && !(failure.file && autocommit.has(failure.file))) await target.journal?.remove([run]).catch(() => undefined)
  return new ExternalError(pushFailureMessage(failure), 'EPUSHFAILED', failure.suggestions)
}

/**
 * Files a killed (or failed) earlier push left partly committed and that are still pending unchanged
 * (core/push/interrupted-push.ts); entries with nothing left to fear are deleted (not on a dry run).
 */
async function interruptedFiles(
  target: PushTarget,
  history: History,
  pendingHashes: () => Promise<Map<string, string>>,
  dryRun: boolean,
): Promise<InterruptedFile[]> {
  if (!target.journal) return []
  const entries = await target.journal.read()
  if (entries.length === 0) return []
  const {interrupted, resolved} = judgeInterruptedPushes({
    entries,
    applied: new Set(history.applied.keys()),
    pending: await pendingHashes(),
  })
  if (!dryRun) await target.journal.remove(resolved)
  return interrupted
}

/**
 * Records, committed before supabase starts, what this push sends: the run's id. Only when a pending file manages
 * its own transactions: any other file is one transaction with its history row and cannot be left partly
 * committed, so an entry of such files is always resolved (core/push/interrupted-push.ts). Measured: writing it
 * cost 70-100 ms of a 200-file push to a fresh database (creating the journal table).
 */
async function journalRun(
  target: PushTarget,
  snapshot: Snapshot,
  pending: readonly string[],
  pendingHashes: () => Promise<Map<string, string>>,
): Promise<string | undefined> {
  if (!target.journal) return undefined
  const autocommit = autocommitFiles(snapshot, pending)
  if (autocommit.size === 0) return undefined
  const run = `${snapshot.id}-${Date.now()}`
  const hashes = await pendingHashes()
  const {user, host, pid} = currentActor(COMMAND)
  await target.journal.write({
    run,
    files: [...pending],
    autocommit: [...autocommit],
    sha256: pending.map((file) => hashes.get(file) ?? ''),
    startedBy: `${user}@${host} pid ${pid}`,
  })
  return run
}

async function fileHashes(snapshot: Snapshot, files: readonly string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    files.map(async (file) => {
      const bytes = await fs.readFile(path.join(snapshot.migrationsDir, file))
      return [file, createHash('sha256').update(bytes).digest('hex')] as const
    }),
  )
  return new Map(entries)
}

/** Whether the caller's own file is applied when the push returns, and whether this push applied it. */
function ownOutcome(
  file: string,
  status: PushReport['status'],
  sent: readonly string[],
  history: History | undefined,
): OwnOutcome {
  const version = parseMigrationFile(file)?.version
  const byThisPush = (status === 'pushed' || status === 'drift') && sent.includes(file)
  return {file, applied: byThisPush || (version !== undefined && history?.applied.has(version) === true), byThisPush}
}

/** Refused pushes and drift are told to [notify]; the URL's password never goes into an event. */
async function alert(workdir: string, report: PushReport, options: PushOptions): Promise<void> {
  const secretUrls = options.target.kind === 'url' ? [options.target.url] : []
  const project = projectName(workdir)
  if (report.status === 'refused') {
    const why = report.verify?.failure
      ? [`${report.verify.failure.file} fails to replay: ${report.verify.failure.error.message}`]
      : report.risk
        ? report.risk.map(violationLine)
        : report.interrupted
          ? report.interrupted.map((f) => `${f.pending} was left partly committed by a push that stopped`)
          : (report.findings ?? []).map((f) => ('file' in f ? `${f.kind} ${f.file}` : f.kind))
    await notify(workdir, [{event: 'push-refused', target: report.target, project, why}], {secretUrls})
  }
  if (report.status === 'drift') {
    const missing = (report.drift ?? []).map((o) => `${o.kind} ${o.qualified}`)
    await notify(workdir, [{event: 'drift', target: report.target, project, missing}], {secretUrls})
  }
}

/** Pending files that manage their own transactions: a failure in them leaves earlier statements committed. */
function autocommitFiles(snapshot: Snapshot, pending: readonly string[]): Set<string> {
  const texts = readTextsNow(pending.map((file) => `${snapshot.migrationsDir}/${file}`))
  const files = new Set<string>()
  for (const [index, text] of texts.entries()) {
    if (text === undefined || !mayRunInAutocommit(text)) continue
    if (planReplay(migrationStatements(text)).mode === 'autocommit') files.add(pending[index] as string)
  }
  return files
}

function plural(n: number): string {
  return `${n} migration${n === 1 ? '' : 's'}`
}
