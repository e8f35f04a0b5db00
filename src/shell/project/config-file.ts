/** Reads supabase/sbx.toml (if any) for the pure parser in core/config.ts. */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {CONFIG_FILE, parseConfig, type SbxConfig} from '../../core/config.js'
import {ExternalError} from '../../core/errors.js'

export {hasConfig} from './config-presence.js'

/** The settings for the project in `workdir`: the file (absent: none), then SBX_* overrides. Bad settings: exit 2. */
export function loadConfig(
  workdir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SbxConfig {
  let text: string | undefined
  try {
    text = readFileSync(path.join(workdir, CONFIG_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ExternalError(`Cannot read ${CONFIG_FILE}: ${(error as Error).message}`, 'ECONFIGREAD')
    }
  }
  return parseConfig({text, file: CONFIG_FILE, env})
}
