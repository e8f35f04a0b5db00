/**
 * The registry's part of `sbx squash`: the squashed file keeps the version and name of the newest original, so its
 * reservation stands for it; reservations of the removed originals still `reserved` (never applied anywhere) are
 * released, so the queue shows no migration that no longer exists. Applied records stay applied: databases hold
 * those versions until their next push repairs them. A registry that cannot be reached only adds a warning.
 */
import {RegistryError} from '../../core/errors.js'
import {parseMigrationFile} from '../../core/migrations/migration-file.js'
import {registryCondition} from '../../render/registry.js'
import {hasConfig} from '../../shell/project/config-presence.js'
import type {Workspace} from '../../shell/project/workspace.js'

export async function releaseSquashedReservations(
  workspace: Workspace,
  removed: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{released: string[]; warning?: string}> {
  if (!hasConfig(workspace.workdir, env)) return {released: []}
  const {openRegistrySession} = await import('./registry-session.js')
  const session = await openRegistrySession(workspace, env)
  if (!session) return {released: []}
  const gone = new Map(removed.map((file) => [parseMigrationFile(file)?.version, parseMigrationFile(file)?.name]))
  try {
    const records = await session.registry.list()
    const released: string[] = []
    for (const record of records) {
      if (record.state !== 'reserved' || gone.get(record.version) !== record.name) continue
      await session.registry.release(record.version)
      released.push(record.version)
    }
    return {released}
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error
    return {
      released: [],
      warning: `warning: the registry ${error.registry} ${registryCondition(error.condition)} (${error.detail}): reservations of the squashed files were not released (sbx registry release VERSION).`,
    }
  }
}
