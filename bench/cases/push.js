// sbx push --no-verify of 200 migrations against bare `supabase db push` of the same files, each to a fresh
// PostgreSQL database, interleaved in one run. Target: ratio ≤ 1.10 (issue 21).
import {execFileSync, spawnSync} from 'node:child_process'
import pg from 'pg'
import {benchProject} from '../project.js'

const MIGRATIONS = 200
// The server's commit latency drifts within a run (fsync on this machine's disk: supabase's own push went from
// 2.0 s to 3.4 s in one run, measured), so trials are interleaved and the ratio of each pair is reported too.
const TRIALS = 13
const TARGET_RATIO = 1.1

export async function run(ctx) {
  const adminUrl =
    process.env.SBX_BENCH_DATABASE_URL ??
    process.env.SBX_TEST_DATABASE_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres'
  const admin = new pg.Client({connectionString: adminUrl})
  try {
    await admin.connect()
  } catch (error) {
    return {
      title: 'sbx push vs supabase db push',
      markdown: `Not measured: no PostgreSQL at ${adminUrl} (${error.message}).`,
    }
  }
  const project = benchProject(ctx, {
    count: MIGRATIONS,
    sql: (i) =>
      `create table t${i} (id bigint primary key, name text not null);\ncreate index t${i}_name on t${i} (name);\n`,
  })
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1', SBX_SUPABASE_BIN: ctx.supabaseBin}
  for (const name of ['AI_AGENT', 'CLAUDECODE', 'CURSOR_AGENT', 'GEMINI_CLI']) delete env[name]
  const times = {sbx: [], supabase: []}
  let n = 0
  const freshDatabase = async () => {
    const name = `sbx_bench_${process.pid}_${n++}`
    await admin.query(`create database ${name}`)
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    url.searchParams.set('sslmode', 'disable')
    return {name, url: url.toString()}
  }
  const timed = (cmd, args) => {
    const start = process.hrtime.bigint()
    const result = spawnSync(cmd, args, {cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0)
      throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${result.stderr || result.stdout}`)
    return ms
  }
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      for (const tool of trial % 2 === 0 ? ['sbx', 'supabase'] : ['supabase', 'sbx']) {
        const db = await freshDatabase()
        ctx.log(`push trial ${trial + 1}/${TRIALS}: ${tool}`)
        times[tool].push(
          tool === 'sbx'
            ? timed('node', [ctx.sbxBin, 'push', '--db-url', db.url, '--no-verify'])
            : timed(ctx.supabaseBin, ['db', 'push', `--remote=${db.url}`, '--yes', '--agent=no']),
        )
        await admin.query(`drop database ${db.name} with (force)`)
      }
    }
  } finally {
    await admin.end()
  }
  const sbx = ctx.median(times.sbx)
  const supabase = ctx.median(times.supabase)
  const ratio = sbx / supabase
  const pairwise = ctx.median(times.sbx.map((t, i) => t / times.supabase[i]))
  const version = execFileSync(ctx.supabaseBin, ['--version'], {encoding: 'utf8'}).trim()
  return {
    title: 'sbx push vs supabase db push (200 migrations)',
    markdown: [
      `${MIGRATIONS} migrations (a table and an index each) pushed to a fresh PostgreSQL database per run, ${TRIALS} runs each, interleaved. sbx: \`sbx push --db-url URL --no-verify\` (repository lock, advisory lock, preflight against the history, supabase db push, confirmation). supabase ${version}: \`supabase db push --remote=URL --yes --agent=no\`.`,
      '',
      '| | median wall time | runs (ms) |',
      '|---|---|---|',
      `| sbx push --no-verify | ${(sbx / 1000).toFixed(2)} s | ${times.sbx.map((t) => t.toFixed(0)).join(', ')} |`,
      `| supabase db push | ${(supabase / 1000).toFixed(2)} s | ${times.supabase.map((t) => t.toFixed(0)).join(', ')} |`,
      '',
      `Ratio sbx / supabase: **${ratio.toFixed(3)}** (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'PASS' : 'MISS'}). Median of the ${TRIALS} side-by-side pairs' ratios: ${pairwise.toFixed(3)}.`,
    ].join('\n'),
  }
}
