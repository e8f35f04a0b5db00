/**
 * `sbx squash` on the 200-migration bench project (bench/cases/verify.js's makeProject: tables on auth.users with
 * RLS, SECURITY DEFINER functions, triggers, pg_trgm indexes, views, enums, storage buckets and policies), then
 * `sbx verify` before and after: the ratio is what a squash saves on every pull request. Each run is the built
 * CLI in a new process, with a warm baseline cache.
 */
import fs from 'node:fs'
import path from 'node:path'
import {timed} from '../project.js'
import {expectOk, makeProject, timedVerify} from './verify.js'

const VERIFY_RUNS = 5

const s = (ms) => `${(ms / 1000).toFixed(2)} s`

export async function run(ctx) {
  const cache = ctx.tmpDir()
  const project = makeProject(ctx)
  const env = {
    ...process.env,
    SUPABASE_NO_UPDATE_NOTIFIER: '1',
    SBX_CACHE_DIR: cache,
    SBX_SUPABASE_BIN: ctx.supabaseBin,
  }
  delete env.NODE_ENV

  ctx.log('warming the baseline cache')
  expectOk(await timedVerify(ctx, project, cache), 'warm-up verify')
  const before = []
  for (let i = 0; i < VERIFY_RUNS; i++) {
    ctx.log(`verify before the squash ${i + 1}/${VERIFY_RUNS}`)
    const result = await timedVerify(ctx, project, cache)
    expectOk(result, 'verify before')
    before.push(result.ms)
  }

  ctx.log('sbx squash (all 200 migrations)')
  const squash = await timed('node', [ctx.sbxBin, 'squash', '--json'], {cwd: project, env})
  if (squash.code !== 0) throw new Error(`sbx squash exited ${squash.code}: ${squash.stdout}\n${squash.stderr}`)
  const report = JSON.parse(squash.stdout)
  const files = fs.readdirSync(path.join(project, 'supabase', 'migrations'))

  const after = []
  for (let i = 0; i < VERIFY_RUNS; i++) {
    ctx.log(`verify after the squash ${i + 1}/${VERIFY_RUNS}`)
    const result = await timedVerify(ctx, project, cache)
    expectOk(result, 'verify after')
    after.push(result.ms)
  }
  const b = ctx.median(before)
  const a = ctx.median(after)
  const markdown = `Project: 200 migrations (bench/cases/verify.js). \`sbx squash\` (prove, then write) in a new process; verify with advisors and lint off, ${VERIFY_RUNS} runs each, median.

| Step | Wall time |
|---|---|
| sbx squash: 200 → ${files.length} file (${report.proof.statements} statements; ${report.proof.objects} objects, ${report.proof.buckets} buckets) | ${s(squash.ms)} |
| of which: replay of the originals / pg_dump (WebAssembly) / replay and comparison of the squash | ${s(report.proof.timings.replayMs)} / ${s(report.proof.timings.dumpMs)} / ${s(report.proof.timings.proofMs)} |
| verify before (200 files) | ${s(b)} |
| **verify after (1 file)** | **${s(a)}** |

Verify after / before: **${(a / b).toFixed(2)}** (${((1 - a / b) * 100).toFixed(0)} % less).`
  return {title: 'sbx squash: the 200-migration project, and verify before/after', markdown}
}
