/**
 * Ten agents, each with its own `sbx mcp` process, calling apply_migration at the same moment on one project and
 * one database: every client must be told its own true outcome. A push whose snapshot was taken before another
 * push applied files it does not hold used to refuse with "Nothing was applied … (missing-locally)" although its
 * own migration was applied by that other push — an agent retrying then makes a duplicate.
 */
import path from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {callTool, type McpSession, startMcp} from '../helpers/mcp.js'
import {listMigrations, tmpProject} from '../helpers/project.js'

vi.setConfig({testTimeout: 1_800_000})

const CLIENTS = 10

interface Outcome {
  isError: boolean
  text: string
  version?: string
  file?: string
  /** What the result says of this call's own migration. */
  reportedApplied?: boolean
}

/**
 * The real PostgreSQL server, and the embedded database (sbx mcp's default target, PGlite under the project,
 * served by the deploy guardian). A PGlite served over the wire by the test helper is not a target here: all its
 * connections share one session, so no advisory lock can serialize two deploys on it.
 */
type Target = 'postgres' | 'embedded'

async function openTarget(
  kind: Target,
): Promise<{args: string[]; applied: (session: McpSession) => Promise<Set<string>>}> {
  if (kind === 'embedded') {
    return {
      args: [],
      async applied(session) {
        const listed = await callTool(session, 'list_migrations')
        const migrations = (listed.structuredContent as {migrations: Array<{version: string; applied: boolean}>})
          .migrations
        return new Set(migrations.filter((m) => m.applied).map((m) => m.version))
      },
    }
  }
  const db = await throwawayDatabase('postgres')
  return {
    args: ['--db-url', db.url],
    async applied() {
      const rows = await db.query<{version: string}>('select version from supabase_migrations.schema_migrations')
      return new Set(rows.map((r) => r.version))
    },
  }
}

describe.each(['postgres', 'embedded'] as const)('apply_migration from 10 concurrent clients (%s)', (kind) => {
  if (kind === 'postgres') needsServer('postgres')
  const rounds = kind === 'postgres' ? 5 : 2
  it(`${rounds} rounds × ${CLIENTS}: each client told its own outcome; 0 false "Nothing was applied"`, async () => {
    const target = await openTarget(kind)
    const dir = tmpProject({})
    const sessions = await Promise.all(
      Array.from({length: CLIENTS}, () => startMcp(dir, [...target.args, '--lock-timeout', '900'])),
    )
    let falseNothingApplied = 0
    let wrongOutcome = 0
    const errors: string[] = []
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(
        sessions.map(async (session, i): Promise<Outcome> => {
          const result = await callTool(session, 'apply_migration', {
            name: `r${round}_c${i}`,
            sql: `create table t_${round}_${i} (id int);`,
          })
          const structured = result.structuredContent as
            | {migration?: {version: string; path: string}; applied?: boolean}
            | undefined
          return {
            isError: result.isError === true,
            text: result.content[0]?.text ?? '',
            version: structured?.migration?.version,
            file: structured?.migration ? path.basename(structured.migration.path) : undefined,
            reportedApplied: structured?.applied,
          }
        }),
      )
      const history = await target.applied(sessions[0] as McpSession)
      for (const outcome of results) {
        const applied = outcome.version !== undefined && history.has(outcome.version)
        if (outcome.text.includes('Nothing was applied') && applied) falseNothingApplied++
        // Every call here must apply its migration, and say so.
        if (outcome.isError || !applied || outcome.reportedApplied !== applied) wrongOutcome++
      }
      errors.push(...results.filter((r) => r.isError).map((r) => `round ${round}: ${r.text}`))
    }
    console.log(
      `${kind}: ${falseNothingApplied} false "Nothing was applied", ${wrongOutcome} wrong outcomes in ${rounds * CLIENTS} calls`,
    )
    expect(errors).toEqual([])
    expect(falseNothingApplied).toBe(0)
    expect(wrongOutcome).toBe(0)
    expect((await target.applied(sessions[0] as McpSession)).size).toBe(rounds * CLIENTS)
    expect(listMigrations(dir)).toHaveLength(rounds * CLIENTS)
  })
})
