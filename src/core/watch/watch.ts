/**
 * What `sbx watch` knows about the files in the migrations folder, and the events it reports. Pure: the
 * watcher feeds it names and times, and it answers two questions for each pass: who was there first
 * (first sightings, for the planner's keeper rank) and which files may move now (only complete ones).
 */

import type {Rename, RenameReason} from '../migrations/rename-plan.js'
import type {FollowUpReason} from './follow-up.js'

export type WatchEvent =
  | {event: 'ready'; path: string; migrations: number}
  | {event: 'renamed'; from: string; to: string; reason: RenameReason; kept?: string; sha256: string}
  /** A write through `from`, a name watch renamed to `to`, now in `to`; `sha256` of `to`'s content. */
  | {event: 'updated'; from: string; to: string; reason: FollowUpReason; sha256: string}
  | {event: 'error'; message: string; code?: string}
  | {event: 'stopped'; passes: number; renames: number}

/** The error event when the migrations folder is deleted or moved away while watching. */
export function folderGoneEvent(folder: string): WatchEvent {
  return {
    event: 'error',
    code: 'EFOLDERGONE',
    message: `${folder} was removed or moved away; sbx watch waits for it to come back, then goes on.`,
  }
}

/** The first-sighting time of files that were in the folder when watching began: before everything else. */
export const PRESENT_AT_START = 0

export class Arrivals {
  /** First sighting (ms) of every name known to be, or to have been, in the folder. */
  private readonly sightings = new Map<string, number>()
  /** Names the watcher reported completely written, or present at start, or renamed by sbx. */
  private readonly complete = new Set<string>()
  /** Names sbx itself renamed to: their `add` from the watcher is an echo, not a newcomer. */
  private readonly own = new Set<string>()

  /** Files already in the folder when watching began count as complete and as seen first. */
  presentAtStart(names: Iterable<string>): void {
    for (const name of names) {
      if (this.sightings.has(name)) continue
      this.sightings.set(name, PRESENT_AT_START)
      this.complete.add(name)
    }
  }

  /** The watcher noticed a name (created, renamed in, written to); only the first notice counts. */
  noticed(name: string, at: number): void {
    if (!this.sightings.has(name)) this.sightings.set(name, at)
  }

  /** The watcher reports a completely written file. True when it is a newcomer, not an echo of sbx's own rename. */
  completed(name: string, at: number): boolean {
    this.noticed(name, at)
    this.complete.add(name)
    return !this.own.delete(name)
  }

  /** sbx replaced a file's content in place: its coming `add` is an echo, not a newcomer. */
  replaced(name: string): void {
    this.own.add(name)
  }

  removed(name: string): void {
    this.sightings.delete(name)
    this.complete.delete(name)
    this.own.delete(name)
  }

  /** sbx moved a file: the new name keeps the old one's first sighting, and its `add` will be an echo. */
  renamed(from: string, to: string): void {
    this.sightings.set(to, this.sightings.get(from) ?? PRESENT_AT_START)
    this.complete.add(to)
    this.own.add(to)
    this.sightings.delete(from)
    this.complete.delete(from)
  }

  /** Renames of files still being written wait: their own completion starts another pass. */
  movableNow(plan: readonly Rename[]): Rename[] {
    return plan.filter((rename) => this.complete.has(rename.from))
  }

  /**
   * First sightings for the planner. `startFilesFirst: false` leaves out the files present at start, so
   * that among themselves their birth times decide, as in `sbx fix`.
   */
  firstSeen({startFilesFirst}: {startFilesFirst: boolean}): ReadonlyMap<string, number> {
    // Not a copy: this runs every pass, and a folder may hold 10,000 files. The planner only reads it.
    if (startFilesFirst) return this.sightings
    return new Map([...this.sightings].filter(([, at]) => at !== PRESENT_AT_START))
  }

  /**
   * Forgets sightings of files that were never completed and are gone from a listing taken at `listedAt`
   * (a file deleted while still being written gets no `unlink` from the watcher).
   */
  forgetVanished(listed: ReadonlySet<string>, listedAt: number): void {
    for (const name of this.incomplete()) {
      const at = this.sightings.get(name) as number
      if (!listed.has(name) && at < listedAt) this.sightings.delete(name)
    }
  }

  /** Names seen but not complete: few, while the folder may hold thousands of complete files. */
  incomplete(): string[] {
    if (this.sightings.size === this.complete.size) return []
    return [...this.sightings.keys()].filter((name) => !this.complete.has(name))
  }
}
