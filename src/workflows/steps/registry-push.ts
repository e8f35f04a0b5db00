/**
 * The registry's part of `sbx push`. Neither step can stop a deploy: before it, a warning naming other
 * clones' reservations that will land out of order; after it, the pushed versions marked `applied`
 * (a failure to mark is reported, the push still succeeded).
 */
import {RegistryError} from '../../core/errors.js'
import type {Migration} from '../../core/migrations/migration-file.js'
import {maxVersion} from '../../core/migrations/version.js'
import {reservationsOvertaken} from '../../core/registry/registry.js'
import {registryCondition, renderOvertaken} from '../../render/registry.js'
import {hasConfig} from '../../shell/project/config-presence.js'
import type {Workspace} from '../../shell/project/workspace.js'
import type {RegistrySession} from './registry-session.js'

type Env = Readonly<Record<string, string | undefined>>

async function session(workspace: Workspace, env: Env): Promise<RegistrySession | undefined> {
  if (!hasConfig(workspace.workdir, env)) return undefined
  return (await import('./registry-session.js')).openRegistrySession(workspace, env)
}

/** Lines to show before pushing `pending`; empty without a registry or without anything to say. */
export async function registryPushWarnings(
  workspace: Workspace,
  local: readonly Migration[],
  pending: readonly Migration[],
  env: Env = process.env,
): Promise<string[]> {
  const opened = await session(workspace, env)
  if (!opened || pending.length === 0) return []
  try {
    const records = await opened.registry.list()
    const versions = pending.map((m) => m.version)
    const overtaken = reservationsOvertaken(records, versions, new Set(local.map((m) => m.version)), opened.clone)
    return renderOvertaken(overtaken, maxVersion(versions) as string)
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error
    return [
      `warning: the registry ${error.registry} ${registryCondition(error.condition)} (${error.detail}): other clones' reservations were not checked.`,
    ]
  }
}

/** Marks the pushed migrations applied; returns a warning line when the registry could not be told. */
export async function markPushedApplied(
  workspace: Workspace,
  pushed: readonly Migration[],
  env: Env = process.env,
): Promise<string | undefined> {
  const opened = await session(workspace, env)
  if (!opened || pushed.length === 0) return undefined
  try {
    await opened.registry.markApplied(
      pushed.map((m) => ({version: m.version, name: m.name})),
      await opened.holder('sbx push'),
    )
    return undefined
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error
    return `warning: the push succeeded, but the registry ${error.registry} ${registryCondition(error.condition)} (${error.detail}): the pushed versions still show as reserved (sbx registry list).`
  }
}
