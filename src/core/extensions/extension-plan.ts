/**
 * Which extensions a set of migrations needs and what the embedded database does about each: load PGlite's
 * build of it, load sbx's stand-in, or replay without it. Pure: works on statement text, error codes and the
 * catalog.
 */

import {stripLeadingComments} from '../sql/sql-statements.js'
import {
  BASELINE_EXTENSIONS,
  BASELINE_USE,
  EMBEDDED_ENGINES,
  type EngineName,
  type ExtensionSource,
  SUPABASE_EXTENSIONS,
} from './extension-catalog.js'
import {STAND_INS} from './extension-stand-ins.js'

/**
 * - `loaded`: the real extension, built for PGlite.
 * - `stand-in`: sbx's SQL-only stand-in (objects and signatures; calls do nothing).
 * - `missing`: offered by Supabase, but neither loadable nor stood in for: statements needing it are skipped.
 * - `unknown`: not an extension Supabase offers: `create extension` fails, as on Supabase.
 */
export type ExtensionStatus = 'loaded' | 'stand-in' | 'missing' | 'unknown'

export interface ExtensionUse {
  name: string
  status: ExtensionStatus
  /** The files that create it (or, for one the baseline already holds, call into it). */
  files: string[]
}

/** What the embedded database must load: catalog names, and the versions migrations pin (`version '0.8.0'`). */
export interface ExtensionNeeds {
  load: string[]
  /** Per extension, versions other than the one the embedded database has. */
  versions: Record<string, string[]>
}

export interface ExtensionPlan extends ExtensionNeeds {
  uses: ExtensionUse[]
}

const CREATE_EXTENSION =
  /^create\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|([a-z_\u{80}-\u{10ffff}][\w$\u{80}-\u{10ffff}]*))/iu

/** The extension a `CREATE EXTENSION` statement creates (unquoted names fold to lower case), else undefined. */
export function createdExtension(statement: string): string | undefined {
  const match = CREATE_EXTENSION.exec(stripLeadingComments(statement))
  if (!match) return undefined
  return match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] as string).toLowerCase()
}

const VERSION_CLAUSE = /\bversion\s+(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([\w.]+))/iu

/** Versions that can name a file (PostgreSQL itself refuses "--" and "/" in them); others are left to fail. */
const SAFE_VERSION = /^(?!.*--)[\w.-]{1,40}$/u

/** The version a `CREATE EXTENSION … VERSION '1.5'` statement pins (as `supabase db diff` writes them), if any. */
export function pinnedVersion(statement: string): string | undefined {
  const rest = stripLeadingComments(statement).replace(CREATE_EXTENSION, '')
  const match = VERSION_CLAUSE.exec(rest)
  if (!match) return undefined
  return match[1]?.replaceAll("''", "'") ?? match[2]?.replaceAll('""', '"') ?? match[3]
}

/** The version the embedded database has: PGlite's build, or sbx's stand-in. */
export function embeddedVersion(name: string): string | undefined {
  const source = Object.hasOwn(SUPABASE_EXTENSIONS, name) ? SUPABASE_EXTENSIONS[name] : undefined
  if (source?.kind === 'pglite') return source.version
  if (source?.kind === 'stand-in') return STAND_INS[name]?.version
  return undefined
}

export function extensionStatus(name: string): ExtensionStatus | 'builtin' {
  const source: ExtensionSource | undefined = Object.hasOwn(SUPABASE_EXTENSIONS, name)
    ? SUPABASE_EXTENSIONS[name]
    : undefined
  if (!source) return 'unknown'
  if (source.kind === 'pglite') return 'loaded'
  if (source.kind === 'stand-in') return 'stand-in'
  if (source.kind === 'unavailable') return 'missing'
  return 'builtin'
}

export function planExtensions(files: ReadonlyArray<{file: string; statements: readonly string[]}>): ExtensionPlan {
  const byName = new Map<string, Set<string>>()
  const pinned = new Map<string, Set<string>>()
  const note = (name: string, file: string) => {
    const set = byName.get(name) ?? new Set<string>()
    set.add(file)
    byName.set(name, set)
  }
  for (const {file, statements} of files) {
    for (const statement of statements) {
      const created = createdExtension(statement)
      if (created !== undefined) {
        note(created, file)
        const version = pinnedVersion(statement)
        if (version !== undefined) pinned.set(created, (pinned.get(created) ?? new Set()).add(version))
      }
      for (const name of BASELINE_EXTENSIONS) {
        if (BASELINE_USE[name].test(statement)) note(name, file)
      }
    }
  }
  const uses: ExtensionUse[] = []
  for (const [name, fileSet] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const status = extensionStatus(name)
    if (status !== 'builtin') uses.push({name, status, files: [...fileSet]})
  }
  // PostGIS runs on another PGlite release than the builds of pgvector, pgtap and pg_hashids: with one of those
  // needed, it is replayed without (skipped, as any extension the embedded database lacks).
  if (uses.some((use) => use.status === 'loaded' && defaultEngineOnly(use.name))) {
    for (const use of uses) if (sourceOf(use.name)?.engine === 'postgis') use.status = 'missing'
  }
  const load = uses.filter((use) => use.status === 'loaded' || use.status === 'stand-in').map((use) => use.name)
  const versions: Record<string, string[]> = {}
  for (const name of load) {
    const other = [...(pinned.get(name) ?? [])].filter(
      (version) => version !== embeddedVersion(name) && SAFE_VERSION.test(version),
    )
    if (other.length > 0) versions[name] = other.sort()
  }
  return {uses, load, versions}
}

function sourceOf(name: string): Extract<ExtensionSource, {kind: 'pglite'}> | undefined {
  const source = Object.hasOwn(SUPABASE_EXTENSIONS, name) ? SUPABASE_EXTENSIONS[name] : undefined
  return source?.kind === 'pglite' ? source : undefined
}

/** A build made for the default PGlite only (a package of its own, not one of PGlite's contrib bundles). */
export function defaultEngineOnly(name: string): boolean {
  const source = sourceOf(name)
  return (
    source !== undefined &&
    source.engine === undefined &&
    !source.load.module.startsWith(EMBEDDED_ENGINES.default.contrib)
  )
}

/** The PGlite release to start for these extensions: PostGIS's when one of its parts is loaded. */
export function engineFor(load: readonly string[]): EngineName {
  return load.some((name) => sourceOf(name)?.engine === 'postgis') ? 'postgis' : 'default'
}

/** Where an extension's build is imported from on `engine`: PGlite's contrib bundles come with each release. */
export function buildModule(name: string, engine: EngineName): {module: string; export: string} | undefined {
  const source = sourceOf(name)
  if (!source) return undefined
  const {contrib} = EMBEDDED_ENGINES.default
  if (source.load.module.startsWith(contrib)) {
    return {
      module: EMBEDDED_ENGINES[engine].contrib + source.load.module.slice(contrib.length),
      export: source.load.export,
    }
  }
  if ((source.engine ?? 'default') !== engine) return undefined
  return source.load
}

/**
 * The extension whose PGlite build was not loaded when SQL needed it (a call the scan did not see), if the
 * error says so and sbx can load it.
 */
export function missingLibrary(error: {code?: string; message: string}): string | undefined {
  const name =
    error.code === '58P01'
      ? /^could not access file "(?:\$libdir\/)?([^"]+)"/u.exec(error.message)?.[1]
      : error.code === '0A000'
        ? /^extension "([^"]+)" is not available/u.exec(error.message)?.[1]
        : undefined
  if (name === undefined) return undefined
  const status = extensionStatus(name)
  return status === 'loaded' || status === 'stand-in' ? name : undefined
}

/** SQLSTATEs of "does not exist": undefined object (type, access method…), function, table, column, schema. */
const MISSING_OBJECT_CODES = new Set(['42704', '42883', '42P01', '42703', '3F000'])

/**
 * Whether a statement that failed after a missing extension was skipped is taken to depend on it: the error
 * is an object that does not exist, and no later statement creates it (one that does is an ordering mistake,
 * reported as a failure as usual).
 */
export function dependsOnSkippedWork(error: {code?: string}, createdLater: boolean): boolean {
  return error.code !== undefined && MISSING_OBJECT_CODES.has(error.code) && !createdLater
}
