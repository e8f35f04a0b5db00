/**
 * Versions read from a database are outside input: a history row whose version is a path (`../../../x`,
 * `/tmp/x`) must never become a file name. Every reader refuses such a history with one line naming the row,
 * exit 5, and writes nothing — sync, check --db-url, push and the MCP sync tool alike.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, type TestDatabase, throwawayDatabase} from '../helpers/databases.js'
import {callTool, startMcp} from '../helpers/mcp.js'
import {tmpProject} from '../helpers/project.js'
import {snapshotTree} from '../helpers/tree.js'

vi.setConfig({testTimeout: 180_000})

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const sbx = (dir: string, ...args: string[]) => runSbx(args, {cwd: dir, env, timeoutMs: 120_000})

async function historyWith(db: TestDatabase, version: string): Promise<void> {
  await db.query(`create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)`)
  await db.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
    version,
    'evil',
    ['create table evil (id int)'],
  ])
}

/** A project nested three folders deep in its own temporary root, so `../../../x` stays inside what is watched. */
function nestedProject(): {root: string; dir: string} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-history-'))
  const dir = path.join(root, 'a', 'b')
  fs.mkdirSync(dir, {recursive: true})
  const project = tmpProject({'supabase/migrations/20260101000000_init.sql': 'create table base (id int);\n'})
  fs.cpSync(project, dir, {recursive: true})
  return {root, dir}
}

const oneLine = (text: string) => text.replace(/\s*\n ›\s+/gu, ' ')

describe.each(DATABASE_KINDS)('history rows whose version is not a migration version (%s)', (kind) => {
  needsServer(kind)
  const absolute = path.join(os.tmpdir(), `sbx-abs-${process.pid}`)
  it.each([
    ['a relative path', '../../../x'],
    ['an absolute path', absolute],
    ['digits and a separator', '20260101000000/../../y'],
  ])('%s: sync, check, push and the MCP sync tool refuse it (exit 5), nothing written anywhere', async (_, version) => {
    const db = await throwawayDatabase(kind)
    await historyWith(db, version)
    const {root, dir} = nestedProject()
    const before = snapshotTree(root)

    for (const args of [
      ['sync', '--db-url', db.url],
      ['sync', '--db-url', db.url, '--dry-run'],
      ['check', '--db-url', db.url],
    ]) {
      const result = await sbx(dir, ...args)
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(5)
      const message = oneLine(result.stderr)
      expect(message).toContain(`history row whose version ${JSON.stringify(version)}`)
      expect(message).toContain('Delete or correct that row')
      expect(message).not.toMatch(/ENOENT|at .*\.js:\d+/)
      const json = await sbx(dir, ...args, '--json')
      expect(json.exitCode).toBe(5)
      expect(JSON.parse(json.stdout).error).toMatchObject({code: 'EHISTORYVERSION', exitCode: 5})
    }
    const pushed = await sbx(dir, 'push', '--db-url', db.url, '--no-verify', '--json')
    expect(pushed.exitCode, pushed.stdout).toBe(5)
    expect(JSON.parse(pushed.stdout).error).toMatchObject({code: 'EHISTORYVERSION'})

    const session = await startMcp(dir, ['--db-url', db.url])
    const synced = await callTool(session, 'sync')
    expect(synced.isError).toBe(true)
    expect(synced._meta?.exitCode).toBe(5)
    expect(synced.structuredContent?.error).toMatchObject({code: 'EHISTORYVERSION'})
    const listed = await callTool(session, 'list_migrations')
    expect(listed._meta?.exitCode).toBe(5)

    // Nothing outside (or inside) the project changed but sbx's own temporary state.
    const after = snapshotTree(root, {exclude: (rel) => rel.includes('supabase/.temp')})
    const beforeKept = new Map([...before].filter(([rel]) => !rel.includes('supabase/.temp')))
    expect([...after.keys()].sort()).toEqual([...beforeKept.keys()].sort())
    expect(fs.readdirSync(path.join(dir, 'supabase', 'migrations'))).toEqual(['20260101000000_init.sql'])
    expect(fs.existsSync(`${absolute}_evil.sql`)).toBe(false)
  })

  it('versions supabase accepts (8 and 14 digits) are read as before', async () => {
    const db = await throwawayDatabase(kind)
    await historyWith(db, '20250117')
    const {dir} = nestedProject()
    const synced = await sbx(dir, 'sync', '--db-url', db.url, '--json')
    expect(synced.exitCode, synced.stderr).toBe(0)
    expect(JSON.parse(synced.stdout).fetched).toEqual([expect.objectContaining({file: '20250117_evil.sql'})])
  })
})

describe('sbx sync validates --db-url as every command does', () => {
  it.each([
    ['postgresql://u:secret@127.0.0.1:notaport/db', 'is not a valid URL'],
    ['postgres//u:secret@@/', 'is not a valid URL'],
    ['mysql://u:secret@127.0.0.1/db', 'is not a Postgres URL'],
  ])('%s: exit 2, nothing connects, no password', async (url, why) => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    for (const dryRun of [[], ['--dry-run']]) {
      const result = await sbx(dir, 'sync', '--db-url', url, ...dryRun)
      expect(result.exitCode, result.stderr).toBe(2)
      expect(oneLine(result.stderr)).toContain(why)
      expect(result.stderr).not.toContain('secret')
      const json = await sbx(dir, 'sync', '--db-url', url, ...dryRun, '--json')
      expect(json.exitCode).toBe(2)
      expect(JSON.parse(json.stdout).error).toMatchObject({code: 'EBADURL', exitCode: 2})
    }
    const fromEnv = await runSbx(['sync'], {cwd: dir, env: {...env, SUPABASE_DB_URL: url}})
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(2)
    expect(oneLine(fromEnv.stderr)).toContain('SUPABASE_DB_URL')
  })

  it('sbx mcp --db-url mysql://… exits 2 before serving', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const result = await sbx(dir, 'mcp', '--db-url', 'mysql://u:secret@127.0.0.1/db')
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).not.toContain('secret')
  })
})
