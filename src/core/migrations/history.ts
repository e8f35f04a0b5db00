/**
 * What is known to be applied already, from one of two sources: a database's
 * `supabase_migrations.schema_migrations`, or the migrations present on a base branch (`--against REF`).
 */

import {redactUrl} from '../output/redact.js'
import type {Migration} from './migration-file.js'
import {maxVersion} from './version.js'

/** The history row supabase inserts after a file's statements, in the same pipeline (supabase 3.1). */
export const HISTORY_INSERT =
  'INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)'

export interface AppliedMigration {
  version: string
  /** The file name part recorded by supabase (absent in histories written by old CLIs or a base branch). */
  name?: string
  /** The statements supabase recorded when it applied the file; undefined when not recorded. */
  statements?: string[]
}

/**
 * Where a history came from, as the user pointed sbx at it: messages name it and advice repeats the flag or the
 * variable the user gave (never a URL, which may hold a password).
 */
export type HistoryOrigin =
  | {kind: 'database'; via: {flag: '--db-url'} | {env: string}; display: string}
  | {kind: 'embedded'}
  | {kind: 'linked'}
  | {kind: 'branch'; ref: string}

export interface History {
  origin: HistoryOrigin
  applied: ReadonlyMap<string, AppliedMigration>
  /**
   * Branch histories only: the local files this branch added since the merge base. Only these can be
   * out of order or lose a version; files that came from the base are the base's business.
   */
  added?: ReadonlySet<string>
}

/** A database named by URL, remembering how the user gave it (the URL itself never goes into advice). */
export function databaseOrigin(
  url: string,
  via: {flag: '--db-url'} | {env: string} = {flag: '--db-url'},
): HistoryOrigin {
  return {kind: 'database', via, display: redactUrl(url)}
}

/** Whether the history is a database's (recorded names and statements), not a branch's files. */
export function isDatabaseHistory(history: History): boolean {
  return history.origin.kind !== 'branch'
}

export function newestApplied(history: History | undefined): string | undefined {
  return history ? maxVersion(history.applied.keys()) : undefined
}

/** A local migration plus what decides who keeps a contested version. */
export interface LocalMigration extends Migration {
  /** Unix seconds of the commit that first added this file name; undefined if never committed. */
  committedAt?: number
  /** When the file appeared (birth time, or when a watcher first saw it), in ms. */
  firstSeen?: number
}
