/**
 * Which PostgreSQL major the embedded replay runs on, for the project's `[db] major_version`, and what replaying on
 * another major cannot catch. Data only.
 *
 * PGlite's release lines (measured 2026-12-02, `select version()`): 0.2.17 → 16.4, 0.3.16 and 0.4.6 → 17.5,
 * 0.5.x → 18.6/18.7. The 16 line is left out: its WebAssembly exits ("unreachable") on the next pipeline after
 * any error in one (measured with SAVEPOINT and 1/0), and a replay has to survive the failures it reports. So a
 * project on 15 or 16 replays on 17, made to look like 15 where data can (functions 16 and 17 added are removed
 * from its catalog, shell/major-emulation.ts) and checked against the syntax table below where it cannot.
 */

export interface PgliteLine {
  major: number
  /** The npm name it is installed under (an alias for all but the newest line). */
  module: string
  /** Where its extension builds live: contrib under `<module>/contrib/<name>`, packages as below. */
  packages: Readonly<Record<string, string>>
  /** Catalog names of PGlite builds this line does not ship (0.4.6 has no spi bundle, no pg_stat_statements). */
  lacks?: readonly string[]
}

export const PGLITE_LINES: readonly PgliteLine[] = [
  {
    major: 17,
    module: 'pglite-17',
    // PGlite 0.4 ships pgvector, pgtap and pg_hashids inside its own package.
    packages: {
      '@electric-sql/pglite-pgvector': 'pglite-17/vector',
      '@electric-sql/pglite-pgtap': 'pglite-17/pgtap',
      '@electric-sql/pglite-pg_hashids': 'pglite-17/pg_hashids',
    },
    // PostGIS is built for the 18 line only (core/extensions/extension-catalog.ts).
    lacks: ['moddatetime', 'autoinc', 'insert_username', 'refint', 'pg_stat_statements', 'postgis', 'postgis_topology'],
  },
  {major: 18, module: '@electric-sql/pglite', packages: {}},
]

/** supabase init (3.1) writes 17; a config.toml without the key gets supabase's own default. */
export const DEFAULT_PROJECT_MAJOR = 17

export interface ReplayMajor {
  line: PgliteLine
  /** The project's major, when the replay runs on another one. */
  projectMajor: number
  exact: boolean
  /** With projectMajor below the line's: the catalog the replay database is trimmed to, if sbx has data for it. */
  emulates?: number
}

/** The line for a project major: its own, else the nearest (the lowest above it, or the newest below it). */
export function replayMajor(projectMajor: number): ReplayMajor {
  const own = PGLITE_LINES.find((line) => line.major === projectMajor)
  if (own) return {line: own, projectMajor, exact: true}
  const above = PGLITE_LINES.find((line) => line.major > projectMajor)
  const line = above ?? (PGLITE_LINES.at(-1) as PgliteLine)
  const emulates = above && projectMajor === 15 ? 15 : undefined
  return {line, projectMajor, exact: false, ...(emulates ? {emulates} : {})}
}

/**
 * The line for a project major that also ships every build the migrations load: a line lacking one gives way to
 * the nearest newer line that has them all (reported as not exact, like any other major gap).
 */
export function replayMajorFor(projectMajor: number, load: readonly string[]): ReplayMajor {
  const chosen = replayMajor(projectMajor)
  const ships = (line: PgliteLine) => !load.some((name) => line.lacks?.includes(name))
  if (ships(chosen.line)) return chosen
  const line = PGLITE_LINES.find((candidate) => candidate.major > chosen.line.major && ships(candidate))
  if (!line) return chosen
  return {line, projectMajor, exact: false, ...(chosen.emulates ? {emulates: chosen.emulates} : {})}
}

/** The module an extension's build is imported from on this line. */
export function extensionModule(line: PgliteLine, module: string): string {
  const mapped = line.packages[module]
  if (mapped) return mapped
  return module.replace(/^@electric-sql\/pglite(?=\/|$)/u, line.module)
}

/**
 * Syntax added per major (PostgreSQL release notes), for a replay on a newer major than the project's: a
 * statement using it fails there with 42601, as on the project's server. Patterns run on statements without
 * comments and string literals.
 */
export interface SyntaxFeature {
  major: number
  feature: string
  pattern: RegExp
  code: string
}

export const SYNTAX_BY_MAJOR: readonly SyntaxFeature[] = [
  {
    major: 16,
    feature: 'SQL/JSON constructors JSON_ARRAY()/JSON_ARRAYAGG()/JSON_OBJECTAGG()',
    pattern: /\bJSON_(?:ARRAY|ARRAYAGG|OBJECTAGG)\s*\(/iu,
    code: '42883',
  },
  {major: 16, feature: 'IS JSON predicate', pattern: /\bIS\s+(?:NOT\s+)?JSON\b/iu, code: '42601'},
  {major: 17, feature: 'JSON_TABLE()', pattern: /\bJSON_TABLE\s*\(/iu, code: '42601'},
  {
    major: 17,
    feature: 'JSON_QUERY()/JSON_VALUE()/JSON_EXISTS()',
    pattern: /\bJSON_(?:QUERY|VALUE|EXISTS)\s*\(/iu,
    code: '42883',
  },
  {major: 17, feature: 'MERGE … RETURNING', pattern: /\bMERGE\s+INTO\b[\s\S]*\bRETURNING\b/iu, code: '42601'},
  {
    major: 18,
    feature: 'virtual generated columns',
    pattern: /\bGENERATED\s+ALWAYS\s+AS\s*\([\s\S]*?\)\s*VIRTUAL\b/iu,
    code: '42601',
  },
]

/** What a replay on `replayed` cannot catch for a project on `project`, per major in between. */
export function majorGap(project: number, replayed: number, emulated: boolean): string[] {
  if (replayed === project) return []
  if (replayed < project) {
    return [`features of PostgreSQL ${replayed + 1}–${project}: they fail here and would pass on the project's server`]
  }
  const gap: string[] = []
  for (let major = project + 1; major <= replayed; major++) {
    const checked = SYNTAX_BY_MAJOR.filter((f) => f.major === major).map((f) => f.feature)
    const functions = emulated ? 'its new functions are removed; ' : 'its new functions pass here; '
    gap.push(
      `PostgreSQL ${major}: ${functions}of its new syntax only ${checked.length > 0 ? checked.join(', ') : 'nothing'} is refused; new system views, settings and behaviour changes pass here but fail on ${project}`,
    )
  }
  return gap
}

/** The first syntax feature newer than the project's major that the statement uses. */
export function newerSyntax(statement: string, project: number, replayed: number): SyntaxFeature | undefined {
  if (replayed <= project) return undefined
  const code = withoutLiterals(statement)
  return SYNTAX_BY_MAJOR.find((f) => f.major > project && f.major <= replayed && f.pattern.test(code))
}

/** The statement with comments and string/identifier literals blanked (dollar quotes are kept: function bodies). */
function withoutLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/gu, ' ')
    .replace(/\/\*[\s\S]*?\*\//gu, ' ')
    .replace(/E?'(?:[^']|'')*'/giu, "''")
    .replace(/"(?:[^"]|"")*"/gu, '""')
}

/**
 * Before 17, an enum value added in a transaction cannot be used in it, even when the type was created in the same
 * transaction (measured on PostgreSQL 15: 55P04); PGlite's 17.5 allows the latter. The value used, when `statement`
 * uses one that an earlier statement of its transaction added to a type created there too.
 */
export function unsafeEnumValue(
  statement: string,
  earlier: readonly string[],
): {type: string; value: string} | undefined {
  for (const previous of earlier) {
    const added =
      /^\s*ALTER\s+TYPE\s+(?:[\w"]+\.)?"?(\w+)"?\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'/iu.exec(
        previous.replace(/--[^\n]*/gu, ' '),
      )
    if (!added) continue
    const [, type, value] = added as unknown as [string, string, string]
    const created = earlier.some((sql) =>
      new RegExp(`CREATE\\s+TYPE\\s+(?:[\\w"]+\\.)?"?${type}"?\\s+AS\\s+ENUM`, 'iu').test(sql),
    )
    if (created && statement.includes(`'${value}'`) && !/^\s*ALTER\s+TYPE/iu.test(statement)) return {type, value}
  }
  return undefined
}
