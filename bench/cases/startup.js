/**
 * Start-up before and after the capability layout (issue 20): the same commands from commit d01722b (the last
 * before the move) and from this checkout, interleaved in one run. Each is a real process in a small git project,
 * stdin from /dev/null. "No worse" is read as now ≤ 1.05 × before (medians): the rounds of one run here differ by
 * more than that.
 */
import {benchProject, timed} from '../project.js'
import {referenceBuild} from '../reference.js'

const ROUNDS = 15
const REFERENCE = process.env.SBX_BENCH_STARTUP_REFERENCE ?? 'd01722b'
const NOISE = 1.05

const COMMANDS = [
  {label: '`sbx --version` (oclif start-up)', args: () => ['--version']},
  {label: '`sbx check` (no migrations)', args: () => ['check']},
  {label: '`sbx migration new` (fast path)', args: (i) => ['migration', 'new', `startup_${i}`]},
  {
    label: '`sbx verify --json` (no migrations; advisors on the empty embedded database)',
    args: () => ['verify', '--json'],
  },
]

export async function run(ctx) {
  const reference = referenceBuild(ctx, REFERENCE)
  const builds = [
    {key: 'before', bin: reference.bin, cwd: benchProject(ctx, {git: true})},
    {key: 'now', bin: ctx.sbxBin, cwd: benchProject(ctx, {git: true})},
  ]
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1', SBX_CACHE_DIR: ctx.tmpDir()}
  delete env.NODE_ENV
  const times = COMMANDS.map(() => ({before: [], now: []}))
  let n = 0
  for (let round = -1; round < ROUNDS; round++) {
    if (round % 5 === 4) ctx.log(`round ${round + 1}/${ROUNDS}`)
    for (const [c, command] of COMMANDS.entries()) {
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
        const result = await timed('node', [build.bin, ...command.args(n++)], {cwd: build.cwd, env})
        if (result.code !== 0) throw new Error(`${build.key} ${command.label} exited ${result.code}: ${result.stderr}`)
        // Round -1 warms the file cache and is not counted.
        if (round >= 0) times[c][build.key].push(result.ms)
      }
    }
  }
  const rows = COMMANDS.map((command, c) => {
    const before = ctx.median(times[c].before)
    const now = ctx.median(times[c].now)
    const ratio = now / before
    return {
      ratio,
      line: `| ${command.label} | ${before.toFixed(0)} ms | ${now.toFixed(0)} ms | ${ratio.toFixed(2)} | ${ratio <= NOISE ? 'met' : 'missed'} |`,
    }
  })
  const allMet = rows.every((r) => r.ratio <= NOISE)
  const markdown = `Commit ${reference.commit} (before the capability folders) against this checkout, built beside it (bench/reference.js); ${ROUNDS} rounds after one uncounted, each command once per build per round, order alternating. Wall time from spawn to exit, medians.

| Command | before (${reference.commit}) | now | now / before | ≤ ${NOISE} |
|---|---|---|---|---|
${rows.map((r) => r.line).join('\n')}

Start-up no worse than before the move (≤ ${NOISE}× for every command): ${allMet ? '**met**' : '**missed**'}.`
  return {title: 'Start-up before and after the capability layout', markdown}
}
