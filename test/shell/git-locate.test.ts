/**
 * locateRepository reads git's directory from the file system instead of spawning git: it must answer what
 * `git rev-parse --show-toplevel --git-common-dir` answers, in every shape a project can sit in.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {listWorktrees, locateRepository} from '../../src/shell/project/git.js'
import {git, gitProject} from '../helpers/project.js'

function gitSays(dir: string): {toplevel: string; commonDir: string} | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const [toplevel, commonDir] = out.trim().split('\n')
    return {toplevel: toplevel as string, commonDir: commonDir as string}
  } catch {
    return undefined
  }
}

async function agrees(dir: string): Promise<void> {
  expect(await locateRepository(dir)).toEqual(gitSays(dir))
}

describe('locateRepository agrees with git', () => {
  it('at the top of a repository and in a folder under it', async () => {
    const repo = gitProject({'supabase/migrations/.keep': ''})
    await agrees(repo)
    await agrees(path.join(repo, 'supabase', 'migrations'))
  })

  it('in a linked worktree (a .git file, and commondir)', async () => {
    const repo = gitProject({'a.txt': 'a'})
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-wt-')), 'feature')
    git(repo, 'worktree', 'add', '-q', other)
    await agrees(other)
    expect((await locateRepository(other))?.commonDir).toBe(fs.realpathSync(path.join(repo, '.git')))
    // Every worktree, as `git worktree list` names them, from either of them.
    const listed = git(repo, 'worktree', 'list', '--porcelain')
      .split('\n')
      .filter((line) => line.startsWith('worktree '))
      .map((line) => line.slice('worktree '.length))
    for (const dir of [repo, other]) {
      const location = await locateRepository(dir)
      expect(location && (await listWorktrees(location))).toEqual(listed)
    }
  })

  it('through a symbolic link, and outside any repository', async () => {
    const repo = gitProject()
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-link-')), 'project')
    fs.symlinkSync(repo, link)
    await agrees(link)
    await agrees(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-nogit-')))
  })

  it('in a submodule-like checkout whose .git file points into another repository', async () => {
    const holder = gitProject()
    const moduleDir = path.join(holder, '.git', 'modules', 'sub')
    fs.mkdirSync(path.dirname(moduleDir), {recursive: true})
    execFileSync('git', ['init', '-q', '--separate-git-dir', moduleDir, path.join(holder, 'sub')])
    await agrees(path.join(holder, 'sub'))
  })

  it('with GIT_DIR set, asks git itself', async () => {
    const repo = gitProject()
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-gitdir-'))
    process.env.GIT_DIR = path.join(repo, '.git')
    try {
      // git answers for GIT_DIR's repository, with the current folder as the top of its work tree.
      expect((await locateRepository(elsewhere))?.commonDir).toBe(path.join(repo, '.git'))
    } finally {
      delete process.env.GIT_DIR
    }
  })
})
