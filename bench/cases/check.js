// sbx check on a folder of 10,000 migrations. Target: ≤ 0.5 s wall.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const FILES = 10_000
const RUNS = 7
const TARGET_MS = 500

export async function run(ctx) {
  const project = ctx.tmpDir()
  const dir = path.join(project, 'supabase', 'migrations')
  fs.mkdirSync(dir, {recursive: true})
  fs.writeFileSync(path.join(project, 'supabase', 'config.toml'), 'project_id = "bench"\n')
  const start = Date.UTC(2020, 0, 1)
  for (let i = 0; i < FILES; i++) {
    const version = new Date(start + i * 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)
    fs.writeFileSync(path.join(dir, `${version}_m${i}.sql`), `create table t${i} (id int);\n`)
  }
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
