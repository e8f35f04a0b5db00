// An earlier commit of sbx, built beside this checkout, so that a case can time "before" and "now" in the same
// run (the issues' "no slower than today" and "no worse than before the move"). The build is kept in the system
// temp folder per commit and reused by the next run: `npm ci` alone takes minutes here.
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * The `bin/run.js` of `commit` built in `<tmp>/sbx-bench-ref-<commit>`. node_modules is a hard-linked copy of this
 * checkout's when both package-lock.json files are the same (seconds), else `npm ci` (minutes).
 */
export function referenceBuild(ctx, commit) {
  const full = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], {
    cwd: ctx.repoRoot,
    encoding: 'utf8',
  }).trim()
  const dir = path.join(os.tmpdir(), `sbx-bench-ref-${full.slice(0, 12)}`)
  const bin = path.join(dir, 'bin', 'run.js')
  if (fs.existsSync(path.join(dir, '.sbx-bench-built'))) return {bin, commit: full.slice(0, 7)}
  fs.rmSync(dir, {recursive: true, force: true})
  fs.mkdirSync(dir, {recursive: true})
  ctx.log(`building reference commit ${full.slice(0, 7)} in ${dir}`)
  // git archive: the commit's files without a worktree registered in this repository.
  execFileSync('sh', ['-c', `git archive ${full} | tar -x -C "${dir}"`], {cwd: ctx.repoRoot})
  const sameLock =
    fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8') ===
    fs.readFileSync(path.join(ctx.repoRoot, 'package-lock.json'), 'utf8')
  if (sameLock) execFileSync('cp', ['-al', path.join(ctx.repoRoot, 'node_modules'), path.join(dir, 'node_modules')])
  else execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {cwd: dir, stdio: 'ignore'})
  execFileSync('npm', ['run', 'build', '--silent'], {cwd: dir, stdio: 'ignore'})
  fs.writeFileSync(path.join(dir, '.sbx-bench-built'), `${full}\n`)
  return {bin, commit: full.slice(0, 7)}
}
