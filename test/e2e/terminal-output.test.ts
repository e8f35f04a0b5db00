/**
 * What sbx prints, under hostile input: text from outside never drives the terminal, an error is one line (plus
 * `Try:` lines) with its documented exit code, and under --json a small object, whatever oclif would have said.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {runSbx, SBX_BIN, SUPABASE_BIN} from '../helpers/cli.js'
import {needsServer, throwawayDatabase} from '../helpers/databases.js'
import {listMigrations, migrationsDir, tmpProject} from '../helpers/project.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw escape bytes is the point.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u

describe('names read from a database reach the terminal escaped', () => {
  needsServer()
  it('check --db-url: a history name that clears the screen and forges an "ok" line is printed as text', async () => {
    const db = await throwawayDatabase('postgres')
    const forged = '\u001b[2J\u001b[31mFAKE ok\u009b0m'
    await db.query(`create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)`)
    await db.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
      '20260101000009',
      forged,
    ])
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const result = await runSbx(['check', '--db-url', db.url], {cwd: dir, env})
    expect(result.exitCode, result.stdout + result.stderr).toBe(3)
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL)
    expect(result.stdout).toContain('\\u001b[2J\\u001b[31mFAKE ok\\u009b0m')
  })
})

describe('errors', () => {
  it.each([['check'], ['verify'], ['push'], ['plan'], ['migration', 'new', 'x'], ['registry', 'list']])(
    'an unknown flag under --json: %s gives a small error object, exit 2',
    async (...command) => {
      const dir = tmpProject()
      const result = await runSbx([...command, '--no-such-flag', '--json'], {cwd: dir, env})
      expect(result.exitCode, result.stderr).toBe(2)
      expect(Buffer.byteLength(result.stdout)).toBeLessThan(4096)
      expect(JSON.parse(result.stdout).error).toMatchObject({code: 'EUSAGE', exitCode: 2})
      expect(JSON.parse(result.stdout).error.message).toContain('--no-such-flag')
      const human = await runSbx([...command, '--no-such-flag'], {cwd: dir, env})
      expect(human.exitCode).toBe(2)
      // One line, then one unwrapped Try: line naming the command's help.
      expect(human.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^Error: .*--no-such-flag.*\(EUSAGE\)$/u),
        `Try: sbx ${command.filter((word) => word !== 'x').join(' ')} --help`,
      ])
    },
  )

  it('a long message stays one line, with its code, then one Try: line per suggestion', async () => {
    const missing = path.join('/nonexistent', 'a'.repeat(120), 'b'.repeat(60))
    const result = await runSbx(['check', '--workdir', missing], {cwd: tmpProject(), env})
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `Error: --workdir ${missing} is not a folder: pass the folder that holds supabase/. (ENOWORKDIR)`,
    ])
  })
})

describe('names that are not UTF-8', () => {
  it.each([[[]], [['--json']]])(
    'migration new with a Latin-1 byte %j: exit 2 at creation, nothing written',
    async (extra) => {
      const dir = tmpProject()
      // The shell passes the byte 0xE9 as it is; Node would decode it to U+FFFD and write that.
      const result = await execa(
        'sh',
        ['-c', `node "$0" migration new "$(printf 'caf\\351')" "$@"`, SBX_BIN, ...extra],
        {
          cwd: dir,
          reject: false,
        },
      )
      expect(result.exitCode, result.stderr).toBe(2)
      const shown = extra.length > 0 ? JSON.parse(result.stdout).error : {message: result.stderr}
      expect(shown.message).toContain('not valid UTF-8')
      expect(listMigrations(dir)).toEqual([])
    },
  )

  it('two non-UTF-8 names sharing a version: check shows the duplicate', async () => {
    const dir = tmpProject({'supabase/migrations/.keep': ''})
    for (const byte of [0xe9, 0xe8]) {
      const name = Buffer.concat([
        Buffer.from(`${migrationsDir(dir)}/20260101000000_caf`),
        Buffer.from([byte, 0x2e, 0x73, 0x71, 0x6c]),
      ])
      fs.writeFileSync(name, 'select 1;')
    }
    const result = await runSbx(['check', '--json'], {cwd: dir, env})
    expect(result.exitCode).toBe(3)
    const duplicates = JSON.parse(result.stdout).findings.filter(
      (f: {kind: string}) => f.kind === 'duplicate-version',
    ) as {version: string; files: string[]}[]
    expect(duplicates).toHaveLength(1)
    expect(duplicates[0]?.version).toBe('20260101000000')
    expect(duplicates[0]?.files).toHaveLength(2)
    expect(new Set(duplicates[0]?.files).size).toBe(2)
  })

  it('a file whose name is not UTF-8: check, fix --dry-run and fix give the same verdict, and nothing moves', async () => {
    const dir = tmpProject({'supabase/migrations/20260101000000_a.sql': 'select 1;'})
    const bad = Buffer.concat([Buffer.from(`${migrationsDir(dir)}/20260101000001_caf`), Buffer.from([0xe9, 0x2e])])
    fs.writeFileSync(Buffer.concat([bad, Buffer.from('sql')]), 'select 2;')
    const before = fs.readdirSync(migrationsDir(dir), {encoding: 'buffer'}).map(String).sort()
    const exits = []
    for (const args of [['check'], ['fix', '--dry-run'], ['fix']]) {
      const result = await runSbx(args, {cwd: dir, env})
      expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL)
      exits.push(result.exitCode)
    }
    expect(exits).toEqual([3, 3, 3])
    expect(fs.readdirSync(migrationsDir(dir), {encoding: 'buffer'}).map(String).sort()).toEqual(before)
  })
})
