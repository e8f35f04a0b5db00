/** Real temp projects on disk, removed when the test finishes. */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {onTestFinished} from 'vitest'

export type Tree = Record<string, string | Buffer>

/** A temp folder holding `files` (paths relative to it) and, unless `config: false`, supabase/config.toml. */
export function tmpProject(files: Tree = {}, options: {config?: boolean} = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-test-')))
  onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}))
  const all: Tree = options.config === false ? files : {'supabase/config.toml': 'project_id = "sbx-test"\n', ...files}
  writeTree(dir, all)
  return dir
}

export function writeTree(dir: string, files: Tree): void {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file)
    fs.mkdirSync(path.dirname(target), {recursive: true})
    fs.writeFileSync(target, content)
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'sbx test',
      GIT_AUTHOR_EMAIL: 'test@sbx.invalid',
      GIT_COMMITTER_NAME: 'sbx test',
      GIT_COMMITTER_EMAIL: 'test@sbx.invalid',
    },
  })
}

/** A temp project that is also a git repository with `files` committed on branch main. */
export function gitProject(files: Tree = {}, options: {config?: boolean} = {}): string {
  const dir = tmpProject(files, options)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'initial')
  return dir
}

export function migrationsDir(workdir: string): string {
  return path.join(workdir, 'supabase', 'migrations')
}

export function listMigrations(workdir: string): string[] {
  const dir = migrationsDir(workdir)
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
}
