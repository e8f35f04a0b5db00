// A temp project for a bench case: supabase/config.toml, `count` migrations one `stepMs` apart, and a git
// repository with them committed when `git` is set.
import {execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@sbx.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@sbx.invalid',
}

export function benchProject(
  ctx,
  {count = 0, git = false, stepMs = 1000, sql = (i) => `create table t${i} (id int);\n`} = {},
) {
  const dir = ctx.tmpDir()
  const folder = path.join(dir, 'supabase', 'migrations')
  fs.mkdirSync(folder, {recursive: true})
  fs.writeFileSync(path.join(dir, 'supabase', 'config.toml'), 'project_id = "bench"\n')
  const start = Date.UTC(2026, 0, 1)
  for (let i = 0; i < count; i++) {
    const version = new Date(start + i * stepMs).toISOString().replace(/\D/g, '').slice(0, 14)
    fs.writeFileSync(path.join(folder, `${version}_t${i}.sql`), sql(i))
  }
  if (git) {
    const env = {...process.env, ...GIT_ENV}
    execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: dir, env})
    execFileSync('git', ['add', '-A'], {cwd: dir, env})
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'initial'], {cwd: dir, env})
  }
  return dir
}

/** Runs a command to completion: wall time in ms from spawn to exit, exit code (or signal), stdout and stderr. */
export function timed(command, args, {cwd, env}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({ms: performance.now() - started, code: code ?? signal, stdout, stderr}),
    )
  })
}
