/**
 * The tools `sbx mcp` offers. Each calls the workflow its command calls and returns that command's `--json`
 * output; no logic lives here that a command does not share. zod is passed in: it is imported only on the
 * mcp path.
 */
import {Readable} from 'node:stream'
import type {z as Zod} from 'zod'
import {ExitCode, SbxError} from '../../core/errors.js'
import type {DatabaseTargetChoice} from '../../shell/deploy/push-target.js'
import {ApplyFailure, applyMigration} from '../apply-migration.js'
import {check} from '../check.js'
import {fix} from '../fix.js'
import {listMigrations} from '../list-migrations.js'
import {newMigration} from '../new-migration.js'
import type {PushReport} from '../push.js'
import {sync} from '../sync.js'
import {verify} from '../verify.js'
import {type ToolResult, toolError, toolResult} from './results.js'

export interface ToolContext {
  workdir?: string
  /** Given to `sbx mcp --db-url`; without it the embedded database. */
  dbUrl?: string
  lockTimeoutSeconds: number
}

export interface SbxTool {
  name: string
  description: string
  inputSchema: Record<string, Zod.ZodType>
  /** Hints for clients deciding what to confirm with the user (MCP tool annotations). */
  annotations: {readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean}
  run(args: Record<string, unknown>): Promise<ToolResult>
}

export function sbxTools(z: typeof Zod, context: ToolContext): SbxTool[] {
  const {workdir, dbUrl, lockTimeoutSeconds} = context
  const target: DatabaseTargetChoice = dbUrl ? {kind: 'url', url: dbUrl} : {kind: 'embedded'}
  const ok = (report: object, failed = false) => toolResult(report, failed ? ExitCode.Findings : ExitCode.Ok, dbUrl)
  const migrationInput = {
    name: z.string().describe('What the migration does, e.g. "add users" (spaces and - become _).'),
    sql: z.string().describe('The migration SQL, written byte-exact into the file.'),
  }
  const dryRun = {dryRun: z.boolean().optional().describe('Print the plan and change nothing.')}
  return [
    {
      name: 'create_migration',
      annotations: {readOnlyHint: false, destructiveHint: false},
      description:
        'Creates supabase/migrations/<version>_<name>.sql holding the SQL, with a version no other process, worktree or agent can get (sbx migration new). Returns {version, name, path}.',
      inputSchema: migrationInput,
      run: async (args) => {
        const {name, sql} = args as {name: string; sql: string}
        const content = Readable.from([Buffer.from(sql)])
        return ok(await newMigration({name, workdir, content, lockTimeoutSeconds}))
      },
    },
    {
      name: 'apply_migration',
      // It runs the agent's SQL on the database: whatever that SQL drops is gone.
      annotations: {readOnlyHint: false, destructiveHint: true},
      description: `Creates the migration (as create_migration), verifies every migration on a fresh embedded database and pushes to ${dbUrl ? 'the database given to sbx mcp --db-url' : 'the embedded development database'} with the real supabase db push (as sbx push), so the file and the database history get the same version. Use this instead of applying SQL directly. On failure the file stays, and the error names the file, the statement and the database error: fix the file (or delete it) and push again.`,
      inputSchema: migrationInput,
      run: async (args) => {
        const {name, sql} = args as {name: string; sql: string}
        try {
          const report = await applyMigration({workdir, name, sql, target, lockTimeoutSeconds})
          if (report.push.status !== 'refused') return ok(report)
          return toolError(refusal(report.migration.path, report.push, report.applied), dbUrl, {...report})
        } catch (error) {
          if (!(error instanceof ApplyFailure)) throw error
          return toolError(error.cause, dbUrl, {migration: error.migration})
        }
      },
    },
    {
      name: 'list_migrations',
      annotations: {readOnlyHint: true},
      description: `Lists supabase/migrations in supabase's order, each with whether ${dbUrl ? 'the database' : 'the embedded database'} has applied it, and the applied versions with no local file.`,
      inputSchema: {},
      run: async () => ok(await listMigrations({workdir, target, lockTimeoutSeconds})),
    },
    {
      name: 'check',
      annotations: {readOnlyHint: true},
      description:
        'Finds duplicate versions, files supabase would skip, and (against the database, or a git ref) out-of-order files, applied versions with no local file and files edited after apply (sbx check). Changes nothing.',
      inputSchema: {
        against: z.string().optional().describe('Compare with this git ref (e.g. main) instead of the database.'),
      },
      run: async (args) => {
        const {against} = args as {against?: string}
        const report = await check({workdir, ...(against ? {against} : {dbUrl})})
        return ok(report, report.blocking)
      },
    },
    {
      name: 'fix',
      annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true},
      description:
        'Renames colliding or out-of-order migrations so every version is distinct and nothing unapplied sorts before what is applied, with an audit line for each (sbx fix).',
      inputSchema: dryRun,
      run: async (args) => {
        const report = await fix({workdir, dbUrl, dryRun: args.dryRun === true, lockTimeoutSeconds})
        return ok(report, report.remaining.length > 0)
      },
    },
    {
      name: 'sync',
      annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true},
      description:
        'Makes supabase/migrations mirror the database history after migrations were applied outside the repository: adopts the recorded version for the one local file holding the same SQL, else writes the file from the recorded statements (sbx sync).',
      inputSchema: dryRun,
      run: async (args) => {
        const report = await sync({workdir, target, dryRun: args.dryRun === true, lockTimeoutSeconds})
        return ok(report, report.blocking)
      },
    },
    {
      name: 'verify',
      annotations: {readOnlyHint: true},
      description:
        'Replays every migration on a fresh embedded Postgres with the Supabase baseline and reports the first failure: file, statement, error (sbx verify).',
      inputSchema: {},
      run: async () => {
        const report = await verify({workdir})
        return ok(report, !report.ok)
      },
    },
  ]
}

/**
 * Why an apply sent nothing, in one line built from the report. `applied`: the file's version is in the history all
 * the same (a concurrent push applied it): the agent is told so, never "Nothing was applied", lest it apply again.
 */
function refusal(file: string, report: PushReport, applied: boolean): SbxError {
  const failure = report.verify?.failure
  const kinds = [
    ...new Set([...(report.findings ?? []).map((f) => f.kind), ...(report.interrupted ? ['interrupted-push'] : [])]),
  ].join(', ')
  if (applied) {
    const why = failure
      ? `${failure.file} failed at statement ${failure.statementIndex}: ${failure.error.message}`
      : `the project has blocking findings (${kinds}); run the check tool, then fix or sync`
    return new SbxError(
      `${file} is applied (a concurrent push applied it): do not apply it again. This push sent nothing more: ${why}.`,
      {code: failure ? 'EVERIFYFAILED' : 'EPREFLIGHT', exitCode: ExitCode.Findings},
    )
  }
  if (failure) {
    return new SbxError(
      `${failure.file} failed at statement ${failure.statementIndex}: ${failure.error.message}. Nothing was applied; the file stays at ${file}: fix it or delete it, then apply again.`,
      {code: 'EVERIFYFAILED', exitCode: ExitCode.Findings},
    )
  }
  return new SbxError(
    `Nothing was applied: the project has blocking findings (${kinds}). The file stays at ${file}; run the check tool, then fix or sync.`,
    {code: 'EPREFLIGHT', exitCode: ExitCode.Findings},
  )
}
