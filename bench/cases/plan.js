/**
 * `sbx plan --format json` on verify's 200-migration project (bench/cases/verify.js), run as a user runs it: the
 * built CLI in a real process, the baseline cache warm. Plan replays every migration like verify and reads the
 * replay database's catalogs between files. Target: ≤ 4 s wall time.
 */
import {timed} from '../project.js'
import {makeProject} from './verify.js'

const WARM_RUNS = 5
const TARGET_S = 4

async function timedPlan(ctx, cwd, cacheDir) {
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1', SBX_CACHE_DIR: cacheDir}
  delete env.NODE_ENV
  const {ms, code, stdout, stderr} = await timed('node', [ctx.sbxBin, 'plan', '--format', 'json'], {cwd, env})
  try {
    const report = JSON.parse(stdout)
    if (code !== 0 || report.failure) throw new Error(`exit ${code}`)
    return {ms, report}
  } catch (error) {
    throw new Error(`sbx plan failed (${error.message}):\n${stdout.slice(0, 2000)}\n${stderr}`)
  }
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`

export async function run(ctx) {
  const cache = ctx.tmpDir()
  const project = makeProject(ctx)
  ctx.log('cold run (builds the baseline)')
  const cold = await timedPlan(ctx, project, cache)
  const warm = []
  for (let i = 0; i < WARM_RUNS; i++) {
    ctx.log(`warm run ${i + 1}/${WARM_RUNS}`)
    warm.push(await timedPlan(ctx, project, cache))
  }
  const ms = warm.map((r) => r.ms)
  const median = ctx.median(ms)
  const inner = ctx.median(warm.map((r) => r.report.elapsedMs))
  const report = warm[0].report
  const verdict = median <= TARGET_S * 1000 ? '**met**' : '**missed**'
  const markdown = `Project: verify's ${report.migrations.length} migrations, all pending (no embedded database yet). Each run is \`node bin/run.js plan --format json\` in a new process; wall time from spawn to exit. The report lists ${report.checklist.length} objects to check after the deploy.

| Run | Median | Min | Max | Runs |
|---|---|---|---|---|
| cold cache: builds the baseline, then plans | ${s(cold.ms)} | | | 1 |
| **warm cache: plan ${report.migrations.length} migrations** | **${s(median)}** | ${s(Math.min(...ms))} | ${s(Math.max(...ms))} | ${WARM_RUNS} |
| of which inside the plan workflow (report's elapsedMs) | ${s(inner)} | | | ${WARM_RUNS} |

Target ≤ ${TARGET_S} s warm: ${verdict} (median ${s(median)}).`
  return {title: `sbx plan: ${report.migrations.length} migrations on the embedded database`, markdown}
}
