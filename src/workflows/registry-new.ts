/**
 * `migration new`'s registry step, run under the repository lock: reserve the version centrally before the
 * file is published, or, with --offline, remember that the file was written without a reservation.
 */
import {RegistryError} from '../core/errors.js'
import {migrationFileName} from '../core/migration-file.js'
import {nextVersionAfter} from '../core/version.js'
import {setUnreservedFiles, unreservedFiles} from '../shell/registry-local.js'
import type {Workspace} from '../shell/workspace.js'
import type {RegistrySession} from './registry-session.js'

/** What `--json` shows under "registry". */
export interface NewMigrationRegistry {
  reserved: boolean
  backend: 'postgres' | 'git'
  /** The registry's URL or remote, password redacted. */
  registry: string
  project: string
  /** How many fetch-decide-push rounds (git) or transactions (postgres) the reservation took. */
  attempts?: number
  /** True when --offline wrote the file without a reservation. */
  offline?: boolean
}

const WAY_OUT =
  'nothing was written; retry, or pass --offline to write the migration unreserved (sbx fix reserves it later)'

/**
 * Reserves `floor` or later and publishes under the reserved version. `publish` returns false when the
 * name is taken locally (a bare `supabase migration new` ignores the lock); that reservation is released
 * and the next one taken.
 */
export async function reserveAndPublish(
  session: RegistrySession,
  name: string,
  floor: string,
  publish: (version: string) => Promise<boolean>,
): Promise<{version: string; registry: NewMigrationRegistry}> {
  const by = await session.holder(`sbx migration new ${name}`)
  let candidate = floor
  let attempts = 0
  for (;;) {
    const outcome = await session.registry
      .reserve({name, version: candidate, mode: 'at-or-after', by})
      .catch((error: unknown) => {
        throw error instanceof RegistryError ? error.withWayOut(WAY_OUT) : error
      })
    attempts += outcome.attempts
    // at-or-after always reserves: the registry moves past whatever it holds.
    if (!outcome.reserved) throw new Error(`registry refused an at-or-after reservation of ${candidate}`)
    const version = outcome.reservation.version
    if (await publish(version)) {
      return {version, registry: {...describe(session), reserved: true, attempts}}
    }
    await session.registry.release(version).catch(() => undefined)
    candidate = nextVersionAfter(version)
  }
}

/** --offline: the file is written; remember it so that check notes it and fix reserves it. */
export function rememberUnreserved(
  session: RegistrySession,
  workspace: Workspace,
  version: string,
  name: string,
): NewMigrationRegistry {
  const files = unreservedFiles(workspace.lockHome, workspace.projectKey)
  setUnreservedFiles(workspace.lockHome, workspace.projectKey, [...files, migrationFileName(version, name)])
  return {...describe(session), reserved: false, offline: true}
}

function describe(session: RegistrySession): Omit<NewMigrationRegistry, 'reserved'> {
  return {backend: session.registry.backend, registry: session.registry.label, project: session.project}
}
