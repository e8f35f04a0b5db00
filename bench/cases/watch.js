/**
 * `sbx watch`, run as a user runs it (a real process on a real folder):
 * 1. latency from writing a file that collides with a committed one to its rename line being in
 *    supabase/sbx-renames.jsonl: p50 and p99 over 100 trials in a folder of 100 migrations, and over 100
 *    trials in a folder of 10,000 (targets: p99 ≤ 250 ms in both);
 * 2. an idle watch over 10,000 migrations: CPU time (user + system, /proc/<pid>/stat) during 10 s, its
 *    memory (RSS; target: peak ≤ 100 MiB), and how long it takes to be ready.
 */
import {execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {benchProject} from '../project.js'

const TRIALS = 100
const WARM_UP = 3
const LARGE_TRIALS = 100
const SMALL_FOLDER = 100
const LARGE_FOLDER = 10_000
const IDLE_SECONDS = 10
const P99_TARGET_MS = 250
const RSS_TARGET_MIB = 100
const BASE = '20260101000000'

function childEnv() {
  const env = {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1'}
  delete env.NODE_ENV
  return env
}

/** Starts `sbx watch --json`; resolves once it reports ready, with the child and the ms it took. */
async function startWatch(ctx, cwd) {
  const started = performance.now()
  const child = spawn(process.execPath, [ctx.sbxBin, 'watch', '--json'], {
    cwd,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const events = []
  await new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop()
      for (const line of lines) {
        const event = JSON.parse(line)
        events.push(event)
        if (event.event === 'ready') resolve()
      }
    })
    child.on('exit', (code) => reject(new Error(`sbx watch exited ${code} before it was ready: ${stderr}`)))
  })
  return {child, events, readyMs: performance.now() - started, stderr: () => stderr}
}

async function stopWatch(watch) {
  const exited = new Promise((resolve) => watch.child.on('exit', (code, signal) => resolve(code ?? signal)))
  watch.child.kill('SIGINT')
  const code = await exited
  if (code !== 0) throw new Error(`sbx watch exited ${code} on SIGINT: ${watch.stderr()}`)
}

/** Follows the audit file: resolves `waitFor(from)` as soon as a line for that file is in it. */
function followAudit(dir) {
  const supabaseDir = path.join(dir, 'supabase')
  const file = path.join(supabaseDir, 'sbx-renames.jsonl')
  let offset = 0
  let partial = ''
  const seen = new Map()
  const waiters = new Map()
  const read = () => {
    let text = ''
    try {
      const fd = fs.openSync(file, 'r')
      try {
        const {size} = fs.fstatSync(fd)
        if (size <= offset) return
        const buffer = Buffer.alloc(size - offset)
        fs.readSync(fd, buffer, 0, buffer.length, offset)
        offset = size
        text = buffer.toString()
      } finally {
        fs.closeSync(fd)
      }
    } catch {
      return
    }
    const now = performance.now()
    const lines = (partial + text).split('\n')
    partial = lines.pop()
    for (const line of lines) {
      if (!line) continue
      const {from} = JSON.parse(line)
      seen.set(from, now)
      waiters.get(from)?.(now)
    }
  }
  // inotify on the folder holding the audit file; a slow poll only as a safety net.
  const watcher = fs.watch(supabaseDir, read)
  const poll = setInterval(read, 50)
  return {
    waitFor(from) {
      read()
      if (seen.has(from)) return Promise.resolve(seen.get(from))
      return new Promise((resolve) => waiters.set(from, resolve))
    },
    close() {
      watcher.close()
      clearInterval(poll)
    },
  }
}

/** ms from writing each colliding file to its line in the audit file. */
async function measureLatency(ctx, dir, trials, label) {
  const folder = path.join(dir, 'supabase', 'migrations')
  const audit = followAudit(dir)
  const latencies = []
  try {
    for (let i = 0; i < trials; i++) {
      const name = `${BASE}_${label}_${i}.sql`
      const started = performance.now()
      fs.writeFileSync(path.join(folder, name), `create table ${label}_${i} (id int);\n`)
      const logged = await Promise.race([
        audit.waitFor(name),
        sleep(10_000).then(() => {
          throw new Error(`${name} was not renamed within 10 s`)
        }),
      ])
      latencies.push(logged - started)
      // Let the watcher see its own rename settle before the next trial, with some jitter.
      await sleep(150 + Math.random() * 50)
      if ((i + 1) % 25 === 0) ctx.log(`${label}: ${i + 1}/${trials}`)
    }
  } finally {
    audit.close()
  }
  return latencies
}

function cpuTicks(pid) {
  // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

function memoryKiB(pid, field) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
}

const ms = (n) => `${n.toFixed(0)} ms`
const verdict = (ok) => (ok ? '**PASS**' : '**MISS**')

export async function run(ctx) {
  // 1. Latency in a folder of 100 committed migrations.
  ctx.log(`latency: ${TRIALS} trials in a folder of ${SMALL_FOLDER} committed migrations`)
  // Every trial's file takes the version of t0 (BASE), which is committed: the trial file moves.
  const small = benchProject(ctx, {count: SMALL_FOLDER, git: true})
  const smallWatch = await startWatch(ctx, small)
  await measureLatency(ctx, small, WARM_UP, 'warm_up')
  const latencies = await measureLatency(ctx, small, TRIALS, 'trial')
  await stopWatch(smallWatch)
  const p50 = ctx.percentile(latencies, 50)
  const p99 = ctx.percentile(latencies, 99)

  // 2. Idle over 10,000 migrations, then a few trials there for scale.
  ctx.log(`idle: a folder of ${LARGE_FOLDER} migrations`)
  const large = benchProject(ctx, {count: LARGE_FOLDER, git: false})
  const largeWatch = await startWatch(ctx, large)
  const pid = largeWatch.child.pid
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100
  const rssAtReady = memoryKiB(pid, 'VmRSS')
  const ticksBefore = cpuTicks(pid)
  const wallBefore = performance.now()
  await sleep(IDLE_SECONDS * 1000)
  const idleCpuMs = ((cpuTicks(pid) - ticksBefore) * 1000) / clockTicks
  const idleWallMs = performance.now() - wallBefore
  const rssIdle = memoryKiB(pid, 'VmRSS')
  const ticksBeforeTrials = cpuTicks(pid)
  ctx.log(`latency: ${LARGE_TRIALS} trials in the folder of ${LARGE_FOLDER}`)
  const largeLatencies = await measureLatency(ctx, large, LARGE_TRIALS, 'large')
  const cpuPerTrialMs = ((cpuTicks(pid) - ticksBeforeTrials) * 1000) / clockTicks / LARGE_TRIALS
  const rssPeak = memoryKiB(pid, 'VmHWM')
  await stopWatch(largeWatch)
  const largeP50 = ctx.percentile(largeLatencies, 50)
  const largeP99 = ctx.percentile(largeLatencies, 99)
  const rssPeakMiB = rssPeak / 1024

  const row = (label, values) =>
    `| ${label} | ${values.length} | ${ms(ctx.percentile(values, 50))} | ${ms(ctx.percentile(values, 90))} | ${ms(ctx.percentile(values, 99))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`
  const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`
  const markdown = `
**Latency**: a file with the version of a committed migration is written (\`writeFileSync\`) into the watched
folder; the time is measured until its line is in \`supabase/sbx-renames.jsonl\` (followed with inotify on
\`supabase/\`). One trial at a time, 150–200 ms apart, after ${WARM_UP} uncounted warm-up trials; \`sbx watch
--json\` is one real process started once per folder. The time includes waiting for the file to be complete
(100 ms without an event for it on the folder's one inotify watch), taking the lock, reading the folder (and
git history), the rename and the audit line (written with fsync).

| Folder | trials | p50 | p90 | p99 | min | max |
|---|---|---|---|---|---|---|
${row(`${SMALL_FOLDER} committed migrations (git)`, latencies)}
${row(`${LARGE_FOLDER.toLocaleString('en')} migrations (no git)`, largeLatencies)}

**p99 over ${TRIALS} trials in a folder of ${SMALL_FOLDER}: ${ms(p99)}** (p50 ${ms(p50)}) — target ≤ ${P99_TARGET_MS} ms — ${verdict(p99 <= P99_TARGET_MS)}.
**p99 over ${LARGE_TRIALS} trials in a folder of ${LARGE_FOLDER.toLocaleString('en')}: ${ms(largeP99)}** (p50 ${ms(largeP50)}) — target ≤ ${P99_TARGET_MS} ms — ${verdict(largeP99 <= P99_TARGET_MS)}.
Each new file there costs one pass over the folder (list, plan, rename): ≈ ${ms(cpuPerTrialMs)} of CPU per trial
(the file and the watcher's echo of its rename together).

**Idle** over ${LARGE_FOLDER.toLocaleString('en')} migrations, nothing changing, measured from its \`ready\` event:

| | |
|---|---|
| Start until \`ready\` (listing + initial pass) | ${ms(largeWatch.readyMs)} |
| CPU time (user + system) during ${(idleWallMs / 1000).toFixed(1)} s idle | ${ms(idleCpuMs)} (${((idleCpuMs / idleWallMs) * 100).toFixed(2)} % of one core) |
| RSS at ready / after ${IDLE_SECONDS} s idle / peak (VmHWM, after the trials) | ${mib(rssAtReady)} / ${mib(rssIdle)} / ${mib(rssPeak)} |

**Peak RSS over ${LARGE_FOLDER.toLocaleString('en')} migrations: ${mib(rssPeak)}** — target ≤ ${RSS_TARGET_MIB} MiB — ${verdict(rssPeakMiB <= RSS_TARGET_MIB)}.

CPU time comes from \`/proc/<pid>/stat\` (utime + stime, ${clockTicks} ticks per second, so ±${ms(1000 / clockTicks)}).
`
  return {title: 'sbx watch: rename latency, idle cost', markdown}
}
