/** Finding the project, the way supabase does, so sbx and supabase always agree on the folder. */
import {existsSync, mkdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {UsageError} from '../../core/errors.js'

export interface Project {
  /** The folder that holds `supabase/`. */
  workdir: string
  migrationsDir: string
  /** `supabase/.temp/sbx`: machine-local state (embedded database, temp files). */
  tempDir: string
}

const CONFIG_FILES = ['config.toml', 'config.json', 'config.jsonc']

export function resolveWorkdir(options: {workdir?: string; cwd?: string; env?: NodeJS.ProcessEnv} = {}): string {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  if (options.workdir) return path.resolve(cwd, options.workdir)
  if (env.SUPABASE_WORKDIR) return path.resolve(cwd, env.SUPABASE_WORKDIR)
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (CONFIG_FILES.some((file) => existsSync(path.join(dir, 'supabase', file)))) return dir
    if (path.dirname(dir) === dir) return path.resolve(cwd)
  }
}

/** Resolves the project and creates `supabase/migrations` if it is missing, as supabase does. */
export function openProject(options: {workdir?: string; cwd?: string; env?: NodeJS.ProcessEnv} = {}): Project {
  const workdir = resolveWorkdir(options)
  if (options.workdir && !isDirectory(workdir)) {
    throw new UsageError(
      `--workdir ${options.workdir} is not a folder: pass the folder that holds supabase/.`,
      'ENOWORKDIR',
    )
  }
  const migrationsDir = path.join(workdir, 'supabase', 'migrations')
  try {
    mkdirSync(migrationsDir, {recursive: true})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw error
    throw new UsageError(
      `${migrationsDir} is not a folder: move that file away so supabase/migrations can hold migrations.`,
      'ENOTDIR',
    )
  }
  return {workdir, migrationsDir, tempDir: path.join(workdir, 'supabase', '.temp', 'sbx')}
}

/** A path relative to the workdir, with forward slashes, as supabase prints it. */
export function displayPath(project: Project, absolute: string): string {
  return path.relative(project.workdir, absolute).split(path.sep).join('/')
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory()
  } catch {
    return false
  }
}
