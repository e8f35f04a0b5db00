/**
 * `sbx push`: lock, preflight, verify, then the real `supabase db push`, then confirm.
 * The repository lock keeps renames out while deploying; the advisory lock on the target keeps a second
 * deploy from any machine out. Nothing reaches the database unless preflight and verify pass.
 */
import {ExternalError} from '../core/errors.js'
import {type Finding, findIssues} from '../core/findings.js'
import {redactSecrets} from '../core/redact.js'
import {acquirePushLock, describeSelf, releasePushLock} from '../shell/advisory-lock.js'
import {withLock} from '../shell/lock.js'
import {readMigrationFolder} from '../shell/migrations-dir.js'
import {currentActor} from '../shell/processes.js'
import {nonInteractiveArgs, openSupabase, runSupabase, targetArgs} from '../shell/supabase.js'
import {openWorkspace} from '../shell/workspace.js'
import {databaseHistory, readAppliedStatements} from './project-state.js'
import {openTarget, type TargetChoice} from './push-target.js'
import {type VerifyReport, verify} from './verify.js'

export interface PushOptions {
  workdir?: string
  target: TargetChoice
  dryRun: boolean
  includeAll: boolean
  verify: boolean
  lockTimeoutSeconds: number
  /** Progress for people: supabase's own lines and sbx's steps. */
  onProgress?: (line: string) => void
}

export interface PushReport {
  target: string
  status: 'pushed' | 'up-to-date' | 'dry-run' | 'refused'
  /** Files this push applied (or would apply, on a dry run). */
  applied: string[]
  alreadyApplied: number
  durationMs: number
  /** Why a push was refused: blocking findings, or the first failure of verify. */
  findings?: Finding[]
  verify?: VerifyReport
}

export async function push(options: PushOptions): Promise<PushReport> {
  const started = Date.now()
  const progress = options.onProgress ?? (() => undefined)
  const workspace = await openWorkspace({workdir: options.workdir})
  const cli = await openSupabase(workspace.workdir)
  const secretUrl = options.target.kind === 'url' ? options.target.url : undefined
  const lockOptions = {lockHome: workspace.lockHome, timeoutSeconds: options.lockTimeoutSeconds, command: 'sbx push'}

  return withLock(lockOptions, async () => {
    const target = await openTarget(options.target, workspace, cli)
    const report = (status: PushReport['status'], extra: Partial<PushReport> = {}): PushReport => ({
      target: target.label,
      status,
      applied: [],
      alreadyApplied: 0,
      durationMs: Date.now() - started,
      ...extra,
    })
    try {
      if (target.client) {
        const {user, host, pid} = currentActor('sbx push')
        await describeSelf(target.client, `sbx push ${user}@${host} pid ${pid}`)
        await acquirePushLock(target.client, {
          timeoutSeconds: options.lockTimeoutSeconds,
          onWait: (holder) => progress(`Waiting for the deploy lock on ${target.label}, held by ${holder}…`),
        })
      }
      const history = databaseHistory(await target.readHistory(), target.label)
      const folder = await readMigrationFolder(workspace.migrationsDir)
      const localStatements = await readAppliedStatements(workspace, folder, history)
      const state = {folder, history, localStatements}
      const blocking = findIssues(state).filter((f) => f.blocking && !(options.includeAll && f.kind === 'out-of-order'))
      const pending = state.folder.migrations.filter((m) => !history.applied.has(m.version)).map((m) => m.file)
      const alreadyApplied = state.folder.migrations.length - pending.length
      if (blocking.length > 0) return report('refused', {findings: blocking, alreadyApplied})
      if (pending.length === 0) return report('up-to-date', {alreadyApplied})

      if (options.verify) {
        progress('Verifying every migration on a fresh embedded database…')
        const verified = await verify({workdir: workspace.workdir})
        if (verified.failure) return report('refused', {verify: verified, alreadyApplied})
        for (const partly of verified.partlyVerified) {
          progress(
            `Verified only partly (the embedded database lacks ${partly.missingExtensions.join(', ')}): ${partly.file}`,
          )
        }
      }

      progress(
        `Pushing ${pending.length} migration${pending.length === 1 ? '' : 's'} to ${target.label} with supabase ${cli.version}…`,
      )
      const args = [
        'db',
        'push',
        ...targetArgs(cli, target.supabase),
        ...nonInteractiveArgs(cli),
        ...(options.includeAll ? ['--include-all'] : []),
        ...(options.dryRun ? ['--dry-run'] : []),
        '--workdir',
        workspace.workdir,
      ]
      const filter = (text: string) => redactSecrets(text, secretUrl)
      const result = await runSupabase(cli, args, {
        cwd: workspace.workdir,
        filter,
        onLine: (line) => line.trim() && progress(line),
      })
      if (result.exitCode !== 0) throw pushFailed(result.stdout, result.stderr)
      if (options.dryRun) return report('dry-run', {applied: pending, alreadyApplied})

      const after = databaseHistory(await target.readHistory())
      const missing = state.folder.migrations.filter((m) => !after.applied.has(m.version)).map((m) => m.file)
      if (missing.length > 0) {
        throw new ExternalError(
          `supabase db push finished, but ${target.label} lacks: ${missing.join(', ')}.`,
          'EPUSHINCOMPLETE',
        )
      }
      return report('pushed', {applied: pending, alreadyApplied})
    } finally {
      if (target.client) await releasePushLock(target.client)
      await target.close()
    }
  })
}

/** supabase's own words for a failed push: the file it was applying, the error and the statement. */
function pushFailed(stdout: string, stderr: string): ExternalError {
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim())
  const file = [...lines]
    .reverse()
    .find((l) => l.startsWith('Applying migration'))
    ?.replace(/^Applying migration\s+/, '')
    .replace(/\.\.\.$/, '')
  const error = lines.find((l) => l.startsWith('ERROR:')) ?? lines.filter(Boolean).at(-1) ?? 'no output'
  const statement = lines.find((l) => l.startsWith('At statement'))
  const where = file ? ` while applying ${file}` : ''
  return new ExternalError(
    `supabase db push failed${where}: ${error}${statement ? ` (${statement})` : ''}`,
    'EPUSHFAILED',
    ['Migrations before it are applied; nothing of the failing one is. Fix it and run sbx push again.'],
  )
}
