import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {renderVerifyGithub} from '../render/github.js'
import {renderVerify} from '../render/verify.js'
import {type VerifyReport, verify} from '../workflows/verify.js'

export default class Verify extends BaseCommand {
  static override description =
    `Replays every migration in supabase/migrations, in the order and the way supabase db push runs them (same statement split, same transactions, same history rows), on a fresh embedded PostgreSQL (PGlite) holding the Supabase baseline: roles anon, authenticated and service_role; schemas auth, storage and extensions; auth.users, auth.uid(), auth.role(), auth.jwt(); pgcrypto, uuid-ossp, Supabase Vault and pg_graphql.

Extensions that migrations create are loaded on demand: PGlite's build of the real one (vector, citext, pg_trgm…), or a stand-in with the real one's objects and signatures whose calls do nothing (pg_net, http, pg_cron, pgsodium, pg_graphql, pgjwt, pg_jsonschema). An extension Supabase offers that neither covers (postgis, pgroonga…) is skipped with the statements that need it: verify warns, names the migrations verified only partly, and passes. One Supabase does not offer fails, as it does there.

On failure it reports the file, the statement (0-based, the number supabase prints as "At statement: N"), the Postgres error and, when the error is an object that does not exist yet, the later migration that creates it. Nothing outside a throwaway copy of the baseline is touched.

PGlite embeds PostgreSQL 18 while Supabase projects run 15 or 17: syntax new in 18 passes here and fails there.

The baseline is built once per machine (about 5 s) under $SBX_CACHE_DIR, else $XDG_CACHE_HOME/sbx or ~/.cache/sbx; later runs copy it.

Exits ${ExitCode.Findings} when a migration fails, so it can gate CI.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Replay the current project.'},
    {
      command: '<%= config.bin %> <%= command.id %> --json | jq .failure',
      description: 'Machine-readable: {file, statementIndex, statement, error: {message, code}, createdBy}.',
    },
  ]

  static override flags = {
    format: Flags.string({
      default: 'text',
      options: ['text', 'github'],
      summary: 'text, or github: a workflow annotation on the failing migration.',
    }),
  }

  static override summary = 'Replay all migrations on a fresh embedded database and report the first failure.'

  async run(): Promise<VerifyReport> {
    const {flags} = await this.parse(Verify)
    const report = await verify({
      workdir: flags.workdir,
      onBaselineBuild: () =>
        this.logToStderr('Building the embedded database baseline (first run on this machine, about 5 s)…'),
    })
    this.log(flags.format === 'github' && !this.jsonEnabled() ? renderVerifyGithub(report) : renderVerify(report))
    if (!report.ok) process.exitCode = ExitCode.Findings
    return report
  }
}
