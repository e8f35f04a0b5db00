/**
 * Supabase's database advisors (the splinter lints `supabase db advisors` runs) on a replayed database: their
 * output parsed, each finding attributed to the migration that created the object it names, and the decision
 * whether it blocks. Pure: the replay records the catalog between files (shell/replay/catalog.ts), supabase runs the
 * rules (shell/supabase/advisors.ts).
 */
import type {BlockingLevel} from './verify-config.js'

export type AdvisorLevel = 'ERROR' | 'WARN' | 'INFO'

export interface AdvisorFinding {
  /** The splinter rule, e.g. rls_disabled_in_public. */
  rule: string
  title: string
  level: AdvisorLevel
  detail: string
  /** Supabase's documentation of the rule and its fix. */
  remediation: string
  object: {schema?: string; name?: string; type?: string}
  /** The migration that created the object; absent when it was in the baseline or cannot be traced. */
  migration?: string
  /** Later migrations that altered it (RLS, policies, options, grants, body, settings). */
  alteredBy: string[]
  /** Matched by `[verify] ignore`. */
  ignored: boolean
  blocking: boolean
}

export interface AdvisorsReport {
  /** ran; off (`advisors = "off"`); skipped (the replay failed, or a missing extension left it incomplete). */
  status: 'ran' | 'off' | 'skipped'
  reason?: string
  /** The level at which findings blocked in this run. */
  level: BlockingLevel
  /** Which migrations' objects could block: all (no target), or those the target has not applied. */
  scope: 'all' | 'unapplied' | 'branch'
  findings: AdvisorFinding[]
  /** supabase's version that ran the rules. */
  supabase?: string
  /** What was not run on a replayed database, and why. */
  notRun: string[]
}

/** Performance lints read usage statistics and sizes that a freshly replayed, empty database does not have. */
export const ADVISORS_NOT_RUN = [
  'performance advisors (unused_index, unindexed_foreign_keys, multiple_permissive_policies…): they judge usage statistics and data a fresh replay does not have; run `supabase db advisors --type performance` on the project',
]

/** One object of the catalog, between two migrations. */
export interface CatalogObject {
  oid: string
  kind: 'relation' | 'function' | 'extension'
  schema: string
  name: string
  /** Changes when the object is altered in a way the advisors look at. */
  signature: string
}

export type LedgerState = Array<[oid: string, entry: Entry]>

export interface Entry {
  /** Unknown until a snapshot shows the object (one the replay's DDL named between snapshots). */
  object?: CatalogObject
  introducedBy?: string
  alteredBy: string[]
}

/**
 * Which migration created and altered each object. Built from the objects each file's DDL named (the replay's
 * event triggers), with whole snapshots where the DDL cannot say (extensions, schemas) and one at the end for
 * names and signatures; or, where the database gives no events, from a whole snapshot after every file.
 */
export class ObjectLedger {
  private readonly entries = new Map<string, Entry>()

  /** The catalog before the first migration: its objects are the baseline's. */
  constructor(baseline: readonly CatalogObject[]) {
    for (const object of baseline) this.entries.set(object.oid, {object, alteredBy: []})
  }

  /** What the ledger knows, as plain data (the replay cache keeps it with the database state). */
  save(): LedgerState {
    return [...this.entries].map(([oid, entry]) => [oid, {...entry, alteredBy: [...entry.alteredBy]}])
  }

  /** The ledger as save() left it. */
  static restore(state: LedgerState): ObjectLedger {
    const ledger = new ObjectLedger([])
    for (const [oid, entry] of state) ledger.entries.set(oid, {...entry, alteredBy: [...entry.alteredBy]})
    return ledger
  }

  /** The whole catalog after `file` ran: new objects are its, changed signatures its alterations. */
  record(file: string, snapshot: readonly CatalogObject[]): void {
    const seen = new Set<string>()
    for (const object of snapshot) {
      seen.add(object.oid)
      const entry = this.entries.get(object.oid)
      if (!entry) this.entries.set(object.oid, {object, introducedBy: file, alteredBy: []})
      else if (!entry.object) entry.object = object
      else if (entry.object.signature !== object.signature || entry.object.name !== object.name) {
        this.altered(entry, file)
        entry.object = object
      }
    }
    for (const oid of [...this.entries.keys()]) if (!seen.has(oid)) this.entries.delete(oid)
  }

  /** What `file`'s DDL named (created or altered: oids) and dropped. */
  touch(file: string, named: readonly string[], dropped: readonly string[]): void {
    for (const oid of dropped) this.entries.delete(oid)
    for (const oid of named) {
      const entry = this.entries.get(oid)
      if (!entry) this.entries.set(oid, {introducedBy: file, alteredBy: []})
      else this.altered(entry, file)
    }
  }

  /** The catalog after the last file: what it lacks is gone (or was never an object reports name, as an index). */
  settle(snapshot: readonly CatalogObject[]): void {
    const seen = new Set<string>()
    for (const object of snapshot) {
      seen.add(object.oid)
      const entry = this.entries.get(object.oid)
      if (entry) entry.object = object
      else this.entries.set(object.oid, {object, alteredBy: []})
    }
    for (const oid of [...this.entries.keys()]) if (!seen.has(oid)) this.entries.delete(oid)
  }

  private altered(entry: Entry, file: string): void {
    if (entry.introducedBy !== file && !entry.alteredBy.includes(file)) entry.alteredBy.push(file)
  }

  private known(): {object: CatalogObject; introducedBy?: string; alteredBy: string[]}[] {
    return [...this.entries.values()].filter((entry): entry is Entry & {object: CatalogObject} => !!entry.object)
  }

  /** The object an advisor names (the latest created among overloads of one function name). */
  find(object: AdvisorFinding['object']): {introducedBy?: string; alteredBy: string[]} | undefined {
    const kind = advisorKind(object.type)
    const matches = this.known().filter(
      (entry) =>
        (kind === undefined || entry.object.kind === kind) &&
        entry.object.name === object.name &&
        (object.schema === undefined || entry.object.schema === object.schema),
    )
    if (matches.length === 0) return undefined
    const introduced = matches.filter((entry) => entry.introducedBy !== undefined)
    const chosen = introduced.at(-1) ?? (matches[0] as (typeof matches)[number])
    return {...(chosen.introducedBy ? {introducedBy: chosen.introducedBy} : {}), alteredBy: [...chosen.alteredBy]}
  }

  /** Objects each migration created, in replay order of first appearance (for --json). */
  createdBy(file: string): CatalogObject[] {
    return this.known()
      .filter((entry) => entry.introducedBy === file)
      .map((entry) => entry.object)
  }
}

function advisorKind(type: string | undefined): CatalogObject['kind'] | undefined {
  if (type === undefined) return undefined
  if (type === 'function') return 'function'
  if (type === 'extension') return 'extension'
  if (/table|view/u.test(type)) return 'relation'
  return undefined
}

interface RawAdvisor {
  name?: string
  title?: string
  level?: string
  detail?: string
  remediation?: string
  metadata?: {name?: string; type?: string; schema?: string} | null
}

/**
 * `supabase db advisors` JSON: v3 prints `{"results": [...]}`, v2 a bare array. Lines before the JSON (a TLS
 * warning) are skipped. Throws when no JSON is found.
 */
export function parseAdvisorsOutput(stdout: string): Omit<AdvisorFinding, 'alteredBy' | 'ignored' | 'blocking'>[] {
  const start = stdout.search(/^[[{]/mu)
  if (start < 0) throw new Error('no JSON in its output')
  const parsed = JSON.parse(stdout.slice(start)) as RawAdvisor[] | {results?: RawAdvisor[] | null}
  const results = Array.isArray(parsed) ? parsed : (parsed.results ?? [])
  return results.map((raw) => {
    const meta = raw.metadata ?? {}
    const object: AdvisorFinding['object'] = {}
    if (meta.schema) object.schema = meta.schema
    if (meta.name) object.name = meta.name
    if (meta.type) object.type = meta.type
    return {
      rule: raw.name ?? 'unknown',
      title: raw.title ?? raw.name ?? '',
      level: raw.level === 'ERROR' || raw.level === 'WARN' ? raw.level : 'INFO',
      detail: raw.detail ?? '',
      remediation: raw.remediation ?? '',
      object,
    }
  })
}

/** `rule` ignores the rule everywhere; `rule:schema.name` (or `rule:name`) one object. */
export function isIgnored(finding: Pick<AdvisorFinding, 'rule' | 'object'>, ignore: readonly string[]): boolean {
  const {schema, name} = finding.object
  return ignore.some((entry) => {
    const [rule, target] = entry.split(':', 2)
    if (rule !== finding.rule) return false
    if (target === undefined) return true
    return target === `${schema}.${name}` || target === name
  })
}

/** Whether a finding at `level` blocks at the configured blocking level. */
export function levelBlocks(level: 'ERROR' | 'WARN' | 'INFO', blocking: BlockingLevel): boolean {
  if (blocking === 'error') return level === 'ERROR'
  if (blocking === 'warn') return level === 'ERROR' || level === 'WARN'
  return false
}

export interface AttributeOptions {
  ignore: readonly string[]
  level: BlockingLevel
  /** Files whose objects may block: those the target has not applied, or the branch's; undefined: every file. */
  blockable?: ReadonlySet<string>
}

/** Attributes each finding to its migration and decides whether it blocks. */
export function attributeFindings(
  raw: ReturnType<typeof parseAdvisorsOutput>,
  ledger: ObjectLedger | undefined,
  options: AttributeOptions,
): AdvisorFinding[] {
  return raw.map((finding) => {
    const found = ledger?.find(finding.object)
    const migration = found?.introducedBy
    const ignored = isIgnored(finding, options.ignore)
    const inScope = migration !== undefined && (options.blockable === undefined || options.blockable.has(migration))
    return {
      ...finding,
      ...(migration ? {migration} : {}),
      alteredBy: found?.alteredBy ?? [],
      ignored,
      blocking: !ignored && inScope && levelBlocks(finding.level, options.level),
    }
  })
}

/** The level a run blocks at: `--advisors` wins; `--against` makes the default "report" block on ERROR. */
export function effectiveLevel(
  configured: BlockingLevel,
  flag: BlockingLevel | undefined,
  against: boolean,
): BlockingLevel {
  if (flag) return flag
  if (against && configured === 'report') return 'error'
  return configured
}
