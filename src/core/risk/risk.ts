/**
 * Measured risk of a migration: what its statements did on the replay engine (locks its own backend held on
 * relations that existed before the file, tables rewritten, indexes built and constraints validated over whole
 * tables), then, given the target's statistics, how big those tables are there and how long the work takes.
 * Pure: the observations come from workflows/steps/risk-tracer.ts, the sizes from shell/database/table-stats.ts.
 */
import {estimateSeconds, type Work} from './risk-time.js'

/** pg_locks' names, weakest first (PostgreSQL's "Table-Level Lock Modes"). */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const
export type LockMode = (typeof LOCK_MODES)[number]

export const lockStrength = (mode: string): number => LOCK_MODES.indexOf(mode as LockMode)

/** SELECT takes AccessShareLock, which conflicts only with AccessExclusiveLock. */
export const blocksReads = (mode: LockMode): boolean => mode === 'AccessExclusiveLock'
/** INSERT/UPDATE/DELETE take RowExclusiveLock: it conflicts with Share and every stronger mode. */
export const blocksWrites = (mode: LockMode): boolean => lockStrength(mode) >= lockStrength('ShareLock')

export type ScanReason = 'index build' | 'check validation' | 'foreign key validation' | 'not null validation'

/** What the tracer saw after one statement, for relations that existed before the file. */
export interface StatementObservation {
  statement: number
  /** The strongest mode held on each relation (tables, views, materialized views) after the statement. */
  locks: ReadonlyArray<{relation: string; mode: LockMode}>
  /** Tables whose relfilenode changed at this statement. */
  rewritten: readonly string[]
  /** Indexes this statement created on existing tables (the table's name). */
  indexBuilt: ReadonlyArray<{table: string; concurrently: boolean}>
  /** The statement ran outside any transaction: its locks come from PostgreSQL's documentation, not pg_locks. */
  documented?: boolean
}

export interface MigrationTrace {
  statements: readonly string[]
  observations: readonly StatementObservation[]
}

export interface RiskLock {
  statement: number
  relation: string
  mode: LockMode
  /** Later statements of the same transaction that ran while the lock was held. */
  heldThrough: number[]
}

export interface RiskTable {
  relation: string
  bytes: number
  rows: number
}

export interface MigrationRisk {
  level: 'low' | 'medium' | 'high'
  locks: RiskLock[]
  rewrites: Array<{statement: number; relation: string}>
  scans: Array<{statement: number; relation: string; reason: ScanReason}>
  /** Only with a target: the existing tables the migration touches, from the target's statistics. */
  tables?: RiskTable[]
  estimatedSeconds?: number
  blocksReads: boolean
  blocksWrites: boolean
}

/** A table's statistics on the target (pg_class and the size functions; never its rows). */
export interface TableStats {
  relation: string
  bytes: number
  rows: number
  indexes: number
}

/** The locks, rewrites and scans of one traced migration; sizes and time when the target's statistics are given. */
export function assessMigration(trace: MigrationTrace, stats?: ReadonlyMap<string, TableStats>): MigrationRisk {
  const locks = lockEntries(trace.observations)
  const rewrites: MigrationRisk['rewrites'] = []
  const scans: MigrationRisk['scans'] = []
  for (const o of trace.observations) {
    const statement = trace.statements[o.statement] ?? ''
    if (isTruncate(statement)) continue
    for (const relation of o.rewritten) rewrites.push({statement: o.statement, relation})
    for (const built of o.indexBuilt) {
      if (!built.concurrently) scans.push({statement: o.statement, relation: built.table, reason: 'index build'})
    }
    const validated = validationReason(statement)
    const table = validated && alteredTable(statement, o.locks)
    if (validated && table) scans.push({statement: o.statement, relation: table, reason: validated})
  }
  const modes = locks.map((l) => l.mode)
  const level = rewrites.length > 0 || scans.length > 0 ? 'high' : modes.some(blocksWrites) ? 'medium' : 'low'
  const blocking = {blocksReads: modes.some(blocksReads), blocksWrites: modes.some(blocksWrites)}
  if (!stats) return {level, locks, rewrites, scans, ...blocking}
  const touched = new Set([...locks, ...rewrites, ...scans].map((item) => item.relation))
  const tables = [...touched]
    .flatMap((relation) => {
      const s = stats.get(relation)
      return s ? [{relation, bytes: s.bytes, rows: s.rows}] : []
    })
    .sort((a, b) => (a.relation < b.relation ? -1 : 1))
  // The order of the contract: level, locks, rewrites, scans, tables, estimatedSeconds, blocksReads, blocksWrites.
  return {level, locks, rewrites, scans, tables, estimatedSeconds: estimateSeconds(workOf(trace), stats), ...blocking}
}

/** Each relation's lock at the statement that first took that mode, with the statements it was held through. */
function lockEntries(observations: readonly StatementObservation[]): RiskLock[] {
  const entries: RiskLock[] = []
  /** relation → the entries still held after the previous statement. */
  let open = new Map<string, RiskLock[]>()
  for (const o of observations) {
    const next = new Map<string, RiskLock[]>()
    for (const {relation, mode} of o.locks) {
      const held = (open.get(relation) ?? []).filter((entry) => lockStrength(mode) >= lockStrength(entry.mode))
      for (const entry of held) entry.heldThrough.push(o.statement)
      if (!held.some((entry) => entry.mode === mode)) {
        const entry = {statement: o.statement, relation, mode, heldThrough: []}
        entries.push(entry)
        held.push(entry)
      }
      // Outside a transaction the lock ends with the statement.
      if (!o.documented) next.set(relation, held)
    }
    open = next
  }
  return entries
}

/** The time-consuming work of a migration, for the time model. */
function workOf(trace: MigrationTrace): Work[] {
  const work: Work[] = []
  for (const o of trace.observations) {
    const statement = trace.statements[o.statement] ?? ''
    if (isTruncate(statement)) continue
    for (const relation of o.rewritten) work.push({kind: 'rewrite', relation})
    for (const built of o.indexBuilt) {
      work.push({kind: built.concurrently ? 'concurrent index' : 'index build', relation: built.table})
    }
    const validated = validationReason(statement) ?? (/\bvalidate\s+constraint\b/iu.test(statement) && 'validate')
    const table = validated && alteredTable(statement, o.locks)
    if (!validated || !table) continue
    // VALIDATE CONSTRAINT of a foreign key also locks the table it references.
    const foreign = validated === 'foreign key validation' || (validated === 'validate' && o.locks.length > 1)
    work.push({kind: foreign ? 'foreign key validation' : 'validation', relation: table})
  }
  return work
}

const isTruncate = (statement: string) => /^\s*truncate\b/iu.test(stripComments(statement))

/**
 * ALTER TABLE forms that check every row under their lock: a CHECK or foreign key added without NOT VALID, SET
 * NOT NULL. (PostgreSQL skips the NOT NULL scan when a valid CHECK proves it; the trace cannot see that.)
 */
export function validationReason(statement: string): ScanReason | undefined {
  const sql = stripComments(statement)
  if (!/^\s*alter\s+table\b/iu.test(sql)) return undefined
  if (/\bset\s+not\s+null\b/iu.test(sql)) return 'not null validation'
  if (/\bnot\s+valid\b/iu.test(sql)) return undefined
  if (/\badd\s+(constraint\s+("[^"]+"|\S+)\s+)?check\b/iu.test(sql)) return 'check validation'
  if (/\badd\b[\s\S]*\b(foreign\s+key|references)\b/iu.test(sql)) return 'foreign key validation'
  return undefined
}

/** The ALTER TABLE's own table among the relations the statement locked (a foreign key locks two). */
function alteredTable(statement: string, locks: StatementObservation['locks']): string | undefined {
  const name = /^\s*alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/iu
    .exec(stripComments(statement))?.[1]
    ?.replaceAll('"', '')
  if (!name) return undefined
  const bare = name.includes('.') ? name : undefined
  return (
    locks.find((l) => l.relation === bare)?.relation ??
    locks.find((l) => l.relation.split('.').at(-1) === name.split('.').at(-1)?.toLowerCase())?.relation ??
    locks.find((l) => l.relation.split('.').at(-1) === name.split('.').at(-1))?.relation
  )
}

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/gu, ' ').replace(/\/\*[\s\S]*?\*\//gu, ' ')
}

/** Every relation the assessment names: what the target's statistics are read for. */
export function relationsOf(traces: Iterable<MigrationTrace>): string[] {
  const names = new Set<string>()
  for (const trace of traces) {
    for (const o of trace.observations) {
      for (const l of o.locks) names.add(l.relation)
      for (const r of o.rewritten) names.add(r)
      for (const i of o.indexBuilt) names.add(i.table)
    }
  }
  return [...names].sort()
}
