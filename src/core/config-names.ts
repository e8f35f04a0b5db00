/**
 * The names around supabase/sbx.toml that need no parser: the file, its sections, and their SBX_* variables.
 * Callers test these first and load the parser (core/config.ts, zod/mini: ~65 ms) only when there is something to read.
 */
export const CONFIG_FILE = 'supabase/sbx.toml'

export const CONFIG_SECTIONS = ['registry', 'verify', 'lint', 'notify', 'check'] as const
export type ConfigSectionName = (typeof CONFIG_SECTIONS)[number]

/** The environment variable that overrides `[section] key`. */
export function envName(section: string, key: string): string {
  return `SBX_${section}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/** Whether a variable could override a setting (SBX_<SECTION>_…); false means the environment sets none. */
export function environmentMayConfigure(env: Readonly<Record<string, string | undefined>>): boolean {
  const prefixes = CONFIG_SECTIONS.map((section) => envName(section, ''))
  return Object.entries(env).some(
    ([name, value]) => value !== undefined && prefixes.some((prefix) => name.startsWith(prefix)),
  )
}
