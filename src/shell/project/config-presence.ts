/**
 * Whether sbx may have settings here: one stat and a look at the environment, no parser. Callers test this
 * first so that projects without settings load none of the configuration code (migration new's fast path).
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {envName} from '../../core/config-names.js'

/** Overrides are SBX_<SECTION>_<KEY>; a new section adds its prefix here. */
const ENV_PREFIXES = [envName('registry', '')]

export function hasConfig(workdir: string, env: Readonly<Record<string, string | undefined>>): boolean {
  return (
    existsSync(path.join(workdir, 'supabase', 'sbx.toml')) ||
    Object.keys(env).some((name) => ENV_PREFIXES.some((prefix) => name.startsWith(prefix)))
  )
}
