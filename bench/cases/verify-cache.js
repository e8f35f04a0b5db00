/**
 * The replay cache (issue 21): a pull request adding 5 migrations to a project of 1,000 should cost about what
 * those 5 cost alone. Side by side in one run, each a new `node bin/run.js verify --json` process:
 *
 * - big: 1,000 migrations (4 statements each) committed in a git repository, verified once to fill the cache
 *   (the states after 990, 999 and 1,000 files), then 5 new files added; each measured run starts from a copy
 *   of that cache, so it reuses the 1,000 and replays the 5;
 * - small: a project holding only the same 5 files, `--no-cache` (what verifying 5 files costs from scratch);
 * - both replay only (`--advisors off --lint off`) and with advisors and lint (`report`);
 * - for scale: big + 5 with `--no-cache` (today's whole replay), once.
 *
 * Targets (issue 21): big cached / small ≤ 1.5 replay only, ≤ 2.0 with advisors and lint.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {benchProject} from '../project.js'
import {expectOk, timedVerify} from './verify.js'

const BIG = 1000
const NEW = 5
const RUNS = 3
const REPLAY_ONLY = ['--advisors', 'off', '--lint', 'off']
const DEEP = ['--advisors', 'report', '--lint', 'report']
const TARGETS = {replay: 1.5, deep: 2.0}

/** Four statements: a table referencing the one before, an index, RLS, a policy. */
function sql(name, previous) {
  const ref = previous ? `,\n  parent_id bigint references public.${previous} (id)` : ''
  return `create table public.${name} (
  id bigint generated always as identity primary key,
  owner_id uuid not null default auth.uid() references auth.users (id)${ref},
  label text not null
);
create index ${name}_owner_idx on public.${name} (owner_id);
alter table public.${name} enable row level security;
create policy "${name} owner" on public.${name} for all to authenticated using (owner_id = (select auth.uid()));
`
}

function newFiles() {
  const files = {}
  for (let i = 0; i < NEW; i++) {
    const version = `2030010100000${i}`
    files[`${version}_feature_${i}.sql`] = sql(`feature_${i}`, i > 0 ? `feature_${i - 1}` : undefined)
  }
  return files
}

function write(dir, files) {
  for (const [name, text] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'supabase', 'migrations', name), text)
}

function unwrite(dir, files) {
  for (const name of Object.keys(files)) fs.rmSync(path.join(dir, 'supabase', 'migrations', name))
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`

export async function run(ctx) {
  const baselineCache = ctx.tmpDir()
  const big = benchProject(ctx, {count: BIG, git: true, sql: (i) => sql(`t${i}`, i > 0 ? `t${i - 1}` : undefined)})
  const small = benchProject(ctx, {count: 0})
  write(small, newFiles())
  const cacheDir = path.join(big, '.git', 'sbx', 'replay-cache')
  const rows = []
  const fills = {}
  let entries = []
  let entryBytes = 0
  for (const [mode, args] of [
    ['replay', REPLAY_ONLY],
    ['deep', DEEP],
  ]) {
    // What rides with a state depends on the mode (the advisors' ledger): each fills its own, once.
    ctx.log(`${mode}: filling the replay cache with ${BIG} migrations`)
    fs.rmSync(cacheDir, {recursive: true, force: true})
    const fill = await timedVerify(ctx, big, baselineCache, args)
    expectOk(fill, `fill ${mode}`)
    fills[mode] = fill.ms
    const filled = path.join(ctx.tmpDir(), 'filled')
    fs.cpSync(cacheDir, filled, {recursive: true})
    entries = fs.readdirSync(filled)
    entryBytes = entries.reduce((sum, name) => sum + fs.statSync(path.join(filled, name)).size, 0)
    write(big, newFiles())
    const bigRuns = []
    const smallRuns = []
    const againstRuns = []
    for (let i = 0; i < RUNS; i++) {
      ctx.log(`${mode} ${i + 1}/${RUNS}`)
      fs.rmSync(cacheDir, {recursive: true, force: true})
      fs.cpSync(filled, cacheDir, {recursive: true})
      const cached = await timedVerify(ctx, big, baselineCache, args)
      expectOk(cached, `big cached ${mode}`)
      if (cached.report.cached !== BIG) throw new Error(`expected ${BIG} cached files, got ${cached.report.cached}`)
      bigRuns.push(cached.ms)
      const alone = await timedVerify(ctx, small, baselineCache, [...args, '--no-cache'])
      expectOk(alone, `small ${mode}`)
      smallRuns.push(alone.ms)
      if (mode !== 'deep') continue
      // As a pull request's CI runs it: only the branch's 5 files are linted and may block.
      fs.rmSync(cacheDir, {recursive: true, force: true})
      fs.cpSync(filled, cacheDir, {recursive: true})
      const against = await timedVerify(ctx, big, baselineCache, [...args, '--against', 'main'])
      expectOk(against, 'big cached --against main')
      againstRuns.push(against.ms)
    }
    unwrite(big, newFiles())
    const ratio = ctx.median(bigRuns) / ctx.median(smallRuns)
    ctx.log(`${mode}: ${s(ctx.median(bigRuns))} / ${s(ctx.median(smallRuns))} = ${ratio.toFixed(2)}`)
    const label = mode === 'replay' ? 'replay only' : 'advisors + lint'
    rows.push(
      `| ${label} | ${s(ctx.median(bigRuns))} | ${s(ctx.median(smallRuns))} | **${ratio.toFixed(2)}** | ≤ ${TARGETS[mode]} | ${ratio <= TARGETS[mode] ? 'met' : 'missed'} |`,
    )
    if (againstRuns.length > 0) {
      const against = ctx.median(againstRuns) / ctx.median(smallRuns)
      ctx.log(
        `deep --against main: ${s(ctx.median(againstRuns))} / ${s(ctx.median(smallRuns))} = ${against.toFixed(2)}`,
      )
      rows.push(
        `| advisors + lint, big with \`--against main\` (lints the 5) | ${s(ctx.median(againstRuns))} | ${s(ctx.median(smallRuns))} | ${against.toFixed(2)} | (for scale) | |`,
      )
    }
  }
  write(big, newFiles())
  ctx.log('whole replay of big + 5, --no-cache')
  const whole = await timedVerify(ctx, big, baselineCache, [...REPLAY_ONLY, '--no-cache'])
  expectOk(whole, 'whole')
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: ctx.repoRoot, encoding: 'utf8'}).trim()
  const markdown = `Projects: ${BIG} migrations of 4 statements each (a table referencing the one before, an index, RLS, a policy), committed in git, plus ${NEW} new ones; and a project holding only those ${NEW}. Each run is \`node bin/run.js verify --json\` in a new process, wall time from spawn to exit, median of ${RUNS}; each big run starts from the cache the first verify of the ${BIG} left (${entries.length} entries, ${(entryBytes / 1024 ** 2).toFixed(0)} MB in all) and reports \`cached: ${BIG}\`. The small project runs with \`--no-cache\`. Commit ${commit}.

| Mode | ${BIG} cached + ${NEW} new | only the ${NEW} | Ratio | Target | |
|---|---|---|---|---|---|
${rows.join('\n')}

For scale: the first verify of the ${BIG}, storing 3 states, took ${s(fills.replay)} replay only and ${s(fills.deep)} with advisors and lint; the ${BIG} + ${NEW} with \`--no-cache\`, replay only, take ${s(whole.ms)}.`
  return {
    title: `sbx verify with the replay cache: ${BIG} cached + ${NEW} new migrations against the ${NEW} alone`,
    markdown,
  }
}
