/**
 * The replay cache as a user meets it: the built CLI (npm run build first) in real git repositories, the cache in
 * each repository's git folder. A cached run must report exactly what a whole replay reports; an edit, a broken
 * new file, a damaged entry and two branches verified at once must never give a wrong result.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {runSbx, startSbx} from '../helpers/cli.js'
import {git, gitProject, writeTree} from '../helpers/project.js'
import {REALISTIC_MIGRATIONS} from '../helpers/realistic-migrations.js'

const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR}
/** 30 small files after the realistic 12: a run stores a state only where it saves 20 files or more. */
const FILLER = Object.fromEntries(
  Array.from({length: 30}, (_, i) => [
    `supabase/migrations/202402010000${String(i).padStart(2, '0')}_filler_${i}.sql`,
    `create table public.filler_${i} (id int primary key);\n`,
  ]),
)
const PROJECT = {...REALISTIC_MIGRATIONS, ...FILLER}
const FILES = Object.keys(PROJECT).sort()

/** An advisor finding (a table without RLS) and a high-risk trace (a rewrite of a table with data) on top. */
const RISKY: Record<string, string> = {
  'supabase/migrations/20240301000000_ledger.sql': `
create table public.ledger (id bigint primary key, amount int);
insert into public.ledger select g, g from generate_series(1, 100) g;
`,
  'supabase/migrations/20240302000000_widen.sql': `alter table public.ledger alter column amount type bigint;\n`,
}

async function verifyJson(cwd: string, ...args: string[]): Promise<{exitCode: number; report: VerifyReport}> {
  const {exitCode, stdout, stderr} = await runSbx(['verify', '--json', ...args], {cwd, env})
  try {
    return {exitCode, report: JSON.parse(stdout) as VerifyReport}
  } catch {
    throw new Error(`verify printed no JSON (exit ${exitCode}):\n${stdout}\n${stderr}`)
  }
}

/** The report without what differs between any two runs (wall time) or says where the replay started. */
function comparable(report: VerifyReport): Omit<VerifyReport, 'elapsedMs' | 'cached'> {
  const {elapsedMs: _elapsed, cached: _cached, ...rest} = report
  return rest
}

function cacheDir(cwd: string): string {
  return path.join(cwd, '.git', 'sbx', 'replay-cache')
}

function entries(cwd: string): string[] {
  const dir = cacheDir(cwd)
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.entry')) : []
}

describe('sbx verify with the replay cache', () => {
  it('reports exactly what a whole replay reports (advisors, lint, risk), and --no-cache neither reads nor writes', async () => {
    const cwd = gitProject({...PROJECT, ...RISKY})
    const noCache = await verifyJson(cwd, '--no-cache')
    expect(entries(cwd)).toEqual([])
    expect(noCache.report.cached).toBeUndefined()

    const first = await verifyJson(cwd)
    expect(first.report.cached).toBeUndefined()
    // All files, all but the newest, all but the newest 10.
    expect(entries(cwd)).toHaveLength(3)
    const second = await verifyJson(cwd)
    expect(second.report.cached).toBe(FILES.length + 2)
    const third = await verifyJson(cwd, '--no-cache')
    expect(third.report.cached).toBeUndefined()

    expect(noCache.report.advisors?.findings.length).toBeGreaterThan(0)
    expect(noCache.report.risk?.length).toBeGreaterThan(0)
    for (const run of [first, second, third]) {
      expect(run.exitCode).toBe(noCache.exitCode)
      expect(comparable(run.report)).toEqual(comparable(noCache.report))
    }
    const text = await runSbx(['verify'], {cwd, env})
    expect(text.stdout).toContain(`note   The first ${FILES.length + 2} migrations came from the replay cache`)
  })

  it('an edit that breaks a cached file is caught by the next verify, from the prefix before it', async () => {
    const cwd = gitProject(PROJECT)
    expect((await verifyJson(cwd)).report.ok).toBe(true)
    const edited = FILES[5] as string
    fs.appendFileSync(path.join(cwd, edited), '\nalter table public.nowhere add column x int;\n')

    const {exitCode, report} = await verifyJson(cwd)

    expect(exitCode).toBe(3)
    expect(report.failure?.file).toBe(path.basename(edited))
    expect(report.failure?.error.code).toBe('42P01')
    expect(report.cached ?? 0).toBeLessThanOrEqual(5)
    const whole = await verifyJson(cwd, '--no-cache')
    expect(comparable(report)).toEqual(comparable(whole.report))
  })

  it('a broken new file after a cached prefix is caught, and nothing past its last good file is cached', async () => {
    const cwd = gitProject(PROJECT)
    expect((await verifyJson(cwd)).report.ok).toBe(true)
    const broken = 'supabase/migrations/20240401000000_broken.sql'
    writeTree(cwd, {[broken]: 'create table public.fine (id int);\ninsert into public.missing values (1);\n'})

    const failed = await verifyJson(cwd)

    expect(failed.exitCode).toBe(3)
    expect(failed.report.cached).toBe(FILES.length)
    expect(failed.report.failure?.file).toBe(path.basename(broken))
    expect(failed.report.failure?.statementIndex).toBe(1)
    // Again: still caught (nothing of the failed run was stored past its last good file).
    const again = await verifyJson(cwd)
    expect(again.report.failure?.file).toBe(path.basename(broken))
    expect(again.report.cached).toBe(FILES.length)
    writeTree(cwd, {[broken]: 'create table public.fine (id int);\n'})
    const fixed = await verifyJson(cwd)
    expect(fixed.report.ok).toBe(true)
    expect(fixed.report.cached).toBe(FILES.length)
    // One file past the cached prefix is cheaper to replay than to store.
    expect((await verifyJson(cwd)).report.cached).toBe(FILES.length)
  })

  it('a replay that fails stores the states before the failing file, never one past it', async () => {
    const broken = 'supabase/migrations/20240401000000_broken.sql'
    const cwd = gitProject({...PROJECT, [broken]: 'insert into public.missing values (1);\n'})

    const failed = await verifyJson(cwd)

    expect(failed.report.failure?.file).toBe(path.basename(broken))
    // Of all, all but the newest and all but the newest 10: the two before the broken file.
    expect(entries(cwd)).toHaveLength(2)
    const again = await verifyJson(cwd)
    expect(again.report.cached).toBe(FILES.length)
    expect(again.report.failure?.file).toBe(path.basename(broken))
    expect(comparable(again.report)).toEqual(comparable(failed.report))
  })

  it('ignores a damaged or foreign entry and replays instead', async () => {
    const cwd = gitProject(PROJECT)
    const whole = await verifyJson(cwd)
    for (const name of entries(cwd)) {
      const file = path.join(cacheDir(cwd), name)
      const bytes = fs.readFileSync(file)
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0xff
      fs.writeFileSync(file, bytes)
    }
    // A foreign file under an entry's name: another entry's bytes.
    const [a, b] = entries(cwd)
    fs.copyFileSync(path.join(cacheDir(cwd), a as string), path.join(cacheDir(cwd), `${'0'.repeat(64)}.entry`))
    fs.writeFileSync(path.join(cacheDir(cwd), b as string), 'not an entry')

    const {exitCode, report} = await verifyJson(cwd)

    expect(exitCode).toBe(0)
    expect(report.cached).toBeUndefined()
    expect(comparable(report)).toEqual(comparable(whole.report))
  })

  it('two verifies of different branches at once share the cache and each gets its own result', async () => {
    const main = gitProject(PROJECT)
    expect((await verifyJson(main)).report.ok).toBe(true)
    const other = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-test-wt-')))
    fs.rmSync(other, {recursive: true})
    git(main, 'worktree', 'add', '-q', '-b', 'feature', other)
    onTestFinished(() => fs.rmSync(other, {recursive: true, force: true}))
    writeTree(main, {'supabase/migrations/20240401000000_main.sql': 'insert into public.nothing values (1);\n'})
    writeTree(other, {'supabase/migrations/20240401000000_feature.sql': 'create table public.feature (id int);\n'})

    const runs = [main, other, main, other].map((cwd) => startSbx(['verify', '--json'], {cwd, env, timeoutMs: 170_000}))
    const results = (await Promise.all(runs)).map((run) => ({
      exitCode: run.exitCode,
      report: JSON.parse(String(run.stdout)) as VerifyReport,
    }))

    for (const [index, {exitCode, report}] of results.entries()) {
      expect(report.cached).toBe(FILES.length)
      if (index % 2 === 0) {
        expect(exitCode).toBe(3)
        expect(report.failure?.file).toBe('20240401000000_main.sql')
      } else {
        expect(exitCode).toBe(0)
        expect(report.applied).toBe(FILES.length + 1)
      }
    }
    const feature = await verifyJson(other)
    expect(feature.report.cached).toBe(FILES.length)
    expect(feature.report.ok).toBe(true)
    expect((await verifyJson(main)).report.failure?.file).toBe('20240401000000_main.sql')
  })
})

describe('sbx plan with the replay cache', () => {
  it('reports what a whole replay reports', async () => {
    const cwd = gitProject({...PROJECT, ...RISKY})
    const plan = async (...args: string[]) => {
      const {exitCode, stdout} = await runSbx(['plan', '--format', 'json', ...args], {cwd, env})
      expect(exitCode).toBe(0)
      const report = JSON.parse(stdout) as {elapsedMs?: number; migrations: Array<{replayMs?: number}>}
      delete report.elapsedMs
      for (const migration of report.migrations) delete migration.replayMs
      return report
    }
    const whole = await plan('--no-cache')
    await plan()
    expect(entries(cwd).length).toBeGreaterThan(0)
    expect(await plan()).toEqual(whole)
  })
})
