// sbx check on a folder of 10,000 migrations. Target: ≤ 0.5 s wall.
import {spawnSync} from 'node:child_process'
import {benchProject} from '../project.js'

const FILES = 10_000
const RUNS = 7
const TARGET_MS = 500

export async function run(ctx) {
  const project = benchProject(ctx, {count: FILES, stepMs: 60_000})
  const times = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint()
    const result = spawnSync('node', [ctx.sbxBin, 'check'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    })
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (result.status !== 0) throw new Error(`sbx check exited ${result.status}: ${result.stdout}${result.stderr}`)
  }
  const median = ctx.median(times)
  return {
    title: 'sbx check on 10,000 migrations',
    markdown: [
      `\`sbx check\` over a folder of ${FILES.toLocaleString('en')} migrations (no findings), ${RUNS} runs, process start included.`,
      '',
      `Median **${median.toFixed(0)} ms** (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms) — target ≤ ${TARGET_MS} ms: ${median <= TARGET_MS ? 'PASS' : 'MISS'}.`,
    ].join('\n'),
  }
}
