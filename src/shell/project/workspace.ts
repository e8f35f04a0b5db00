/** The project plus where it sits in git: everything a workflow needs to find files and the lock. */
import path from 'node:path'
import {type GitLocation, locateRepository} from './git.js'
import {openProject, type Project} from './project.js'

export interface Workspace extends Project {
  git?: GitLocation & {
    /** The workdir relative to the top of its worktree ('' at the top). */
    relWorkdir: string
  }
  /** Where the repository-wide lock and the version ledger live. */
  lockHome: string
  /** Key of this project in the ledger (several supabase projects may share one repository). */
  projectKey: string
}

export async function openWorkspace(options: {workdir?: string; cwd?: string} = {}): Promise<Workspace> {
  const project = openProject(options)
  const git = await locateRepository(project.workdir)
  if (!git) return {...project, lockHome: project.tempDir, projectKey: '.'}
  const relWorkdir = path.relative(git.toplevel, project.workdir).split(path.sep).join('/')
  return {
    ...project,
    git: {...git, relWorkdir},
    lockHome: path.join(git.commonDir, 'sbx'),
    projectKey: relWorkdir || '.',
  }
}

/** The migrations folder's path relative to the top of the worktree, as git names it. */
export function gitMigrationsDir(workspace: Workspace): string {
  const rel = workspace.git?.relWorkdir
  return rel ? `${rel}/supabase/migrations` : 'supabase/migrations'
}
