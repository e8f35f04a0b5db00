/** Reads supabase/sbx.toml (if any) for the pure parser in core/config.ts. */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import type {SbxConfig} from '../../core/config.js'
import {CONFIG_FILE, environmentMayConfigure} from '../../core/config-names.js'
import {ExternalError} from '../../core/errors.js'

export {hasConfig} from './config-presence.js'

/**
 * The settings for the project in `workdir`: the file (absent: none), then SBX_* overrides. Bad settings: exit 2.
 * Without a file and without an SBX_<SECTION>_* variable there is nothing to parse, and the parser is not loaded.
 */
export async function loadConfig(
  workdir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SbxConfig> {
  let text: string | undefined
  try {
    text = readFileSync(path.join(workdir, CONFIG_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ExternalError(`Cannot read ${CONFIG_FILE}: ${(error as Error).message}`, 'ECONFIGREAD')
    }
  }
  if (text === undefined && !environmentMayConfigure(env)) return {}
  const {parseConfig} = await import('../../core/config.js')
  return parseConfig({text, file: CONFIG_FILE, env})
}
