import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {createInterface} from 'node:readline'
import {describe, expect, it, vi} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {DATABASE_KINDS, needsServer, throwawayDatabase} from '../helpers/databases.js'
import {callTool, startMcp} from '../helpers/mcp.js'
import {listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'

// Verify and push start embedded databases and the supabase binary; on a loaded 2-core machine that is slow.
vi.setConfig({testTimeout: 240_000})

const TOOLS = ['apply_migration', 'check', 'create_migration', 'fix', 'list_migrations', 'sync', 'verify']

/** The URL with a password the trusting local servers ignore, to prove it never reaches a result. */
function withPassword(url: string): string {
  const parsed = new URL(url)
  parsed.password = 'mcp-s3cret'
  return parsed.toString()
}

describe('sbx mcp over stdio, with the SDK client', () => {
  it('lists its tools with input schemas', async () => {
    const session = await startMcp(tmpProject({}))
    const {tools} = await session.client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS)
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20)
      expect(tool.inputSchema.type).toBe('object')
    }
    const create = tools.find((t) => t.name === 'create_migration')
    expect(Object.keys(create?.inputSchema.properties ?? {}).sort()).toEqual(['name', 'sql'])
    expect([...(create?.inputSchema.required ?? [])].sort()).toEqual(['name', 'sql'])
    expect(Object.keys(tools.find((t) => t.name === 'sync')?.inputSchema.properties ?? {})).toEqual(['dryRun'])
    const readOnly = tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name)
    expect(readOnly.sort()).toEqual(['check', 'list_migrations', 'verify'])
  })

  it('create_migration writes the SQL byte-exact and returns what migration new --json returns', async () => {
    const dir = tmpProject({})
    const session = await startMcp(dir)
    const sql = 'create table users (id int);\n-- é\n'
    const result = await callTool(session, 'create_migration', {name: 'add users', sql})
    expect(result.isError).toBeFalsy()
    expect(result._meta?.exitCode).toBe(0)
    const created = result.structuredContent as {version: string; name: string; path: string}
    expect(Object.keys(created).sort()).toEqual(['name', 'path', 'version'])
    expect(created.name).toBe('add_users')
    expect(created.path).toBe(path.join(migrationsDir(dir), `${created.version}_add_users.sql`))
    expect(fs.readFileSync(created.path, 'utf8')).toBe(sql)
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual(created)

    const cli = JSON.parse((await runSbx(['migration', 'new', 'second', '--json'], {cwd: dir})).stdout)
    expect(Object.keys(cli).sort()).toEqual(Object.keys(created).sort())
  })

  it('a bad name is a tool error with the command message and exit code 2; nothing is written', async () => {
    const dir = tmpProject({})
    const session = await startMcp(dir)
    for (const name of ['../evil', '', 'a\nb']) {
      const result = await callTool(session, 'create_migration', {name, sql: 'select 1;'})
      expect(result.isError).toBe(true)
      expect(result.structuredContent?.error).toMatchObject({code: 'EBADNAME', exitCode: 2})
      expect(result._meta?.exitCode).toBe(2)
      const cli = await runSbx(['migration', 'new', name, '--json'], {cwd: dir})
      expect(result.content[0]?.text).toBe(JSON.parse(cli.stdout).error.message)
    }
    expect(listMigrations(dir)).toEqual([])
  })

  it('a missing argument is refused by the input schema', async () => {
    const session = await startMcp(tmpProject({}))
    const result = await callTool(session, 'create_migration', {name: 'x'})
    expect(result.isError).toBe(true)
    expect(result.content[0]?.text).toContain('sql')
  })

  it('ten clients in parallel calling create_migration get ten distinct versions', async () => {
    const dir = tmpProject({})
    const sessions = await Promise.all(Array.from({length: 10}, () => startMcp(dir)))
    const results = await Promise.all(
      sessions.map((session, i) => callTool(session, 'create_migration', {name: `agent_${i}`, sql: `select ${i};`})),
    )
    const versions = results.map((r) => (r.structuredContent as {version: string}).version)
    expect(new Set(versions).size).toBe(10)
    expect(listMigrations(dir)).toHaveLength(10)
  })

  it('apply_migration to the embedded database: file and history share the version; list_migrations shows it applied', async () => {
    const dir = tmpProject({})
    const session = await startMcp(dir)
    const result = await callTool(session, 'apply_migration', {name: 'todos', sql: 'create table todos (id int);'})
    expect(result.isError, result.content[0]?.text).toBeFalsy()
    const {migration, push} = result.structuredContent as {
      migration: {version: string; path: string}
      push: {status: string; applied: string[]}
    }
    expect(push.status).toBe('pushed')
    expect(push.applied).toEqual([path.basename(migration.path)])
    const listed = await callTool(session, 'list_migrations')
    expect(listed.structuredContent).toMatchObject({
      migrations: [{version: migration.version, applied: true}],
      remoteOnly: [],
    })
    const synced = await callTool(session, 'sync')
    expect(synced.structuredContent).toMatchObject({adopted: [], fetched: [], renames: [], blocking: false})
  })
})

describe.each(DATABASE_KINDS)('sbx mcp --db-url (%s)', (kind) => {
  needsServer(kind)
  it("apply_migration applies to the database under the file's version; no password in any result", async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const url = withPassword(db.url)
    const dir = tmpProject({})
    const session = await startMcp(dir, ['--db-url', url])
    const result = await callTool(session, 'apply_migration', {name: 'notes', sql: 'create table notes (body text);'})
    expect(result.isError, result.content[0]?.text).toBeFalsy()
    const version = (result.structuredContent as {migration: {version: string}}).migration.version
    const rows = await db.query<{version: string; name: string}>(
      'select version, name from supabase_migrations.schema_migrations',
    )
    expect(rows).toEqual([{version, name: 'notes'}])
    expect(await db.query('select * from notes')).toEqual([])

    const others = await Promise.all(['list_migrations', 'check', 'sync', 'fix'].map((tool) => callTool(session, tool)))
    for (const other of [result, ...others]) {
      expect(other.isError).toBeFalsy()
      expect(JSON.stringify(other)).not.toContain('mcp-s3cret')
    }
    expect(JSON.stringify(others[0])).toContain('***')
    const cli = await runSbx(['check', '--db-url', url, '--json'], {cwd: dir})
    expect(others[1]?.structuredContent).toEqual(JSON.parse(cli.stdout))
  })

  it('bad SQL: a tool error naming file, statement and error; the file stays, nothing is applied', async () => {
    const db = await throwawayDatabase(kind, {baseline: true})
    const dir = tmpProject({})
    const session = await startMcp(dir, ['--db-url', withPassword(db.url)])
    const sql = 'create table broken (id int);\nselect * from no_such_table;\n'
    const result = await callTool(session, 'apply_migration', {name: 'broken', sql})
    expect(result.isError).toBe(true)
    expect(result._meta?.exitCode).toBe(3)
    const structured = result.structuredContent as {
      error: {code: string; exitCode: number; message: string}
      migration: {path: string}
      push: {status: string; verify: {failure: {file: string; statementIndex: number; error: {message: string}}}}
    }
    const file = path.basename(structured.migration.path)
    expect(structured.error).toMatchObject({code: 'EVERIFYFAILED', exitCode: 3})
    expect(structured.error.message).toContain(file)
    expect(structured.error.message).toContain('statement 1')
    expect(structured.error.message).toContain('no_such_table')
    expect(structured.push.verify.failure).toMatchObject({file, statementIndex: 1})
    expect(fs.readFileSync(structured.migration.path, 'utf8')).toBe(sql)
    expect(await db.query("select to_regclass('public.broken') as t")).toEqual([{t: null}])
    expect(JSON.stringify(result)).not.toContain('mcp-s3cret')
  })
})

describe('sbx mcp: failures', () => {
  it('an unreachable database is a tool error with exit code 5 and no password', async () => {
    const session = await startMcp(tmpProject({}), ['--db-url', 'postgresql://postgres:mcp-s3cret@127.0.0.1:9/x'])
    const result = await callTool(session, 'sync')
    expect(result.isError).toBe(true)
    expect(result.structuredContent?.error).toMatchObject({code: 'EDATABASE', exitCode: 5})
    expect(JSON.stringify(result)).not.toContain('mcp-s3cret')
  })

  it('a --workdir that is not a folder exits 2 before serving', async () => {
    const dir = tmpProject({'file.txt': 'x'})
    const result = await runSbx(['mcp', '--workdir', path.join(dir, 'file.txt')], {
      cwd: dir,
      env: {SBX_SUPABASE_BIN: SUPABASE_BIN},
    })
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
  })
})

describe('sbx mcp: stdout is the protocol channel', () => {
  it('writes nothing but JSON-RPC messages on stdout, even while PGlite runs, and exits 0 when stdin closes', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);\n'})
    const child = spawn(process.execPath, [SBX_BIN, 'mcp', '--workdir', dir], {
      env: {...process.env, NODE_ENV: undefined, SBX_SUPABASE_BIN: SUPABASE_BIN},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    const responses = new Map<number, (message: unknown) => void>()
    createInterface({input: child.stdout}).on('line', (line) => {
      lines.push(line)
      const message = JSON.parse(line) as {id?: number}
      if (message.id !== undefined) responses.get(message.id)?.(message)
    })
    const request = (id: number, method: string, params: object) => {
      const answered = new Promise((resolve) => responses.set(id, resolve))
      child.stdin.write(`${JSON.stringify({jsonrpc: '2.0', id, method, params})}\n`)
      return answered
    }
    await request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: {name: 't', version: '0'},
    })
    child.stdin.write(`${JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'})}\n`)
    await request(2, 'tools/call', {name: 'verify', arguments: {}})
    await request(3, 'tools/call', {name: 'list_migrations', arguments: {}})
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.stdin.end()
    expect(await exited).toBe(0)
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({jsonrpc: '2.0'})
    expect(JSON.parse(lines[2] as string).result.structuredContent.migrations).toEqual([
      expect.objectContaining({file: '20260101000000_a.sql', applied: false}),
    ])
  })
})

describe('sbx mcp: an oversize message is answered and survived', () => {
  const TEN_MIB = 10 * 1024 * 1024

  it("the SDK client's own 10 MiB call gets a JSON-RPC error for that call; the next call succeeds", async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);\n'})
    const session = await startMcp(dir)
    const big = session.client.callTool({name: 'create_migration', arguments: {name: 'big', sql: 'x'.repeat(TEN_MIB)}})
    await expect(big).rejects.toMatchObject({code: -32600, message: expect.stringContaining('4194304 bytes')})
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql'])
    const next = await callTool(session, 'create_migration', {name: 'small', sql: 'select 1;'})
    expect(next.isError).toBeFalsy()
    expect(listMigrations(dir)).toHaveLength(2)
    expect(session.stderr()).toContain('exceeds sbx mcp')
  })

  it('raw stdin: 10 MiB with an id, 10 MiB of garbage and a line that is not JSON each get an error; the server keeps serving', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'create table a (id int);\n'})
    const child = spawn(process.execPath, [SBX_BIN, 'mcp', '--workdir', dir], {
      env: {...process.env, NODE_ENV: undefined, SBX_SUPABASE_BIN: SUPABASE_BIN},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const messages: Array<{id?: unknown; error?: {code: number; data?: {receivedBytes: number}}; result?: unknown}> = []
    const waiters: Array<() => void> = []
    createInterface({input: child.stdout}).on('line', (line) => {
      messages.push(JSON.parse(line))
      waiters.shift()?.()
    })
    const nextMessage = () => new Promise<void>((resolve) => waiters.push(resolve))
    const send = async (text: string) => {
      const answered = nextMessage()
      child.stdin.write(`${text}\n`)
      await answered
      return messages.at(-1)
    }
    const init = {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 't', version: '0'}}
    await send(JSON.stringify({jsonrpc: '2.0', id: 1, method: 'initialize', params: init}))
    child.stdin.write(`${JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'})}\n`)

    const bigCall = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {name: 'create_migration', arguments: {name: 'big', sql: 'y'.repeat(TEN_MIB)}},
    })
    expect(await send(bigCall)).toMatchObject({id: 2, error: {code: -32600, data: {receivedBytes: bigCall.length}}})
    expect(await send('z'.repeat(TEN_MIB))).toMatchObject({id: null, error: {code: -32600}})
    expect(await send('{not json')).toMatchObject({id: null, error: {code: -32700}})
    const listed = await send(
      JSON.stringify({jsonrpc: '2.0', id: 3, method: 'tools/call', params: {name: 'list_migrations', arguments: {}}}),
    )
    expect(listed).toMatchObject({id: 3, result: {structuredContent: {migrations: [expect.anything()]}}})
    expect(listMigrations(dir)).toEqual(['20260101000000_a.sql'])
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.stdin.end()
    expect(await exited).toBe(0)
  })
})
