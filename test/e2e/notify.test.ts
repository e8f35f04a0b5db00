import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {POSTGRES_URL, throwawayDatabase} from '../helpers/databases.js'
import {gitProject, listMigrations, migrationsDir, writeTree} from '../helpers/project.js'

/** A real HTTP server on loopback: records each POSTed JSON body; `answer: false` never answers. */
async function webhookServer(answer = true): Promise<{url: string; bodies: Array<Record<string, unknown>>}> {
  const bodies: Array<Record<string, unknown>> = []
  const server = http.createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    request.on('end', () => {
      bodies.push(JSON.parse(text))
      if (answer) response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/SECRETPATH`, bodies}
}

/** The incident: one committed file and three newcomers with its version. */
function incidentProject(notify: string): string {
  const dir = gitProject({
    'supabase/migrations/20260207080000_fix_numeric_search.sql': 'create table search (id int);\n',
    'supabase/sbx.toml': notify,
  })
  writeTree(migrationsDir(dir), {
    '20260207080000_grw011_churn_scoring_function.sql': 'select 1;\n',
    '20260207080000_ctx010_add_metadata_to_document_chunks.sql': 'select 2;\n',
    '20260207080000_sec006_security_monitoring.sql': 'select 3;\n',
  })
  return dir
}

describe('[notify] alerts', () => {
  it('a webhook on loopback receives one event per rename of fix: from, to, reason, kept and text', async () => {
    const hook = await webhookServer()
    const dir = incidentProject(`[notify]\nwebhook = "${hook.url}"\n`)
    const fixed = await runSbx(['fix'], {cwd: dir})
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    expect(hook.bodies).toHaveLength(3)
    const renamed = new Set(listMigrations(dir))
    for (const body of hook.bodies) {
      expect(body).toMatchObject({
        event: 'rename',
        command: 'fix',
        reason: 'duplicate-version',
        kept: '20260207080000_fix_numeric_search.sql',
        source: 'sbx',
      })
      expect(renamed.has(body.to as string)).toBe(true)
      expect(renamed.has(body.from as string)).toBe(false)
      expect(body.text).toContain(`${body.from} → ${body.to}`)
    }
    expect(fixed.stderr).not.toContain('alert')
  })

  it('a webhook that never answers: the renames still happen, the failure is reported on stderr', async () => {
    const hook = await webhookServer(false)
    const dir = incidentProject(`[notify]\nwebhook = "${hook.url}"\ntimeout = 1\n`)
    const fixed = await runSbx(['fix', '--json'], {cwd: dir})
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    expect(listMigrations(dir).filter((f) => f.startsWith('20260207080000_'))).toEqual([
      '20260207080000_fix_numeric_search.sql',
    ])
    expect(listMigrations(dir)).toHaveLength(4)
    expect(hook.bodies).toHaveLength(3)
    expect(fixed.stderr).toContain('alert to the webhook http://127.0.0.1')
    expect(fixed.stderr).toContain('no answer within 1 s')
    // The webhook's secret path never appears.
    expect(fixed.stderr).not.toContain('SECRETPATH')
  })

  it('a failing command is reported and changes nothing; a working one gets the JSON event on stdin', async () => {
    const dir = incidentProject('[notify]\ncommand = "cat >> ../events.jsonl; echo refused by the pager >&2; exit 3"\n')
    const fixed = await runSbx(['fix'], {cwd: dir})
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    expect(listMigrations(dir)).toHaveLength(4)
    expect(fixed.stderr).toContain('alert command failed (exited with 3: refused by the pager)')
    const events = fs
      .readFileSync(path.join(dir, '..', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    onTestFinished(() => fs.rmSync(path.join(dir, '..', 'events.jsonl'), {force: true}))
    expect(events).toHaveLength(3)
    expect(events[0]).toMatchObject({event: 'rename', reason: 'duplicate-version'})
    const log = await runSbx(['log', '--json'], {cwd: dir})
    expect(JSON.parse(log.stdout).entries ?? JSON.parse(log.stdout)).toHaveLength(3)
  })

  it('a refused push is an event, without the password of --db-url', async () => {
    const hook = await webhookServer()
    const db = await throwawayDatabase(POSTGRES_URL ? 'postgres' : 'pglite', {baseline: true})
    const url = new URL(db.url)
    url.password = 'hunter2secret'
    const dir = incidentProject(`[notify]\nwebhook = "${hook.url}"\n`)
    const pushed = await runSbx(['push', '--db-url', url.toString()], {
      cwd: dir,
      env: {SBX_SUPABASE_BIN: SUPABASE_BIN},
      timeoutMs: 120_000,
    })
    expect(pushed.exitCode, pushed.stderr).toBe(3)
    expect(hook.bodies).toHaveLength(1)
    expect(hook.bodies[0]).toMatchObject({event: 'push-refused'})
    expect(JSON.stringify(hook.bodies[0])).toContain('duplicate-version')
    expect(JSON.stringify(hook.bodies[0])).not.toContain('hunter2secret')
  })
})
