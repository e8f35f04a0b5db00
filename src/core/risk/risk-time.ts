/**
 * How long a migration's heavy work takes on the target: per-row costs, calibrated on the PostgreSQL 15 server
 * of the development machine (2 cores shared with other work) on a 1,000,000-row table `big (id bigint identity
 * primary key, n int not null, note text)`, 52 MB heap, 75 MB with its index; measured 2026-12-02 twice, at
 * 20:52 UTC (load average about 6) and at 21:44 (about 5). The same statements took up to 3.5 times longer under
 * the heavier load, so each constant sits between the two runs:
 *
 * | operation                                   | 20:52   | 21:44   | model per row |
 * |---------------------------------------------|---------|---------|---------------|
 * | create index on big (n)                     | 0.80 s  | 0.23 s  | 0.45 µs       |
 * | create index concurrently on big (flag)     | 0.50 s  | 0.19 s  | 0.4 µs        |
 * | alter column n type bigint (2 indexes)      | 2.40 s  | 1.22 s  | 0.2 µs + 0.5 µs per index |
 * | add column … default clock_timestamp()      | 2.37 s  | 1.33 s  | (the same: a rewrite) |
 * | add constraint … check (n > 0)              | 0.064 s | 0.037 s | 0.05 µs       |
 * | alter column note set not null              | 0.060 s | 0.038 s | 0.05 µs       |
 * | add foreign key (sid) references small (id) | 0.71 s  | 0.61 s  | 0.65 µs       |
 *
 * The rewrite's split between rows and indexes comes from a second table, `big (id bigint identity primary key,
 * n int not null)` (1 index, 64 MB): its retype took 0.50 s at 21:47, against 1.22 s for the table above with
 * two indexes: the index builds dominate. A rewrite copies every row and then builds every index of the table again. Costs grow with row width, which
 * the model does not see (it knows rows and the index count): wide rows (large jsonb, text) take longer. The
 * time spent waiting for a lock (behind a long query) is not in it either.
 */
import type {TableStats} from './risk.js'

export type WorkKind = 'rewrite' | 'index build' | 'concurrent index' | 'validation' | 'foreign key validation'

export interface Work {
  kind: WorkKind
  relation: string
}

/** Seconds per row. */
export const PER_ROW = {
  rewrite: 0.2e-6,
  /** Per index of the table, on a rewrite. */
  'rewrite index': 0.5e-6,
  index: 0.45e-6,
  'concurrent index': 0.4e-6,
  validation: 0.05e-6,
  'foreign key validation': 0.65e-6,
} as const

/** Seconds for the work on tables of these sizes; a table the target lacks (created by a pending file) is empty. */
export function estimateSeconds(work: readonly Work[], stats: ReadonlyMap<string, TableStats>): number {
  let seconds = 0
  for (const item of work) {
    const table = stats.get(item.relation)
    if (!table) continue
    seconds += table.rows * secondsPerRow(item.kind, table.indexes)
  }
  return Math.round(seconds * 100) / 100
}

function secondsPerRow(kind: WorkKind, indexes: number): number {
  switch (kind) {
    case 'rewrite':
      return PER_ROW.rewrite + indexes * PER_ROW['rewrite index']
    case 'index build':
      return PER_ROW.index
    default:
      return PER_ROW[kind]
  }
}

/** Rows from pg_class: reltuples, or (never analyzed: -1) the heap's size over a narrow row's 52 bytes. */
export function estimatedRows(reltuples: number, heapBytes: number): number {
  return reltuples >= 0 ? Math.round(reltuples) : Math.round(heapBytes / 52)
}
