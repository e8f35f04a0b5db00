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
  // Both ways a pull request's check runs: replaying every file (--no-cache, as in a CI without a kept cache),
  // and from the replay cache the previous verify left.
  const verifyRuns = async (when) => {
    const runs = {noCache: [], cached: []}
    for (let i = 0; i < VERIFY_RUNS; i++) {
      for (const mode of i % 2 === 0 ? ['noCache', 'cached'] : ['cached', 'noCache']) {
        ctx.log(`verify ${when} the squash ${i + 1}/${VERIFY_RUNS} (${mode})`)
        const args = ['--advisors', 'off', '--lint', 'off', ...(mode === 'noCache' ? ['--no-cache'] : [])]
        const result = await timedVerify(ctx, project, cache, args)
        expectOk(result, `verify ${when}`)
        runs[mode].push(result.ms)
      }
    }
    return {noCache: ctx.median(runs.noCache), cached: ctx.median(runs.cached)}
  }
  const before = await verifyRuns('before')

  ctx.log('sbx squash (all 200 migrations)')
  const squash = await timed('node', [ctx.sbxBin, 'squash', '--json'], {cwd: project, env})
  if (squash.code !== 0) throw new Error(`sbx squash exited ${squash.code}: ${squash.stdout}\n${squash.stderr}`)
  const report = JSON.parse(squash.stdout)
  const files = fs.readdirSync(path.join(project, 'supabase', 'migrations'))

  ctx.log('verify after the squash: the first run stores its replay state')
  expectOk(await timedVerify(ctx, project, cache), 'first verify after')
  const after = await verifyRuns('after')
  // The risk trace probes the locks after every statement, and one squashed file is one long transaction.
  const untraced = []
  for (let i = 0; i < VERIFY_RUNS; i++) {
    ctx.log(`verify after the squash ${i + 1}/${VERIFY_RUNS} (--no-cache, risk off)`)
    const args = ['--advisors', 'off', '--lint', 'off', '--no-cache']
    const result = await timedVerify(ctx, project, cache, args, ctx.sbxBin, {SBX_VERIFY_RISK: 'off'})
    expectOk(result, 'verify after, risk off')
    untraced.push(result.ms)
  }
  const ratio = (mode) => {
    const r = after[mode] / before[mode]
    return `${r.toFixed(2)}× (${Math.abs((1 - r) * 100).toFixed(0)} % ${r <= 1 ? 'less' : 'more'})`
  }
  const markdown = `Project: 200 migrations (bench/cases/verify.js). \`sbx squash\` (prove, then write) in a new process; verify with advisors and lint off, ${VERIFY_RUNS} runs of each mode, interleaved, median.

| Step | Wall time |
|---|---|
| sbx squash: 200 → ${files.length} file (${report.proof.statements} statements; ${report.proof.objects} objects, ${report.proof.buckets} buckets) | ${s(squash.ms)} |
| of which: replay of the originals / pg_dump (WebAssembly) / replay and comparison of the squash | ${s(report.proof.timings.replayMs)} / ${s(report.proof.timings.dumpMs)} / ${s(report.proof.timings.proofMs)} |
| verify before (200 files), \`--no-cache\` / from the replay cache | ${s(before.noCache)} / ${s(before.cached)} |
| **verify after (1 file)**, \`--no-cache\` / from the replay cache | **${s(after.noCache)}** / ${s(after.cached)} |
| verify after (1 file), \`--no-cache\`, \`[verify] risk = "off"\` | ${s(ctx.median(untraced))} |

Verify after / before: **${ratio('noCache')}** replaying every file; ${ratio('cached')} from the replay cache.`
  return {title: 'sbx squash: the 200-migration project, and verify before/after', markdown}
}
