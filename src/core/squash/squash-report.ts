/** What `sbx squash` reports (its --json). */

export interface ProvenSquash {
  text: string
  /** supabase's statements of the squashed file (what its history row records). */
  statements: number
  /** Objects (pg_dump entries) and data entries carried. */
  objects: number
  rows: number
  buckets: number
  cronJobs: number
  /** What was compared. */
  compared: {catalogObjects: number; tables: number; sequences: number}
  timings: {replayMs: number; dumpMs: number; proofMs: number}
}

export interface SquashReport {
  status: 'squashed' | 'dry-run' | 'nothing-to-squash'
  /** The squashed file (version and name of the newest squashed one). */
  file?: string
  squashed: string[]
  /** Files left as they were (after the squashed ones). */
  kept: number
  /** Files in the folder before and after. */
  before: number
  after: number
  /** An interrupted squash this run finished first. */
  recovered?: string
  proof?: Omit<ProvenSquash, 'text'>
  /** git staged the change (the originals were tracked). */
  staged?: boolean
  /** Registry reservations of the removed originals that were still `reserved`, now released. */
  released?: string[]
  elapsedMs: number
}
