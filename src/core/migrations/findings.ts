/** Everything wrong with a migrations folder, judged against what is applied. Pure. */

import type {LeakReason, Reservation} from '../registry/registry.js'
import {sameSql} from '../sql/sql-equivalence.js'
import {type AppliedMigration, type History, type HistoryOrigin, isDatabaseHistory, newestApplied} from './history.js'
import {groupByVersion, type Migration, type MigrationFolder, parseMigrationFile} from './migration-file.js'
import {isTimestampVersion} from './version.js'

export type Finding =
  | {kind: 'duplicate-version'; blocking: true; version: string; files: string[]}
  | {kind: 'base-version-taken'; blocking: true; version: string; file: string; baseFile: string; base: string}
  | {kind: 'out-of-order'; blocking: true; file: string; version: string; newest: string; against: HistoryOrigin}
  | {kind: 'missing-locally'; blocking: true; version: string; name?: string; origin: HistoryOrigin}
  | {kind: 'edited-after-apply'; blocking: true; file: string; version: string}
  | {kind: 'skipped-file'; blocking: boolean; file: string; reason: string; intended?: boolean}
  | {kind: 'non-timestamp-version'; blocking: false; file: string; version: string}
  /** A file that must move, but every version after `after` is taken (the end of the timestamp range). */
  | {kind: 'no-free-version'; blocking: true; file: string; after: string}
  | {kind: 'registry-conflict'; blocking: true; file: string; version: string; holder: Reservation; registry: string}
  | {kind: 'unreserved'; blocking: false; file: string; version: string; registry: string}
  | {kind: 'registry-unreachable'; blocking: false; registry: string; detail: string; condition?: 'busy' | 'refused'}
  /** A pending reservation whose holder died before writing its file, or whose lease expired: sbx fix releases it. */
  | {kind: 'leaked-reservation'; blocking: false; reservation: Reservation; reason: LeakReason; registry: string}
  /** The database applied every original of a squash (sbx squash): sbx push replaces their rows by the file's. */
  | {kind: 'squashed-history'; blocking: false; file: string; versions: number}
  /** The database applied only some originals of a squash: pushing the squash there is refused. */
  | {kind: 'partly-squashed'; blocking: true; file: string; applied: number; total: number}

export interface FindingsInput {
  folder: MigrationFolder
  history?: History
  /** Statements of local files whose version has recorded statements (for edited-after-apply). */
  localStatements?: ReadonlyMap<string, string[]>
}

export function findIssues({folder, history, localStatements}: FindingsInput): Finding[] {
  const findings: Finding[] = []
  const byVersion = groupByVersion(folder.migrations)
  // supabase reads a name's bytes as they are, so two unreadable names with one version collide there too.
  const unreadable = folder.skipped
    .filter((skipped) => skipped.unreadableName)
    .flatMap((skipped) => parseMigrationFile(skipped.file) ?? [])
  for (const [version, files] of groupByVersion([...folder.migrations, ...unreadable])) {
    if (files.length > 1)
      findings.push({kind: 'duplicate-version', blocking: true, version, files: files.map((m) => m.file)})
  }
  if (history) findings.push(...historyFindings(folder.migrations, byVersion, history, localStatements))
  for (const skipped of folder.skipped) {
    findings.push({
      kind: 'skipped-file',
      blocking: skipped.blocking,
      file: skipped.file,
      reason: skipped.reason,
      ...(skipped.intended ? {intended: true} : {}),
    })
  }
  for (const migration of folder.migrations) {
    if (!isTimestampVersion(migration.version)) {
      findings.push({kind: 'non-timestamp-version', blocking: false, file: migration.file, version: migration.version})
    }
  }
  return findings
}

function historyFindings(
  migrations: readonly Migration[],
  byVersion: ReadonlyMap<string, Migration[]>,
  history: History,
  localStatements: ReadonlyMap<string, string[]> | undefined,
): Finding[] {
  const findings: Finding[] = []
  const newest = newestApplied(history)
  for (const migration of migrations) {
    const isCandidate = history.added ? history.added.has(migration.file) : !history.applied.has(migration.version)
    if (!isCandidate) continue
    const applied = history.applied.get(migration.version)
    const sharesLocally = (byVersion.get(migration.version)?.length ?? 0) > 1
    if (applied && history.added) {
      // When the base's file is here too, the duplicate-version finding already says it.
      if (sharesLocally) continue
      findings.push({
        kind: 'base-version-taken',
        blocking: true,
        version: migration.version,
        file: migration.file,
        baseFile: `${applied.version}_${applied.name ?? '…'}.sql`,
        base: history.origin.kind === 'branch' ? history.origin.ref : '',
      })
    } else if (newest !== undefined && migration.version <= newest) {
      findings.push({
        kind: 'out-of-order',
        blocking: true,
        file: migration.file,
        version: migration.version,
        newest,
        against: history.origin,
      })
    }
  }
  if (isDatabaseHistory(history)) {
    for (const applied of history.applied.values()) {
      const locals = byVersion.get(applied.version)
      if (!locals) {
        findings.push({
          kind: 'missing-locally',
          blocking: true,
          version: applied.version,
          name: applied.name,
          origin: history.origin,
        })
        continue
      }
      const file = appliedFile(locals, applied, localStatements)
      const statements = localStatements?.get(file.file)
      if (applied.statements && statements && !sameStatements(applied.statements, statements)) {
        findings.push({kind: 'edited-after-apply', blocking: true, file: file.file, version: applied.version})
      }
    }
  }
  return findings
}

/** Of the local files sharing an applied version, the one the database applied (by recorded name or content). */
export function appliedFile<T extends Migration>(
  locals: readonly T[],
  applied: AppliedMigration,
  localStatements?: ReadonlyMap<string, string[]>,
): T {
  const byName = locals.find((m) => applied.name !== undefined && m.name === applied.name)
  if (byName) return byName
  const byContent = locals.find((m) => {
    const statements = localStatements?.get(m.file)
    return applied.statements && statements && sameStatements(applied.statements, statements)
  })
  return byContent ?? (locals[0] as T)
}

/** The equivalence `sbx sync` adopts by (src/core/sql/sql-equivalence.ts), so a file it adopted is never "edited". */
function sameStatements(a: readonly string[], b: readonly string[]): boolean {
  return sameSql(a, b)
}
