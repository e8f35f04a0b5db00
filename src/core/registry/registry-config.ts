/** `[registry]` in supabase/sbx.toml: where versions are reserved. Each key's error says what it expects. */

export const DEFAULT_REGISTRY_TIMEOUT_SECONDS = 10
export const DEFAULT_REGISTRY_REF = 'refs/sbx/versions'

/** What each key expects, as error messages say it. */
export const REGISTRY_EXPECTED = {
  url: 'a postgres:// or postgresql:// URL, or git:<remote> (e.g. git:origin)',
  project: 'a non-empty string naming the project in the registry',
  timeout: 'a number of seconds from 1 to 3600 (e.g. 10)',
  ref: 'a git ref name under refs/ (e.g. refs/sbx/versions)',
} as const

export type {RegistrySettings} from '../config-sections.js'

export type RegistryLocation = {kind: 'postgres'; url: string} | {kind: 'git'; remote: string}

export function parseRegistryUrl(url: string): RegistryLocation | undefined {
  if (/^postgres(ql)?:\/\/\S+$/.test(url)) return {kind: 'postgres', url}
  const remote = /^git:(\S+)$/.exec(url)?.[1]
  return remote ? {kind: 'git', remote} : undefined
}

/**
 * How long one registry session may keep the Postgres registry's lock once it has it, per step: every
 * statement after the lock (statement_timeout) and every pause between them (idle_in_transaction_session_timeout)
 * is cut off at this, so a session whose client vanished (killed, stopped, a half-open link) releases the lock
 * at most twice this after it got it: a fifth of `timeout`, from 200 ms to 2 s (10 s timeout: 2 s, so 4 s).
 */
export function registryHoldMs(timeoutSeconds: number): number {
  return Math.round(Math.min(2000, Math.max(200, (timeoutSeconds * 1000) / 5)))
}
