import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode, UsageError} from '../core/errors.js'
import {pushExitCode} from '../core/push/push-report.js'
import {cacheFlag, lockTimeoutFlag, shadowUrlFlag} from '../flags.js'
import {renderPush} from '../render/push.js'
import {type PushReport, push, type TargetChoice} from '../workflows/push.js'

export default class Push extends BaseCommand {
  static override description = `Deploys local migrations through the real supabase CLI, safely:
  1. snapshots the migrations under the repository lock (milliseconds), so migration new, fix and watch go on while it deploys;
  2. a child process (the deploy guardian) takes a Postgres advisory lock on the target and keeps it until supabase has exited, even if sbx is killed; a second sbx push from any machine waits, saying who holds it;
  3. preflight against the target's history: duplicate versions, names supabase would skip or cannot read, out-of-order files (refused unless --include-all), applied versions with no local file, applied files edited since — any of these exits ${ExitCode.Findings} with nothing sent;
  4. replays every migration on a fresh embedded database (sbx verify) unless --no-verify, tracing each statement's locks and rewrites: high-risk migrations are printed, and with [verify] risk = "error" one that holds AccessExclusiveLock on, rewrites or scans a table larger than [verify] large_table on the target is refused (exit ${ExitCode.Findings}, nothing sent);
  5. runs supabase db push (non-interactive: --yes, --agent=no, text output), streaming its progress; on failure, supabase's own error lines and what the target holds now;
  6. confirms every local version is now in the target's history;
  7. unless --no-verify, checks that every table, column, function, policy, trigger, index and view the replay of all migrations leaves behind (not the baseline's or extensions' own) exists on the target: what is missing is drift, exit ${ExitCode.Drift} (--json status drift), though the deploy happened.

--lock-timeout bounds the whole wait (repository lock, then deploy lock).

Target: --db-url URL (or $SUPABASE_DB_URL), --linked for supabase's linked project, else the embedded database: PGlite persisted in supabase/.temp/sbx/db with the Supabase baseline (roles, auth, storage, extensions), served on a loopback port while the command runs. A password in a URL never appears in sbx's output.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Deploy to the embedded local database (no Docker needed).',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL"',
      description: 'Deploy to a Postgres database.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --linked --dry-run',
      description: "Show what would be pushed to supabase's linked project.",
    },
  ]

  static override flags = {
    'db-url': Flags.string({
      env: 'SUPABASE_DB_URL',
      exclusive: ['linked'],
      helpValue: 'URL',
      summary: 'Postgres URL to deploy to (default: $SUPABASE_DB_URL; without it and --linked: the embedded database).',
    }),
    'dry-run': Flags.boolean({summary: 'Run every check and show what supabase would push, changing nothing.'}),
    'include-all': Flags.boolean({summary: 'Also apply unapplied files that sort before the newest applied one.'}),
    linked: Flags.boolean({summary: "Deploy to supabase's linked project (supabase link)."}),
    cache: cacheFlag,
    'lock-timeout': lockTimeoutFlag,
    'shadow-url': shadowUrlFlag,
    verify: Flags.boolean({
      allowNo: true,
      default: true,
      summary: 'Replay every migration on a fresh embedded database first.',
    }),
  }

  static override summary = 'Deploy migrations with locks, preflight checks and verification.'

  async run(): Promise<PushReport> {
    const {flags} = await this.parse(Push)
    // The same URL may come from the flag or from $SUPABASE_DB_URL; advice repeats whichever the user gave.
    const fromFlag = this.argv.some((arg) => arg === '--db-url' || arg.startsWith('--db-url='))
    const target: TargetChoice = flags['db-url']
      ? {kind: 'url', url: flags['db-url'], ...(fromFlag ? {} : {env: 'SUPABASE_DB_URL'})}
      : flags.linked
        ? {kind: 'linked'}
        : {kind: 'embedded'}
    if (flags['db-url'] === '') throw new UsageError('--db-url is empty: pass a postgresql:// URL.')
    const report = await push({
      workdir: flags.workdir,
      target,
      dryRun: flags['dry-run'],
      includeAll: flags['include-all'],
      verify: flags.verify,
      cache: flags.cache,
      shadowUrl: flags['shadow-url'],
      lockTimeoutSeconds: flags['lock-timeout'],
      onProgress: this.jsonEnabled() ? undefined : (line) => this.progress(line),
    })
    this.log(renderPush(report))
    process.exitCode = pushExitCode(report) ?? process.exitCode
    return report
  }
}
