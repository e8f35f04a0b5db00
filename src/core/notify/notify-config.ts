/** `[notify]` in supabase/sbx.toml: who is told about renames, registry conflicts, refused pushes and drift. */

export const DEFAULT_NOTIFY_TIMEOUT_SECONDS = 5

export const NOTIFY_EXPECTED = {
  command: 'a shell command (it receives one JSON event on stdin)',
  webhook: 'an http:// or https:// URL (it receives an HTTP POST of the JSON event)',
  timeout: 'a number of seconds from 0.1 to 600 (e.g. 5)',
} as const

export type {NotifySettings} from '../config-sections.js'
