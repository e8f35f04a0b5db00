/**
 * `sbx migration new` against the real `supabase migration new`:
 * 1. one call at a time, interleaved, in temp projects: median wall times and their ratio (target ≤ 0.30×);
 * 2. 100 calls at once in one project: wall time (target ≤ 8 s for sbx) and duplicate versions.
 * Every command runs as a user runs it: a real process, stdin from /dev/null, no NODE_ENV.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {benchProject} from '../project.js'

const ROUNDS = 21
const WARM_UP = 2
const PARALLEL = 100
const PARALLEL_TRIALS = 3
const RATIO_TARGET = 0.3
// The floor: a bare Node start-up. sbx's fast path against it, target ≤ 1.4× (issue 21).
const NODE_FLOOR_TARGET = 1.4
const PARALLEL_TARGET_S = 8

function childEnv() {
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1'}
  // NODE_ENV=test|development switches oclif into its slower development path lookup.
  delete env.NODE_ENV
  return env
}

/** Runs a command to completion; resolves with its wall time in ms, exit code and stderr. */
function timed(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {cwd, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ms: performance.now() - started, code: code ?? signal, stderr}))
  })
}

function migrationFiles(dir) {
  const folder = path.join(dir, 'supabase', 'migrations')
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((file) => /^\d+_.*\.sql$/.test(file)) : []
}

function versionCounts(dir) {
  const files = migrationFiles(dir)
  const versions = new Set(files.map((file) => file.slice(0, file.indexOf('_'))))
  return {files: files.length, distinct: versions.size, duplicates: files.length - versions.size}
}

/** The platform binary the npm shim starts, to show how much of supabase's time the shim adds. */
function platformBinary(repoRoot) {
  try {
    const require = createRequire(path.join(repoRoot, 'node_modules', 'supabase', 'package.json'))
    const pkg = require.resolve(`@supabase/cli-${process.platform}-${process.arch}/package.json`)
    const bin = path.join(path.dirname(pkg), 'bin', process.platform === 'win32' ? 'supabase.exe' : 'supabase')
    return fs.existsSync(bin) ? bin : undefined
  } catch {
    return undefined
  }
}

const s = (ms) => (ms / 1000).toFixed(3)
const verdict = (ok) => (ok ? '**PASS**' : '**MISS**')

export async function run(ctx) {
  const bare = platformBinary(ctx.repoRoot)
  const tools = [
    {
      key: 'sbx',
      label: '`node bin/run.js migration new` (git repository)',
      command: process.execPath,
      args: (name) => [ctx.sbxBin, 'migration', 'new', name],
      cwd: benchProject(ctx, {git: true}),
    },
    {
      key: 'sbx-nogit',
      label: '`node bin/run.js migration new` (no git)',
      command: process.execPath,
      args: (name) => [ctx.sbxBin, 'migration', 'new', name],
      cwd: benchProject(ctx, {git: false}),
    },
    {
      key: 'supabase',
      label: '`node_modules/.bin/supabase migration new` (npm shim, then the binary)',
      command: ctx.supabaseBin,
      args: (name) => ['migration', 'new', name],
      cwd: benchProject(ctx, {git: true}),
    },
    ...(bare
      ? [
          {
            key: 'supabase-bare',
            label: `\`${path.relative(ctx.repoRoot, bare)} migration new\` (the binary alone)`,
            command: bare,
            args: (name) => ['migration', 'new', name],
            cwd: benchProject(ctx, {git: true}),
          },
        ]
      : []),
    {
      key: 'node',
      label: '`node -e 0` (the floor: Node starting and exiting)',
      command: process.execPath,
      args: () => ['-e', '0'],
      cwd: ctx.tmpDir(),
      makesFiles: false,
    },
  ]

  const runOnce = async (tool, name) => {
    const result = await timed(tool.command, tool.args(name), tool.cwd)
    if (result.code !== 0) throw new Error(`${tool.label} exited ${result.code}: ${result.stderr.trim()}`)
    return result.ms
  }

  ctx.log(`warming up (${WARM_UP} runs each)`)
  for (let i = 0; i < WARM_UP; i++) for (const tool of tools) await runOnce(tool, `warm_up_${i}`)

  const times = new Map(tools.map((tool) => [tool.key, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order every round so that no tool always runs first or right after another.
    const order = tools.map((_, i) => tools[(i + round) % tools.length])
    for (const tool of order) times.get(tool.key).push(await runOnce(tool, `bench_${round}`))
    if ((round + 1) % 5 === 0) ctx.log(`sequential round ${round + 1}/${ROUNDS}`)
  }
  for (const tool of tools.filter((t) => t.makesFiles !== false)) {
    const counts = versionCounts(tool.cwd)
    if (counts.files !== WARM_UP + ROUNDS)
      throw new Error(`${tool.key}: expected ${WARM_UP + ROUNDS} files, found ${counts.files}`)
  }

  const med = (key) => ctx.median(times.get(key))
  const ratio = med('sbx') / med('supabase')
  const sequentialRows = tools.map((tool) => {
    const t = times.get(tool.key)
    const cells = [ctx.median(t), ctx.percentile(t, 10), ctx.percentile(t, 90), Math.min(...t), Math.max(...t)]
    return `| ${tool.label} | ${cells.map(s).join(' | ')} |`
  })

  // 100 processes at once, each tool in a fresh project per trial, the tools alternating.
  const parallel = []
  for (let trial = 1; trial <= PARALLEL_TRIALS; trial++) {
    for (const tool of tools.filter((t) => t.key === 'sbx' || t.key === 'supabase')) {
      const cwd = benchProject(ctx, {git: true})
      ctx.log(`parallel trial ${trial}/${PARALLEL_TRIALS}: ${PARALLEL} × ${tool.key}`)
      const started = performance.now()
      const results = await Promise.all(
        Array.from({length: PARALLEL}, (_, i) => timed(tool.command, tool.args(`parallel_${i}`), cwd)),
      )
      const wall = performance.now() - started
      const failed = results.filter((r) => r.code !== 0)
      parallel.push({
        tool: tool.key,
        trial,
        wall,
        failed: failed.length,
        firstError: failed[0]?.stderr.trim(),
        ...versionCounts(cwd),
      })
    }
  }
  const sbxRuns = parallel.filter((p) => p.tool === 'sbx')
  const supabaseRuns = parallel.filter((p) => p.tool === 'supabase')
  const sbxWall = ctx.median(sbxRuns.map((p) => p.wall))
  const sbxDuplicates = Math.max(...sbxRuns.map((p) => p.duplicates))
  const sbxFailed = sbxRuns.reduce((sum, p) => sum + p.failed, 0)
  const supabaseDuplicates = ctx.median(supabaseRuns.map((p) => p.duplicates))
  const parallelOk =
    sbxWall / 1000 <= PARALLEL_TARGET_S &&
    sbxDuplicates === 0 &&
    sbxFailed === 0 &&
    sbxRuns.every((p) => p.files === PARALLEL)
  const errors = parallel
    .filter((p) => p.firstError)
    .map((p) => `- ${p.tool}, trial ${p.trial}: \`${p.firstError.split('\n').join(' ').slice(0, 300)}\``)

  const markdown = `
One call at a time, interleaved: ${ROUNDS} rounds, each running every command once in an order rotated per
round, after ${WARM_UP} uncounted warm-up runs each. Every call is \`migration new bench_<round>\` in that
command's own temp project (\`supabase/config.toml\`; a fresh git repository unless noted), stdin from
/dev/null, \`SUPABASE_NO_UPDATE_NOTIFIER=1\`, no \`NODE_ENV\`. Wall time from spawn to exit, in seconds.

| Command | median | p10 | p90 | min | max |
|---|---|---|---|---|---|
${sequentialRows.join('\n')}

**sbx / supabase, medians: ${ratio.toFixed(2)}×** (git repository vs \`node_modules/.bin/supabase\`) —
target ≤ ${RATIO_TARGET.toFixed(2)}× — ${verdict(ratio <= RATIO_TARGET)}.
${bare ? `Against the binary alone (no npm shim): ${(med('sbx') / med('supabase-bare')).toFixed(2)}×. ` : ''}sbx outside git against the npm shim: ${(med('sbx-nogit') / med('supabase')).toFixed(2)}×.

**sbx / \`node -e 0\`, medians: ${(med('sbx') / med('node')).toFixed(2)}×** — target ≤ ${NODE_FLOOR_TARGET.toFixed(2)}× —
${verdict(med('sbx') / med('node') <= NODE_FLOOR_TARGET)}.

### ${PARALLEL} calls at once

${PARALLEL} processes \`migration new parallel_<i>\` started together in one fresh git repository; wall time
from the first spawn to the last exit. ${PARALLEL_TRIALS} trials, sbx and supabase alternating. Duplicates =
files whose version another file already has.

| Command | trial | wall (s) | exit ≠ 0 | files | distinct versions | duplicates |
|---|---|---|---|---|---|---|
${parallel.map((p) => `| ${p.tool} | ${p.trial} | ${s(p.wall)} | ${p.failed} | ${p.files} | ${p.distinct} | ${p.duplicates} |`).join('\n')}

**sbx: ${s(sbxWall)} s** (median of ${PARALLEL_TRIALS}) — target ≤ ${PARALLEL_TARGET_S} s — with **${sbxDuplicates}
duplicate versions** and ${sbxFailed} failed calls — ${verdict(parallelOk)}.
supabase, the same ${PARALLEL} calls: **${supabaseDuplicates} duplicate versions** (median of ${PARALLEL_TRIALS};
${supabaseRuns.map((p) => p.distinct).join(', ')} distinct versions for ${PARALLEL} files), wall
${s(ctx.median(supabaseRuns.map((p) => p.wall)))} s.
${errors.length > 0 ? `\nFirst error of each trial with failed calls:\n${errors.join('\n')}\n` : ''}`

  return {title: '`migration new`: sbx against supabase', markdown}
}
