/**
 * `sbx migration new` with the team registry:
 * 1. one call at a time, interleaved: sbx with a Postgres registry on loopback, sbx without a registry, and the
 *    real `supabase migration new` — median wall times and ratios (targets ≤ 0.35× with the registry, ≤ 0.30×
 *    without);
 * 2. 100 calls across 4 clones of one bare origin (25 at once in each) with the Postgres registry: wall time
 *    (target ≤ 12 s), distinct versions, reservations;
 * 3. 20 calls across 4 clones (5 at once in each) with the git registry: wall time and push retries.
 * The Postgres registry is a throwaway database on $SBX_TEST_DATABASE_URL (default: the local server).
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import {benchProject, timed} from '../project.js'

const ROUNDS = 15
const WARM_UP = 2
const RATIO_TARGET = 0.35
const PLAIN_RATIO_TARGET = 0.3
const FLEET_TARGET_S = 12
const ADMIN_URL = process.env.SBX_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@sbx.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@sbx.invalid',
}

function childEnv() {
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1'}
  delete env.NODE_ENV
  delete env.SBX_REGISTRY_URL
  return env
}

async function throwawayDatabase() {
  const name = `sbx_bench_${Math.random().toString(16).slice(2, 10)}`
  const admin = new pg.Client({connectionString: ADMIN_URL})
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async count() {
      const client = new pg.Client({connectionString: url.toString()})
      await client.connect()
      const result = await client.query('select count(*)::int as n from sbx.reservations')
      await client.end()
      return result.rows[0].n
    },
    async drop() {
      const cleanup = new pg.Client({connectionString: ADMIN_URL})
      await cleanup.connect()
      await cleanup.query(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}

function git(cwd, ...args) {
  return execFileSync('git', args, {cwd, env: {...process.env, ...GIT_ENV}, encoding: 'utf8'})
}

/** A bare origin with a supabase project on main, and `count` clones of it, each with `files` written. */
function clones(ctx, count, files) {
  const root = ctx.tmpDir()
  const origin = path.join(root, 'origin.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', origin)
  git(origin, 'config', 'receive.denyNonFastForwards', 'true')
  const seed = path.join(root, 'seed')
  git(root, 'clone', '-q', origin, seed)
  fs.mkdirSync(path.join(seed, 'supabase', 'migrations'), {recursive: true})
  fs.writeFileSync(path.join(seed, 'supabase', 'config.toml'), 'project_id = "bench"\n')
  git(seed, 'add', '-A')
  git(seed, 'commit', '-q', '-m', 'initial')
  git(seed, 'push', '-q', 'origin', 'HEAD:main')
  const dirs = Array.from({length: count}, (_, i) => {
    const dir = path.join(root, `clone${i}`)
    git(root, 'clone', '-q', '-b', 'main', origin, dir)
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content)
    return dir
  })
  return {origin, dirs}
}

function migrationFiles(dir) {
  const folder = path.join(dir, 'supabase', 'migrations')
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((file) => /^\d+_.*\.sql$/.test(file)) : []
}

const s = (ms) => (ms / 1000).toFixed(3)
const verdict = (ok) => (ok ? '**PASS**' : '**MISS**')

/** `calls` migration new spread over the clones, all started at once; wall time and what they produced. */
async function fleet(ctx, dirs, perClone) {
  const started = performance.now()
  const results = await Promise.all(
    dirs.flatMap((dir, c) =>
      Array.from({length: perClone}, (_, i) =>
        timed(process.execPath, [ctx.sbxBin, 'migration', 'new', `c${c}_m${i}`, '--json', '--lock-timeout', '300'], {
          cwd: dir,
          env: childEnv(),
        }),
      ),
    ),
  )
  const wall = performance.now() - started
  const files = dirs.flatMap(migrationFiles)
  const failed = results.filter((r) => r.code !== 0)
  const attempts = results.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout).registry?.attempts ?? 0)
  return {
    wall,
    failed: failed.length,
    firstError: failed[0]?.stderr.trim().split('\n')[0],
    files: files.length,
    distinct: new Set(files.map((f) => f.slice(0, f.indexOf('_')))).size,
    retries: attempts.reduce((sum, a) => sum + Math.max(0, a - 1), 0),
    maxAttempts: Math.max(0, ...attempts),
  }
}

export async function run(ctx) {
  const databases = []
  try {
    // 1. One call at a time, interleaved.
    const registryDb = await throwawayDatabase()
    databases.push(registryDb)
    const registered = benchProject(ctx, {git: true})
    fs.writeFileSync(
      path.join(registered, 'supabase', 'sbx.toml'),
      `[registry]\nurl = "${registryDb.url}"\nproject = "bench"\n`,
    )
    const tools = [
      {
        key: 'registry',
        label: '`sbx migration new`, Postgres registry on loopback',
        command: process.execPath,
        args: (name) => [ctx.sbxBin, 'migration', 'new', name],
        cwd: registered,
      },
      {
        key: 'plain',
        label: '`sbx migration new`, no registry',
        command: process.execPath,
        args: (name) => [ctx.sbxBin, 'migration', 'new', name],
        cwd: benchProject(ctx, {git: true}),
      },
      {
        key: 'supabase',
        label: '`node_modules/.bin/supabase migration new`',
        command: ctx.supabaseBin,
        args: (name) => ['migration', 'new', name],
        cwd: benchProject(ctx, {git: true}),
      },
    ]
    const runOnce = async (tool, name) => {
      const result = await timed(tool.command, tool.args(name), {cwd: tool.cwd, env: childEnv()})
      if (result.code !== 0) throw new Error(`${tool.label} exited ${result.code}: ${result.stderr.trim()}`)
      return result.ms
    }
    ctx.log(`warming up (${WARM_UP} runs each)`)
    for (let i = 0; i < WARM_UP; i++) for (const tool of tools) await runOnce(tool, `warm_up_${i}`)
    const times = new Map(tools.map((tool) => [tool.key, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const order = tools.map((_, i) => tools[(i + round) % tools.length])
      for (const tool of order) times.get(tool.key).push(await runOnce(tool, `bench_${round}`))
      if ((round + 1) % 5 === 0) ctx.log(`sequential round ${round + 1}/${ROUNDS}`)
    }
    const med = (key) => ctx.median(times.get(key))
    const ratio = med('registry') / med('supabase')
    const plainRatio = med('plain') / med('supabase')
    const reservations = await registryDb.count()
    const rows = tools.map((tool) => {
      const t = times.get(tool.key)
      return `| ${tool.label} | ${[ctx.median(t), ctx.percentile(t, 10), ctx.percentile(t, 90)].map(s).join(' | ')} |`
    })

    // 2. 100 calls across 4 clones, Postgres registry.
    const fleetDb = await throwawayDatabase()
    databases.push(fleetDb)
    ctx.log('100 calls across 4 clones, Postgres registry')
    const pgFleet = await fleet(
      ctx,
      clones(ctx, 4, {'supabase/sbx.toml': `[registry]\nurl = "${fleetDb.url}"\ntimeout = 120\n`}).dirs,
      25,
    )
    const pgReservations = await fleetDb.count()
    const pgOk = pgFleet.wall / 1000 <= FLEET_TARGET_S && pgFleet.failed === 0 && pgFleet.distinct === 100

    // 3. 20 calls across 4 clones, git registry.
    ctx.log('20 calls across 4 clones, git registry')
    const gitClones = clones(ctx, 4, {'supabase/sbx.toml': '[registry]\nurl = "git:origin"\ntimeout = 120\n'})
    const gitFleet = await fleet(ctx, gitClones.dirs, 5)
    const gitRecords = git(gitClones.origin, 'ls-tree', '-r', '--name-only', 'refs/sbx/versions')
      .split('\n')
      .filter(Boolean).length

    const markdown = `
One call at a time, interleaved: ${ROUNDS} rounds, each running every command once in an order rotated per round,
after ${WARM_UP} uncounted warm-up runs each; each command in its own temp git repository, stdin from /dev/null.
The registry is a throwaway database on the local PostgreSQL server (loopback); every sbx call opens one
connection, reserves in one transaction and closes it. Wall time from spawn to exit, in seconds.

| Command | median | p10 | p90 |
|---|---|---|---|
${rows.join('\n')}

**With the registry / supabase: ${ratio.toFixed(2)}×** — target ≤ ${RATIO_TARGET.toFixed(2)}× — ${verdict(ratio <= RATIO_TARGET)}.
Without a registry / supabase: ${plainRatio.toFixed(2)}× — target ≤ ${PLAIN_RATIO_TARGET.toFixed(2)}× — ${verdict(plainRatio <= PLAIN_RATIO_TARGET)}.
Reservations recorded: ${reservations} for ${WARM_UP + ROUNDS} calls.

### Many machines at once

Separate clones of one bare origin (each its own \`.git\`, so its own local lock), all calls started together,
\`--json\` to read each call's registry attempts; wall time from the first spawn to the last exit.

| Registry | calls | wall (s) | exit ≠ 0 | files | distinct versions | records | retries (max attempts of one call) |
|---|---|---|---|---|---|---|---|
| Postgres | 4 × 25 | ${s(pgFleet.wall)} | ${pgFleet.failed} | ${pgFleet.files} | ${pgFleet.distinct} | ${pgReservations} | ${pgFleet.retries} (${pgFleet.maxAttempts}) |
| git (\`refs/sbx/versions\` on the origin) | 4 × 5 | ${s(gitFleet.wall)} | ${gitFleet.failed} | ${gitFleet.files} | ${gitFleet.distinct} | ${gitRecords} | ${gitFleet.retries} push retries (${gitFleet.maxAttempts}) |

**Postgres, 100 calls across 4 clones: ${s(pgFleet.wall)} s** — target ≤ ${FLEET_TARGET_S} s — ${verdict(pgOk)}.
${[pgFleet, gitFleet]
  .filter((f) => f.firstError)
  .map((f) => `\nFirst error: \`${f.firstError}\``)
  .join('')}`
    return {title: '`migration new` with the team registry', markdown}
  } finally {
    for (const db of databases) await db.drop().catch(() => undefined)
  }
}
