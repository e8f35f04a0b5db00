import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {advisorsFlag, cacheFlag, lintLevelFlag, shadowUrlFlag} from '../flags.js'
import {renderVerifyGithub} from '../render/github.js'
import {renderVerify} from '../render/verify.js'
import {type VerifyReport, verify} from '../workflows/verify.js'

export default class Verify extends BaseCommand {
  static override description =
    `Replays every migration in supabase/migrations, in the order and the way supabase db push runs them (same statement split, same transactions, same history rows), on a fresh embedded PostgreSQL (PGlite) holding the Supabase baseline: roles anon, authenticated and service_role; schemas auth, storage and extensions; auth.users, auth.uid(), auth.role(), auth.jwt(); pgcrypto, uuid-ossp, Supabase Vault and pg_graphql.

Extensions that migrations create are loaded on demand: PGlite's build of the real one (vector, citext, pg_trgm…), or a stand-in with the real one's objects and signatures whose calls do nothing (pg_net, http, pg_cron, pgsodium, pg_graphql, pgjwt, pg_jsonschema). An extension Supabase offers that neither covers (postgis, pgroonga…) is skipped with the statements that need it: verify warns, names the migrations verified only partly, and passes. One Supabase does not offer fails, as it does there.

On failure it reports the file, the statement (0-based, the number supabase prints as "At statement: N"), the Postgres error and, when the error is an object that does not exist yet, the later migration that creates it. Nothing outside a throwaway copy of the baseline is touched.

After a successful replay, the real supabase db advisors (Supabase's security lints: RLS disabled on an exposed table, SECURITY DEFINER view, function with a mutable search_path…) run on the replayed database, and each finding names the migration that created its object. squawk lints every file for lock safety (an index built without CONCURRENTLY, a NOT NULL column without default…), each statement judged in the transaction supabase runs it in. Both report only by default; [verify] advisors and [lint] level in supabase/sbx.toml (or --advisors, --lint) make them block. With --against REF, ERROR advisor findings on objects this branch's migrations create block.

With --shadow-url URL (or [verify] shadow_url) the replay and the advisors run instead on a throwaway database sbx_shadow_<random> created on that server with the same baseline, and dropped afterwards, also on failure, SIGINT or SIGTERM; a run killed with SIGKILL leaves it to the next run, which drops every shadow no live run holds (each run holds an advisory lock for its own). The user needs CREATEDB (else exit 5).

The replay runs on the PostgreSQL major of [db] major_version in supabase/config.toml: PGlite's 17 line for 17, its 18 line for 18. For 15 (and 16), which PGlite has no usable build of, it runs on 17 with the functions 15 lacks removed and syntax newer than the project's major refused; the rest of that gap is named in the output. --exact-major (or [verify] exact_major = true) turns that into exit 3. A statement running longer than [verify] statement_timeout (default 60s) is stopped and named: exit 3.

The baseline is built once per machine (about 5 s) under $SBX_CACHE_DIR, else $XDG_CACHE_HOME/sbx or ~/.cache/sbx; later runs copy it.

After a replay, the database state after all files, all but the newest and all but the newest 10 is kept in the replay cache (in the repository's git folder, shared by its worktrees; [verify] replay_cache, default 1GB, least recently used out first), addressed by a hash of the baseline, the major, the extensions and every file's name and bytes in order. The next verify, plan or push starts from the longest cached prefix and replays only the files after it; the report is the same. --no-cache replays everything.

Exits ${ExitCode.Findings} when a migration fails or a finding blocks, so it can gate CI.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Replay the current project.'},
    {
      command: '<%= config.bin %> <%= command.id %> --json | jq .failure',
      description: 'Machine-readable: {file, statementIndex, statement, error: {message, code}, createdBy}.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --against origin/main',
      description: "CI for pull requests: ERROR advisor findings on this branch's objects exit 3.",
    },
    {
      command: '<%= config.bin %> <%= command.id %> --advisors error --lint warn',
      description: 'Block on ERROR advisors and on any lint finding, for this run.',
    },
  ]

  static override flags = {
    advisors: advisorsFlag,
    against: Flags.string({
      helpValue: 'REF',
      summary: 'A git ref (e.g. main): only the objects and files this branch added since it may block.',
    }),
    cache: cacheFlag,
    lint: lintLevelFlag,
    'shadow-url': shadowUrlFlag,
    'exact-major': Flags.boolean({
      summary:
        'Exit 3 when the embedded database cannot run [db] major_version itself (also [verify] exact_major); use --shadow-url then.',
    }),
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
      advisors: flags.advisors,
      lint: flags.lint,
      against: flags.against,
      shadowUrl: flags['shadow-url'],
      exactMajor: flags['exact-major'],
      cache: flags.cache,
      onBaselineBuild: () =>
        this.logToStderr('Building the embedded database baseline (first run on this machine, about 5 s)…'),
    })
    this.log(flags.format === 'github' && !this.jsonEnabled() ? renderVerifyGithub(report) : renderVerify(report))
    if (!report.ok) process.exitCode = ExitCode.Findings
    return report
  }
}
