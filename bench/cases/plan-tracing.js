/**
 * What the risk trace costs: `sbx plan --format json` on verify's 200-migration project, with tracing (the
 * default: a pg_locks query after every statement, a pg_class read after every file) and without it
 * (SBX_VERIFY_RISK=off, the same as `[verify] risk = "off"`), interleaved in the same session so both see the
 * same machine load. Target: traced ≤ 1.2 × untraced (medians).
 */
import {timed} from '../project.js'
import {makeProject} from './verify.js'

const RUNS = 5
const TARGET_RATIO = 1.2

async function timedPlan(ctx, cwd, cacheDir, risk) {
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1', SBX_CACHE_DIR: cacheDir, SBX_VERIFY_RISK: risk}
  delete env.NODE_ENV
  const {ms, code, stdout, stderr} = await timed('node', [ctx.sbxBin, 'plan', '--format', 'json'], {cwd, env})
  try {
    const report = JSON.parse(stdout)
    if (code !== 0 || report.failure) throw new Error(`exit ${code}`)
    const traced = report.migrations.filter((m) => m.risk !== undefined).length
    if ((risk === 'off') !== (traced === 0)) throw new Error(`risk ${risk} but ${traced} migrations traced`)
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
  await timedPlan(ctx, project, cache, 'off')
  const runs = {report: [], off: []}
  for (let i = 0; i < RUNS; i++) {
    for (const risk of i % 2 === 0 ? ['report', 'off'] : ['off', 'report']) {
      ctx.log(`run ${i + 1}/${RUNS}, risk = ${risk}`)
      runs[risk].push(await timedPlan(ctx, project, cache, risk))
    }
  }
  const median = (list) => ctx.median(list.map((r) => r.ms))
  const inner = (list) => ctx.median(list.map((r) => r.report.elapsedMs))
  const ratio = median(runs.report) / median(runs.off)
  const innerRatio = inner(runs.report) / inner(runs.off)
  const n = runs.report[0].report.migrations.length
  const verdict = ratio <= TARGET_RATIO ? '**met**' : '**missed**'
  const markdown = `Project: verify's ${n} migrations, all pending. Each run is \`node bin/run.js plan --format json\` in a new process, traced (default) and untraced (\`SBX_VERIFY_RISK=off\`) alternately, ${RUNS} of each.

| Run | Median wall | Min | Max | Median inside plan (elapsedMs) |
|---|---|---|---|---|
| traced (risk = "report") | ${s(median(runs.report))} | ${s(Math.min(...runs.report.map((r) => r.ms)))} | ${s(Math.max(...runs.report.map((r) => r.ms)))} | ${s(inner(runs.report))} |
| untraced (risk = "off") | ${s(median(runs.off))} | ${s(Math.min(...runs.off.map((r) => r.ms)))} | ${s(Math.max(...runs.off.map((r) => r.ms)))} | ${s(inner(runs.off))} |

Traced / untraced: ${ratio.toFixed(2)}× wall, ${innerRatio.toFixed(2)}× inside the workflow. Target ≤ ${TARGET_RATIO}×: ${verdict}.`
  return {title: `sbx plan: the risk trace's cost on ${n} migrations`, markdown}
}
