/** `sbx registry init | list | release`: the registry on its own, with either backend. */
import {UsageError} from '../core/errors.js'
import {queue, type Reservation} from '../core/registry/registry.js'
import {parseRegistryUrl} from '../core/registry/registry-config.js'
import {openWorkspace, type Workspace} from '../shell/project/workspace.js'
import {openRegistrySession, type RegistrySession} from './steps/registry-session.js'

type Env = Readonly<Record<string, string | undefined>>

async function required(workspace: Workspace, env: Env): Promise<RegistrySession> {
  const session = await openRegistrySession(workspace, env)
  if (!session) {
    throw new UsageError(
      'No registry is configured: add [registry] url = "postgres://…" or "git:origin" to supabase/sbx.toml, or set SBX_REGISTRY_URL.',
      'ENOREGISTRY',
    )
  }
  return session
}

export interface RegistryInitReport {
  backend: 'postgres' | 'git'
  registry: string
  project: string
  /** Postgres only: what a least-privilege role needs. */
  grants?: string
}

/** Creates the table (Postgres) or checks the remote can be read (git). */
export async function registryInit(options: {workdir?: string; role: string; env?: Env}): Promise<RegistryInitReport> {
  const env = options.env ?? process.env
  const workspace = await openWorkspace({workdir: options.workdir})
  const session = await required(workspace, env)
  const location = parseRegistryUrl(session.settings.url)
  const base = {backend: session.registry.backend, registry: session.registry.label, project: session.project}
  if (location?.kind !== 'postgres') {
    await session.registry.list()
    return base
  }
  const {initPostgresRegistry, registryGrants} = await import('../shell/registry/registry-postgres.js')
  await initPostgresRegistry(location.url, session.settings.timeout)
  return {...base, grants: registryGrants(options.role)}
}

export interface RegistryListReport {
  registry: string
  project: string
  all: boolean
  reservations: Reservation[]
}

export async function registryList(options: {workdir?: string; all: boolean; env?: Env}): Promise<RegistryListReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  const session = await required(workspace, options.env ?? process.env)
  const records = await session.registry.list()
  return {
    registry: session.registry.label,
    project: session.project,
    all: options.all,
    reservations: queue(records, options.all),
  }
}

export async function registryRelease(options: {workdir?: string; version: string; env?: Env}): Promise<Reservation> {
  if (!/^\d+$/.test(options.version)) {
    throw new UsageError(`${options.version} is not a version: pass the digits before the first _ of the file name.`)
  }
  const workspace = await openWorkspace({workdir: options.workdir})
  const session = await required(workspace, options.env ?? process.env)
  const released = await session.registry.release(options.version)
  if (!released) {
    throw new UsageError(
      `The registry ${session.registry.label} has no reservation ${options.version} for ${session.project}: see sbx registry list --all.`,
      'ENORESERVATION',
    )
  }
  return released
}
