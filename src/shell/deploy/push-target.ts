/**
 * Where `sbx push` (and `sbx sync`) deploys or reads: a database URL, supabase's linked project, or the embedded
 * database (PGlite persisted under supabase/.temp/sbx/db, served on a loopback port by the deploy guardian).
 * URL and embedded targets are opened by the guardian, which holds the deploy lock until any supabase it runs
 * has exited; sbx reads the history over a connection of its own.
 */
import path from 'node:path'
import type {Client} from 'pg'
import {ExternalError} from '../../core/errors.js'
import type {AppliedMigration} from '../../core/migrations/history.js'
import {assertHistoryVersions} from '../../core/migrations/history-version.js'
import {redactUrl} from '../../core/output/redact.js'
import type {JournalEntry} from '../../core/push/interrupted-push.js'
import type {TableStats} from '../../core/risk/risk.js'
import {CATALOG_SQL, type CatalogRow, normalizeRows} from '../../core/sql/catalog.js'
import {connect, readHistory} from '../database/database.js'
import {readTableStats} from '../database/table-stats.js'
import {type RunResult, runSupabase, type SupabaseCli, supabaseEnv, targetArgs} from '../supabase/supabase.js'
import {startGuardian} from './deploy-guardian.js'
import {deleteJournal, readJournal, writeJournal} from './push-journal.js'

export type TargetChoice =
  | {kind: 'url'; url: string /** The variable the URL came from, when not from --db-url. */; env?: string}
  | {kind: 'linked'}
  | {kind: 'embedded'}

/** The targets sbx reaches with its own connection (all but --linked): sync and the MCP server use these. */
export type DatabaseTargetChoice = Exclude<TargetChoice, {kind: 'linked'}>

export interface PushTarget {
  /** How messages name it; never contains a password. */
  label: string
  /** What supabase is pointed at. */
  supabase: {url: string} | {linked: true}
  /** The guardian's pid, while one holds the deploy lock. */
  guardianPid?: number
  readHistory(): Promise<AppliedMigration[]>
  /** Runs these queries in one transaction on sbx's own connection (under the deploy lock); absent for --linked. */
  transaction?(queries: ReadonlyArray<{text: string; values?: unknown[]}>): Promise<void>
  /** The objects the target holds (core/sql/catalog.ts); absent for the linked project (no connection of sbx's own). */
  readCatalog?(): Promise<CatalogRow[]>
  /** Sizes of these tables on the target, from statistics (shell/database/table-stats.ts); absent for the linked project. */
  readTableStats?(relations: readonly string[]): Promise<Map<string, TableStats>>
  /** The push journal (shell/deploy/push-journal.ts) on sbx's own connection; absent for --linked (no connection). */
  journal?: {
    read(): Promise<JournalEntry[]>
    write(entry: Omit<JournalEntry, 'startedAt'>): Promise<void>
    remove(runs: readonly string[]): Promise<void>
  }
  /** Runs supabase with these arguments against the target, under the deploy lock where there is one. */
  runSupabase(
    cli: SupabaseCli,
    args: string[],
    options: {cwd: string; filter: (text: string) => string; onLine: (line: string) => void},
  ): Promise<RunResult>
  close(): Promise<void>
}

export interface OpenOptions {
  /** Bounds the wait for the deploy lock (and, for the embedded database, for the process using it). */
  lockTimeoutMs: number
  /** Who is deploying, shown to whoever waits. */
  description: string
  onWait?: (holder: string) => void
}

export async function openTarget(
  choice: TargetChoice,
  project: {tempDir: string; workdir: string; migrationsDir: string},
  cli: SupabaseCli,
  options: OpenOptions,
): Promise<PushTarget> {
  if (choice.kind === 'linked') return linkedTarget(project.workdir, cli)
  return openDatabaseTarget(choice, project, options)
}

/** A URL or the embedded database, opened by the deploy guardian (so reads never overlap a deploy). */
export async function openDatabaseTarget(
  choice: DatabaseTargetChoice,
  project: {tempDir: string; migrationsDir: string},
  options: OpenOptions = {lockTimeoutMs: 30_000, description: 'sbx'},
): Promise<PushTarget> {
  const starting = startGuardian({
    target:
      choice.kind === 'url'
        ? {kind: 'url', url: choice.url}
        : {
            kind: 'embedded',
            dataDir: path.join(project.tempDir, 'db'),
            lockHome: path.join(project.tempDir, 'db-lock'),
            migrationsDir: project.migrationsDir,
          },
    lockTimeoutMs: options.lockTimeoutMs,
    description: options.description,
    onWait: options.onWait,
  })
  // A URL is known before the guardian is up: sbx's own connection opens while it starts (it reads nothing until
  // the guardian holds the deploy lock). The embedded database's URL is the guardian's server.
  const connecting = choice.kind === 'url' ? connect(choice.url) : starting.then((started) => connect(started.url))
  const [started, connected] = await Promise.allSettled([starting, connecting])
  if (started.status === 'rejected' || connected.status === 'rejected') {
    if (connected.status === 'fulfilled') await connected.value.end().catch(() => undefined)
    if (started.status === 'fulfilled') await started.value.close()
    throw started.status === 'rejected' ? started.reason : (connected as PromiseRejectedResult).reason
  }
  const guardian = started.value
  const client: Client = connected.value
  const url = guardian.url
  const label = targetLabel(choice)
  /** Whether the journal table was there when read (push reads it before it writes). */
  let journalTable = false
  return {
    label,
    supabase: {url},
    guardianPid: guardian.pid,
    // The guardian's loopback URL is no name for the user: refusals of a history row name the target.
    readHistory: () => readHistory(client, url, label),
    async transaction(queries) {
      await client.query('begin')
      try {
        for (const query of queries) await client.query(query.text, query.values as unknown[] | undefined)
        await client.query('commit')
      } catch (error) {
        await client.query('rollback').catch(() => undefined)
        throw error
      }
    },
    async readCatalog() {
      return normalizeRows((await client.query<Record<string, unknown>>(CATALOG_SQL)).rows)
    },
    readTableStats: (relations) => readTableStats(client, relations),
    journal: {
      async read() {
        const entries = await readJournal(client)
        journalTable = entries !== undefined
        return entries ?? []
      },
      write: (entry) => writeJournal(client, entry, journalTable),
      remove: (runs) => deleteJournal(client, runs),
    },
    async runSupabase(cli, args, run) {
      const collected = {stdout: [] as string[], stderr: [] as string[]}
      const exitCode = await guardian.run({bin: cli.bin, args, cwd: run.cwd, env: supabaseEnv()}, (raw, stream) => {
        const line = run.filter(raw)
        collected[stream].push(line)
        run.onLine(line)
      })
      return {exitCode, stdout: collected.stdout.join('\n'), stderr: collected.stderr.join('\n')}
    },
    async close() {
      await client.end().catch(() => undefined)
      await guardian.close()
    },
  }
}

/** How messages name a target; never contains a password. */
export function targetLabel(choice: TargetChoice): string {
  if (choice.kind === 'url') return redactUrl(choice.url)
  if (choice.kind === 'linked') return 'the linked project'
  return `the embedded database (${path.join('supabase', '.temp', 'sbx', 'db')})`
}

/** The linked project's history comes from supabase itself: sbx has no credentials of its own for it. */
function linkedTarget(workdir: string, cli: SupabaseCli): PushTarget {
  return {
    label: targetLabel({kind: 'linked'}),
    supabase: {linked: true},
    async readHistory() {
      const args = ['migration', 'list', ...targetArgs(cli, {linked: true}), '--workdir', workdir]
      const format = cli.major >= 3 ? ['--agent=no', '--output-format', 'json'] : ['-o', 'json']
      const result = await runSupabase(cli, [...args, ...format], {cwd: workdir})
      if (result.exitCode !== 0) {
        throw new ExternalError(
          `supabase migration list failed: ${lastLine(result.stderr || result.stdout)}`,
          'ESUPABASE',
        )
      }
      const parsed = JSON.parse(result.stdout) as {migrations?: Array<{remote?: string}>}
      const rows = (parsed.migrations ?? []).filter((m) => m.remote).map((m) => ({version: m.remote as string}))
      return assertHistoryVersions(rows, targetLabel({kind: 'linked'}))
    },
    runSupabase: (_cli, args, run) =>
      runSupabase(cli, args, {cwd: run.cwd, filter: run.filter, onLine: (line) => run.onLine(line)}),
    async close() {},
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? ''
}
