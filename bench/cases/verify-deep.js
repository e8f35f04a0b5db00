/**
 * `sbx verify` of the same 200-migration project as bench/cases/verify.js with Supabase's security advisors (the
 * real supabase binary on the served embedded database) and the squawk lint, warm cache. Target ≤ 4 s. Then the
 * same on a throwaway database of the PostgreSQL server in SBX_TEST_DATABASE_URL (--shadow-url), reported.
 */
import {expectOk, makeProject, timedVerify} from './verify.js'

const RUNS = 3
const TARGET_S = 4
const s = (ms) => `${(ms / 1000).toFixed(2)} s`

export async function run(ctx) {
  const cache = ctx.tmpDir()
  const project = makeProject(ctx)
  ctx.log('warming the cache (builds the baseline)')
  expectOk(await timedVerify(ctx, project, cache, ['--advisors', 'off', '--lint', 'off']), 'warm-up')

  const deep = []
  for (let i = 0; i < RUNS; i++) {
    ctx.log(`advisors + lint ${i + 1}/${RUNS}`)
    const result = await timedVerify(ctx, project, cache, ['--advisors', 'report', '--lint', 'report'])
    expectOk(result, `advisors + lint run ${i + 1}`)
    deep.push(result)
  }
  const median = ctx.median(deep.map((r) => r.ms))
  const {advisors, lint, statements} = deep[0].report
  const rows = [
    `| **embedded (PGlite), advisors + lint** | **${s(median)}** | ${s(Math.min(...deep.map((r) => r.ms)))} | ${s(Math.max(...deep.map((r) => r.ms)))} | ${RUNS} |`,
  ]
  const server = process.env.SBX_TEST_DATABASE_URL
  let shadowNote = 'SBX_TEST_DATABASE_URL not set: the shadow was not measured.'
  if (server) {
    const shadow = []
    for (let i = 0; i < RUNS; i++) {
      ctx.log(`shadow ${i + 1}/${RUNS}`)
      const result = await timedVerify(ctx, project, cache, ['--shadow-url', server])
      expectOk(result, `shadow run ${i + 1}`)
      shadow.push(result)
    }
    const ms = shadow.map((r) => r.ms)
    rows.push(
      `| shadow on ${shadow[0].report.database.version}, advisors + lint | ${s(ctx.median(ms))} | ${s(Math.min(...ms))} | ${s(Math.max(...ms))} | ${RUNS} |`,
    )
    shadowNote = `Shadow: a throwaway database created, given the baseline, replayed, advised and dropped per run.`
  }
  const verdict = median <= TARGET_S * 1000 ? '**met**' : '**missed**'
  const markdown = `Project: 200 migrations, ${statements} statements (bench/cases/verify.js). Each run is \`node bin/run.js verify --json\` in a new process, warm cache; wall time from spawn to exit. Advisors: ${advisors.findings.length} findings (supabase ${advisors.supabase}); lint: ${lint.findings.length} findings in ${lint.files.length} files (squawk ${lint.squawk}).

| Run | Median | Min | Max | Runs |
|---|---|---|---|---|
${rows.join('\n')}

Target ≤ ${TARGET_S} s on the embedded database: ${verdict} (median ${s(median)}). ${shadowNote}`
  return {title: 'sbx verify: 200 migrations with advisors and lint (embedded, and a PostgreSQL shadow)', markdown}
}
