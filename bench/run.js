#!/usr/bin/env node
/**
 * The benchmark harness. `npm run bench` builds, then runs every case; `node bench/run.js <case-name>…`
 * (after `npm run build`) runs only the named cases.
 *
 * A case is bench/cases/<case-name>.js exporting `async function run(ctx)` that returns
 * `{title, markdown}`. Cases run one after another, in file-name order, with
 *   ctx = {repoRoot, sbxBin, supabaseBin, tmpDir(), median(nums), percentile(nums, p), log(msg)}
 *   - repoRoot     absolute path of this repository
 *   - sbxBin       absolute path of bin/run.js (run it with `node`)
 *   - supabaseBin  absolute path of node_modules/.bin/supabase (the npm shim that starts the real binary)
 *   - tmpDir()     a new empty temp folder (real path); all of them are removed once the case returns
 *   - median(nums), percentile(nums, p)   p in 0..100, linear interpolation; NaN for no numbers
 *   - log(msg)     a progress line on stderr
 *
 * bench/RESULTS.md is rewritten after the run: machine, date and how to rerun at the top, then one section
 * per case. When only some cases run, only their sections are replaced; the others are kept as they were
 * (each section carries its own date and commit). A case that throws gets its error recorded in its
 * section, the other cases still run, and the harness exits 1 at the end.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const casesDir = path.join(repoRoot, 'bench', 'cases')
const resultsFile = path.join(repoRoot, 'bench', 'RESULTS.md')
const sbxBin = path.join(repoRoot, 'bin', 'run.js')
const supabaseBin = path.join(repoRoot, 'node_modules', '.bin', 'supabase')
// The cases' projects live in the system temp folder, outside any node_modules: sbx finds supabase
// (for advisors, push, the baseline) the way a user's CI would point it at one.
process.env.SBX_SUPABASE_BIN ??= supabaseBin

/** Folders handed out by ctx.tmpDir() and not yet removed. */
const liveTmpDirs = new Set()

function removeTmpDirs() {
  for (const dir of liveTmpDirs) {
    fs.rmSync(dir, {recursive: true, force: true})
    liveTmpDirs.delete(dir)
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    removeTmpDirs()
    process.exit(128 + os.constants.signals[signal])
  })
}

function percentile(nums, p) {
  const sorted = nums.filter((n) => Number.isFinite(n)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}

function median(nums) {
  return percentile(nums, 50)
}

function listCases() {
  return fs
    .readdirSync(casesDir)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => file.slice(0, -'.js'.length))
}

function tryRun(command, args) {
  const result = spawnSync(command, args, {encoding: 'utf8', env: {...process.env, SUPABASE_NO_UPDATE_NOTIFIER: '1'}})
  return result.status === 0 ? result.stdout.trim() : `unavailable (${(result.stderr || String(result.error)).trim()})`
}

function osName() {
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8')
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1]
    if (pretty) return `${pretty} (${os.type()} ${os.release()}, ${os.arch()})`
  } catch {
    // Not Linux, or no os-release: the kernel line below is enough.
  }
  return `${os.type()} ${os.release()} (${os.arch()})`
}

function commit() {
  try {
    const options = {cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], options).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], options)
    return dirty.trim() ? `${sha} + uncommitted changes` : sha
  } catch {
    return 'unknown'
  }
}

function loadAverage() {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ')
}

/** Processes running or runnable right now (/proc/loadavg's fourth field), where the system tells. */
function runnable() {
  try {
    return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[0])
  } catch {
    return Number.NaN
  }
}

/**
 * Waits until no more than one process besides this one is runnable for 2 s in a row, and the 1-minute load
 * average is at most the number of cores plus one (up to 3 min in all): a case must not measure the tail of the
 * one before (100 processes at once leave work behind them: the PostgreSQL server's, the file system's).
 */
async function settle(log) {
  const deadline = Date.now() + 180_000
  const calm = os.cpus().length + 1
  let quiet = 0
  while ((quiet < 8 || os.loadavg()[0] > calm) && Date.now() < deadline) {
    const now = runnable()
    quiet = Number.isNaN(now) || now <= 2 ? quiet + 1 : 0
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  if (Date.now() >= deadline) log('the machine did not settle within 3 min; measuring anyway')
}

function machine() {
  const cpus = os.cpus()
  return [
    '| | |',
    '|---|---|',
    `| CPU | ${cpus[0]?.model ?? 'unknown'} |`,
    `| Cores | ${cpus.length} |`,
    `| Memory | ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB |`,
    `| OS | ${osName()} |`,
    `| Node | ${process.version} |`,
    `| supabase --version | ${tryRun(supabaseBin, ['--version'])} |`,
  ].join('\n')
}

const START = (name) => `<!-- bench:case=${name} -->`
const END = (name) => `<!-- /bench:case=${name} -->`

/** The sections of an existing RESULTS.md, by case name. */
function readSections() {
  const sections = new Map()
  let text = ''
  try {
    text = fs.readFileSync(resultsFile, 'utf8')
  } catch {
    return sections
  }
  for (const match of text.matchAll(/<!-- bench:case=([^ ]+) -->\n([\s\S]*?)<!-- \/bench:case=\1 -->/g)) {
    sections.set(match[1], match[2])
  }
  return sections
}

async function runCase(name) {
  const log = (msg) => process.stderr.write(`[bench ${name}] ${msg}\n`)
  await settle(log)
  const started = new Date()
  const load = loadAverage()
  const ctx = {
    repoRoot,
    sbxBin,
    supabaseBin,
    tmpDir() {
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sbx-bench-${name}-`)))
      liveTmpDirs.add(dir)
      return dir
    },
    median,
    percentile,
    log,
  }
  log('starting')
  let title = name
  let body
  let failed = false
  try {
    const module = await import(pathToFileURL(path.join(casesDir, `${name}.js`)).href)
    if (typeof module.run !== 'function') throw new Error(`bench/cases/${name}.js does not export run(ctx)`)
    const result = await module.run(ctx)
    if (!result || typeof result.title !== 'string' || typeof result.markdown !== 'string') {
      throw new Error(`run(ctx) of bench/cases/${name}.js must return {title, markdown} (strings)`)
    }
    title = result.title
    body = result.markdown.trim()
  } catch (error) {
    failed = true
    log(`FAILED: ${error?.stack ?? error}`)
    body = `**The case failed:**\n\n\`\`\`\n${String(error?.stack ?? error)}\n\`\`\``
  } finally {
    removeTmpDirs()
  }
  const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(1)
  log(`${failed ? 'failed' : 'done'} in ${seconds} s`)
  const meta = `_Case \`${name}\` · run ${started.toISOString()} · ${seconds} s · commit ${commit()} · load average (1/5/15 min) at start ${load}_`
  return {failed, section: `## ${title}\n\n${meta}\n\n${body}\n`}
}

async function main() {
  const all = listCases()
  const wanted = process.argv.slice(2)
  const unknown = wanted.filter((name) => !all.includes(name))
  if (unknown.length > 0) {
    process.stderr.write(`Unknown case(s): ${unknown.join(', ')}. Cases: ${all.join(', ')}\n`)
    process.exitCode = 2
    return
  }
  // migration-new starts 100 processes at once, several times: what runs after it would measure its tail.
  const last = (name) => (name === 'migration-new' ? 1 : 0)
  const toRun = (wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all).sort(
    (a, b) => last(a) - last(b),
  )
  const fresh = new Map()
  let anyFailed = false
  for (const name of toRun) {
    const {failed, section} = await runCase(name)
    anyFailed ||= failed
    fresh.set(name, section)
  }
  // Read the kept sections only now, so that a file rewritten meanwhile by another run is not undone.
  const sections = wanted.length > 0 ? new Map([...readSections(), ...fresh]) : fresh

  const body = all
    .filter((name) => sections.has(name))
    .map((name) => `${START(name)}\n${sections.get(name).trimEnd()}\n${END(name)}`)
    .join('\n\n')
  const text = `# sbx benchmark results

Written by \`bench/run.js\` on ${new Date().toISOString()}${wanted.length > 0 ? ` (this time only: ${toRun.join(', ')})` : ''}.

## Machine

${machine()}

## How to rerun

\`npm run bench\` builds sbx and runs every case in \`bench/cases/\`, rewriting this whole file.
\`node bench/run.js <case-name>…\` (after \`npm run build\`) runs only those cases and replaces only their
sections; the other sections stay as they were, each with its own date and commit. The machine table
above always describes the latest run. The figures depend on the load of the machine: compare runs made
on a quiet machine, and read each section's load average.

${body}
`
  fs.writeFileSync(resultsFile, text)
  process.stderr.write(`[bench] wrote ${path.relative(process.cwd(), resultsFile)}\n`)
  if (anyFailed) process.exitCode = 1
}

await main()
