/**
 * Where `sbx push` deploys: a database URL, supabase's linked project, or the embedded database
 * (PGlite persisted under supabase/.temp/sbx, served on a loopback port while the push runs).
 */
import path from 'node:path'
import type {Client} from 'pg'
import {ExternalError} from '../core/errors.js'
import type {AppliedMigration} from '../core/history.js'
import {redactUrl} from '../core/redact.js'
import {connect, readHistory} from '../shell/database.js'
import {runSupabase, type SupabaseCli, targetArgs} from '../shell/supabase.js'
import type {Workspace} from '../shell/workspace.js'
import {extensionsNeeded} from './extension-needs.js'

export interface PushTarget {
  /** How messages name it; never contains a password. */
  label: string
  /** What supabase is pointed at. */
  supabase: {url: string} | {linked: true}
  /** Our own connection (URL and embedded targets); it holds the advisory lock. */
  client?: Client
  readHistory(): Promise<AppliedMigration[]>
  close(): Promise<void>
}

export type TargetChoice = {kind: 'url'; url: string} | {kind: 'linked'} | {kind: 'embedded'}

export async function openTarget(choice: TargetChoice, workspace: Workspace, cli: SupabaseCli): Promise<PushTarget> {
  if (choice.kind === 'url') return urlTarget(choice.url, redactUrl(choice.url), async () => undefined)
  if (choice.kind === 'linked') return linkedTarget(workspace, cli)
  const {openEmbeddedDatabase, serveDatabase} = await import('../shell/embedded-db.js')
  const extensions = await extensionsNeeded(workspace.migrationsDir)
  const embedded = await openEmbeddedDatabase(path.join(workspace.tempDir, 'db'), {extensions})
  const server = await serveDatabase(embedded.db).catch(async (error) => {
    await embedded.close()
    throw error
  })
  return urlTarget(server.url, `the embedded database (${path.join('supabase', '.temp', 'sbx', 'db')})`, async () => {
    await server.close()
    await embedded.close()
  })
}

async function urlTarget(url: string, label: string, closeMore: () => Promise<void>): Promise<PushTarget> {
  const client = await connect(url).catch(async (error) => {
    await closeMore()
    throw error
  })
  return {
    label,
    supabase: {url},
    client,
    readHistory: () => readHistory(client, url),
    async close() {
      await client.end().catch(() => undefined)
      await closeMore()
    },
  }
}

/** The linked project's history comes from supabase itself: sbx has no credentials of its own for it. */
function linkedTarget(workspace: Workspace, cli: SupabaseCli): PushTarget {
  return {
    label: 'the linked project',
    supabase: {linked: true},
    async readHistory() {
      const args = ['migration', 'list', ...targetArgs(cli, {linked: true}), '--workdir', workspace.workdir]
      const result = await runSupabase(
        cli,
        [...args, ...(cli.major >= 3 ? ['--agent=no', '--output-format', 'json'] : ['-o', 'json'])],
        {
          cwd: workspace.workdir,
        },
      )
      if (result.exitCode !== 0) {
        throw new ExternalError(
          `supabase migration list failed: ${lastLine(result.stderr || result.stdout)}`,
          'ESUPABASE',
        )
      }
      const parsed = JSON.parse(result.stdout) as {migrations?: Array<{remote?: string}>}
      return (parsed.migrations ?? []).filter((m) => m.remote).map((m) => ({version: m.remote as string}))
    },
    async close() {},
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? ''
}
