/** Reads supabase/sbx.toml (if any) for the pure parser in core/config.ts. */
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import type {SbxConfig} from '../core/config.js'
import {ExternalError} from '../core/errors.js'

/** Kept here, not imported from core/config.ts, so that hasConfig loads no parser (migration new's fast path). */
const CONFIG_FILE = 'supabase/sbx.toml'

type Env = Readonly<Record<string, string | undefined>>

/**
 * A cheap test (one stat, no parsing) of whether sbx may have settings here, so that callers without any
 * skip loading the parser. Overrides are SBX_<SECTION>_<KEY>; a new section adds its prefix here.
 */
export function hasConfig(workdir: string, env: Env): boolean {
  return (
    existsSync(path.join(workdir, CONFIG_FILE)) || Object.keys(env).some((name) => name.startsWith('SBX_REGISTRY_'))
  )
}

export async function loadConfig(workdir: string, env: Env = process.env): Promise<SbxConfig> {
  const {parseConfig} = await import('../core/config.js')
  const file = path.join(workdir, CONFIG_FILE)
  let text: string | undefined
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      throw new ExternalError(`Cannot read ${CONFIG_FILE}: ${(error as Error).message}`, 'ECONFIGREAD')
    }
  }
  return parseConfig({text, file: CONFIG_FILE, env})
}
