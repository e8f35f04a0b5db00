import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/errors.js'
import {againstFlag, cacheFlag} from '../flags.js'
import {renderPlanGithub} from '../render/github.js'
import {renderPlanMarkdown, renderPlanText} from '../render/plan.js'
import {type PlanReport, plan} from '../workflows/plan.js'

export default class Plan extends BaseCommand {
  static override description =
    `Replays every migration on a fresh embedded database (as sbx verify does) and reads the database's own catalogs between files to report, for each pending migration in the order supabase runs it: the tables, columns, functions, policies, triggers, indexes and views it creates, alters and drops; the earlier migrations it depends on (it uses an object they created, from pg_depend and from relation names in function bodies); whether supabase runs it as one transaction; its replay time; statements that can lose data (drop table, column or schema, column type changes, truncate, delete or update without where). With each, its measured risk: the locks the replay's backend held on existing tables (pg_locks, after every statement), tables rewritten (a changed relfilenode), indexes built without CONCURRENTLY and whole-table validations; with --db-url or the embedded target, each touched table's size from the target's statistics and an estimated time ([verify] risk = "off" turns the trace off). Then a dependency graph, the renames sbx made (from supabase/sbx-renames.jsonl) and the post-deploy checklist: every object the pending migrations leave behind.

Pending means: not in --db-url's history, not on --against REF (what this branch adds), not in the linked project (--linked), else not in the embedded database.

--format markdown is for a pull request comment (a Mermaid graph; file names only, no paths or URLs). --format github writes workflow annotations. Exits ${ExitCode.Findings} when the replay fails.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'What a push to the embedded database would do.'},
    {
      command: '<%= config.bin %> <%= command.id %> --against origin/main --format markdown > plan.md',
      description: 'A pull request comment: what this branch adds.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL" --json',
      description: 'Against production, as JSON.',
    },
  ]

  static override flags = {
    against: againstFlag,
    'db-url': Flags.string({
      exclusive: ['linked'],
      helpValue: 'URL',
      summary: "Pending = not in this database's history.",
    }),
    format: Flags.string({default: 'text', options: ['text', 'markdown', 'json', 'github'], summary: 'Output format.'}),
    linked: Flags.boolean({exclusive: ['against'], summary: "Pending = not in supabase's linked project."}),
    cache: cacheFlag,
  }

  static override summary = 'Report what pending migrations change, in order, with dependencies and a checklist.'

  async run(): Promise<PlanReport> {
    const {flags} = await this.parse(Plan)
    const report = await plan({
      workdir: flags.workdir,
      dbUrl: flags['db-url'],
      against: flags.against,
      linked: flags.linked,
      cache: flags.cache,
      onBaselineBuild: () => this.logToStderr('Building the embedded database baseline (first run, about 5 s)…'),
    })
    if (report.failure) process.exitCode = ExitCode.Findings
    if (this.jsonEnabled()) return report
    const format = flags.format
    if (format === 'json') this.log(JSON.stringify(report, null, 2))
    else if (format === 'markdown') this.log(renderPlanMarkdown(report))
    else if (format === 'github') this.log(renderPlanGithub(report))
    else this.log(renderPlanText(report))
    return report
  }
}
