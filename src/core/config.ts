/**
 * `supabase/sbx.toml`: sbx's own settings (supabase's config.toml warns about keys it does not know, so
 * they live apart). Pure: the caller reads the file and passes the environment.
 *
 * One strict zod object per section (unknown keys are errors), listed in SECTIONS; a new section is one
 * schema file and one line there. Values may be written `env(NAME)` as in supabase's config.toml, and
 * every key can be overridden by `SBX_<SECTION>_<KEY>` (SBX_REGISTRY_URL for `[registry] url`).
 * zod/mini, not zod: bundled into `migration new`'s fast path it costs nothing measurable, zod ~50 ms.
 */
import {parse} from 'smol-toml'
import * as z from 'zod/mini'
import {CONFIG_FILE, type ConfigSectionName, envName} from './config-names.js'
import {checkSection, lintSection, notifySection, registrySection, verifySection} from './config-sections.js'
import {UsageError} from './errors.js'
import {CHECK_EXPECTED} from './migrations/check-config.js'
import {NOTIFY_EXPECTED} from './notify/notify-config.js'
import {REGISTRY_EXPECTED} from './registry/registry-config.js'
import {LINT_EXPECTED, VERIFY_EXPECTED} from './verify/verify-config.js'

export {CONFIG_FILE, envName} from './config-names.js'

const SECTIONS = {
  registry: registrySection,
  verify: verifySection,
  lint: lintSection,
  notify: notifySection,
  check: checkSection,
} as const satisfies Record<ConfigSectionName, unknown>

/** Per section, what each key expects: error messages say it. */
const EXPECTED: Record<string, Record<string, string>> = {
  registry: REGISTRY_EXPECTED,
  verify: VERIFY_EXPECTED,
  lint: LINT_EXPECTED,
  notify: NOTIFY_EXPECTED,
  check: CHECK_EXPECTED,
}

const schema = z.strictObject(
  Object.fromEntries(Object.entries(SECTIONS).map(([name, section]) => [name, z.optional(section)])) as {
    [K in keyof typeof SECTIONS]: z.ZodMiniOptional<(typeof SECTIONS)[K]>
  },
)

export type SbxConfig = z.infer<typeof schema>

export interface ConfigSource {
  /** The file's text; undefined when there is no file (the environment alone may still configure sbx). */
  text?: string
  /** How messages name the file. */
  file?: string
  env: Readonly<Record<string, string | undefined>>
}

export function parseConfig(source: ConfigSource): SbxConfig {
  const file = source.file ?? CONFIG_FILE
  const raw = source.text === undefined ? {} : parseToml(source.text, file)
  /** Where each value came from, so an error names the variable rather than the file when it came from there. */
  const origins = new Map<string, string>()
  const tree = substituteEnv(raw, [], source.env, file)
  for (const [name, section] of Object.entries(SECTIONS)) {
    for (const key of Object.keys(section.shape)) {
      const variable = envName(name, key)
      const value = source.env[variable]
      if (value === undefined) continue
      if (tree[name] === undefined) tree[name] = {}
      const target = tree[name]
      // A section that is not a table is reported by the schema below.
      if (typeof target !== 'object' || target === null || Array.isArray(target)) continue
      ;(target as Record<string, unknown>)[key] = value
      origins.set(`${name}.${key}`, variable)
    }
  }
  const result = schema.safeParse(tree)
  if (result.success) return result.data
  // An unknown key is the likelier mistake (a typo) than the missing key it was meant to be.
  const issues = result.error.issues
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]
  throw configError(issue as z.core.$ZodIssue, file, origins)
}

function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>
  } catch (error) {
    const where = error as {line?: number; column?: number; message?: string}
    const detail = (where.message ?? String(error)).split('\n')[0]
    throw new UsageError(
      `${file}${where.line ? `:${where.line}` : ''}: not valid TOML (${detail}); fix the syntax.`,
      'ECONFIG',
    )
  }
}

const ENV_REFERENCE = /^env\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/

/** Replaces every string value `env(NAME)` with that variable's value; an unset variable is an error. */
function substituteEnv(
  value: Record<string, unknown>,
  path: string[],
  env: ConfigSource['env'],
  file: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const here = [...path, key]
    if (typeof item === 'string') {
      const name = ENV_REFERENCE.exec(item)?.[1]
      if (name === undefined) out[key] = item
      else if (env[name] !== undefined) out[key] = env[name]
      else {
        throw new UsageError(
          `${file}: ${keyLabel(here)} is env(${name}), but ${name} is not set: set it or write the value.`,
          'ECONFIG',
        )
      }
    } else if (item !== null && typeof item === 'object' && !Array.isArray(item) && !(item instanceof Date)) {
      out[key] = substituteEnv(item as Record<string, unknown>, here, env, file)
    } else out[key] = item
  }
  return out
}

/** `[registry] url` for a key in a section, `registry` for a section. */
function keyLabel(path: ReadonlyArray<PropertyKey>): string {
  const [section, ...rest] = path.map(String)
  return rest.length === 0 ? `[${section}]` : `[${section}] ${rest.join('.')}`
}

function configError(issue: z.core.$ZodIssue, file: string, origins: ReadonlyMap<string, string>): UsageError {
  if (issue.code === 'unrecognized_keys') {
    const [section] = issue.path.map(String)
    const known = section === undefined ? Object.keys(SECTIONS) : Object.keys(sectionShape(section))
    const keys = issue.keys.map((key) => (section === undefined ? `[${key}]` : `[${section}] ${key}`))
    return new UsageError(
      `${file}: unknown ${section === undefined ? 'section' : 'key'} ${keys.join(', ')}: expected one of ${known.join(', ')}.`,
      'ECONFIG',
    )
  }
  const origin = origins.get(issue.path.map(String).join('.'))
  const where = origin ? `${origin} (for ${keyLabel(issue.path)} in ${file})` : `${file}: ${keyLabel(issue.path)}`
  const [section, key] = issue.path.map(String)
  const expected = key === undefined ? 'a table of settings' : (EXPECTED[section as string]?.[key] ?? 'a valid value')
  return new UsageError(`${where}: expected ${expected}.`, 'ECONFIG')
}

function sectionShape(section: string): Record<string, unknown> {
  return (SECTIONS as Record<string, {shape: Record<string, unknown>}>)[section]?.shape ?? {}
}
