/**
 * Opening the team registry configured in supabase/sbx.toml ([registry]) or SBX_REGISTRY_URL: the backend,
 * the project key, and who this process is. Loaded only when a configuration may exist, so commands in
 * projects without one pay nothing (migration new's fast path in particular).
 */
import {UsageError} from '../../core/errors.js'
import {defaultProjectKey, type Holder, type Registry} from '../../core/registry/registry.js'
import {parseRegistryUrl, type RegistrySettings} from '../../core/registry/registry-config.js'
import {hasConfig, loadConfig} from '../../shell/project/config-file.js'
import {currentBranch, remoteUrl} from '../../shell/project/git.js'
import {currentActor} from '../../shell/project/processes.js'
import type {Workspace} from '../../shell/project/workspace.js'
import {cloneId} from '../../shell/registry/registry-local.js'

export interface RegistrySession {
  registry: Registry
  settings: RegistrySettings
  project: string
  /** This clone's identifier (kept in its git common dir). */
  clone: string
  holder(command: string): Promise<Holder>
}

type Env = Readonly<Record<string, string | undefined>>

/** The configured registry, or undefined when there is none. Bad settings throw (exit 2). */
export async function openRegistrySession(
  workspace: Workspace,
  env: Env = process.env,
): Promise<RegistrySession | undefined> {
  if (!hasConfig(workspace.workdir, env)) return undefined
  const settings = (await loadConfig(workspace.workdir, env)).registry
  if (!settings) return undefined
  const location = parseRegistryUrl(settings.url)
  if (!location) throw new UsageError(`[registry] url ${settings.url} is neither postgres:// nor git:<remote>.`)
  const project = settings.project ?? (await deriveProject(workspace))
  const timeoutSeconds = settings.timeout
  let registry: Registry
  if (location.kind === 'postgres') {
    const {openPostgresRegistry} = await import('../../shell/registry/registry-postgres.js')
    registry = openPostgresRegistry({url: location.url, project, timeoutSeconds})
  } else {
    if (!workspace.git) {
      throw new UsageError(
        `[registry] url ${settings.url} needs a git repository, and ${workspace.workdir} is not in one: use a postgres:// registry.`,
        'ECONFIG',
      )
    }
    const {openGitRegistry} = await import('../../shell/registry/registry-git.js')
    registry = openGitRegistry({
      remote: location.remote,
      ref: settings.ref,
      project,
      cwd: workspace.git.toplevel,
      scratchDir: workspace.lockHome,
      gitDir: workspace.git.commonDir,
      timeoutSeconds,
    })
  }
  const clone = cloneId(workspace.lockHome)
  const holder = async (command: string): Promise<Holder> => {
    const {user, host, pid} = currentActor(command)
    const branch = workspace.git ? await currentBranch(workspace.git.toplevel) : undefined
    return {user, host, pid, ...(branch ? {branch} : {}), clone}
  }
  return {registry, settings, project, clone, holder}
}

async function deriveProject(workspace: Workspace): Promise<string> {
  const url = workspace.git ? await remoteUrl(workspace.git.toplevel, 'origin') : undefined
  if (!url) {
    throw new UsageError(
      'supabase/sbx.toml: [registry] project is required here (no git remote "origin" to derive it from): set project = "<a name the team shares>".',
      'ECONFIG',
    )
  }
  return defaultProjectKey(url, workspace.git?.relWorkdir ?? '')
}
