/**
 * `sbx verify`: replay every local migration, in supabase's order and the way supabase runs it, on a fresh
 * embedded database holding the Supabase baseline, and report the first failure. When the failure is an
 * object that does not exist yet, name the statement that creates it: most often a migration that sorts
 * later, because branches were merged in the wrong order. Read (files) → decide (split, plan) → replay.
 */
import path from 'node:path'
import {ExternalError} from '../core/errors.js'
import type {Migration, SkippedEntry} from '../core/migration-file.js'
import {findCreatingStatement, type MissingObject, parseMissingObject} from '../core/missing-object.js'
import {planReplay} from '../core/replay-plan.js'
import {migrationStatements, splitStatements, type TransactionMode} from '../core/sql-statements.js'
import type {VerifyFailure, VerifyReport} from '../core/verify-report.js'
import {type EmbeddedDatabase, freshDatabaseFromBaseline} from '../shell/embedded-db.js'
import {createHistoryTable, type ReplayFailure, replayMigration, serverVersion} from '../shell/migration-replay.js'
import {readMigrationFolder, readText} from '../shell/migrations-dir.js'
import {resolveWorkdir} from '../shell/project.js'
import {
  EMBEDDED_EXTENSIONS,
  type EmbeddedExtension,
  extensionsUsedBy,
  isMissingExtensionLibrary,
} from '../shell/supabase-baseline.js'

export type {VerifyFailure, VerifyReport} from '../core/verify-report.js'

export interface VerifyOptions {
  workdir?: string
  env?: NodeJS.ProcessEnv
  /** Called when the cached baseline has to be built first (once per machine, ~5 s). */
  onBaselineBuild?: (cacheDir: string) => void
}

interface LoadedMigration extends Migration {
  statements: string[]
  transactionMode: TransactionMode
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now()
  // resolveWorkdir, not openProject: verify only reads, and must not create supabase/migrations.
  const project = {migrationsDir: path.join(resolveWorkdir({workdir: options.workdir}), 'supabase', 'migrations')}
  const folder = await readMigrationFolder(project.migrationsDir)
  const elapsed = () => Math.round(performance.now() - started)
  // supabase would record a mangled name or have Postgres refuse it halfway through a push: refuse up front.
  const unreadable = folder.skipped.filter((entry) => entry.unreadableName)
  if (unreadable.length > 0) {
    return {
      ok: false,
      migrations: folder.migrations.length,
      applied: 0,
      statements: 0,
      unreadableNames: unreadable,
      skipped: folder.skipped,
      elapsedMs: elapsed(),
    }
  }
  if (folder.migrations.length === 0) {
    return {ok: true, migrations: 0, applied: 0, statements: 0, skipped: folder.skipped, elapsedMs: elapsed()}
  }
  const start = (extensions: readonly EmbeddedExtension[] | Promise<readonly EmbeddedExtension[]>) =>
    freshDatabaseFromBaseline({env: options.env, onBuild: options.onBaselineBuild, extensions})
  // The baseline is copied while the files are read; only the libraries they mention are loaded.
  const reading = loadMigrations(project.migrationsDir, folder.migrations)
  const needed = reading.then((migrations) => extensionsUsedBy(migrations.flatMap((m) => m.statements)))
  const [loaded, starting] = await Promise.allSettled([reading, start(needed)])
  if (loaded.status === 'rejected') {
    if (starting.status === 'fulfilled') await starting.value.close()
    throw loaded.reason
  }
  if (starting.status === 'rejected') throw starting.reason
  const migrations = loaded.value
  let database = starting.value
  try {
    let replay = await replayAll(database, migrations)
    if (replay.failure && isMissingExtensionLibrary(replay.failure.error)) {
      // The scan missed a call into an extension library: run again with every library loaded.
      await database.close()
      database = await start(EMBEDDED_EXTENSIONS)
      replay = await replayAll(database, migrations)
    }
    const failure = replay.failure && (await explainFailure(replay.failure, migrations, folder.skipped, project))
    return {
      ok: failure === undefined,
      migrations: migrations.length,
      applied: replay.applied,
      statements: replay.statements,
      ...(failure ? {failure} : {}),
      skipped: folder.skipped,
      database: await serverVersion(database.db),
      elapsedMs: elapsed(),
    }
  } finally {
    await database.close()
  }
}

async function loadMigrations(dir: string, migrations: readonly Migration[]): Promise<LoadedMigration[]> {
  return Promise.all(
    migrations.map(async (migration) => ({
      ...migration,
      ...migrationStatements(await readText(path.join(dir, migration.file))),
    })),
  )
}

interface RawFailure extends ReplayFailure {
  index: number
  transactionMode: 'transactional' | 'autocommit'
}

async function replayAll(
  database: EmbeddedDatabase,
  migrations: readonly LoadedMigration[],
): Promise<{applied: number; statements: number; failure?: RawFailure}> {
  let statements = 0
  try {
    await createHistoryTable(database.db)
    for (const [index, migration] of migrations.entries()) {
      const plan = planReplay(migration)
      const failure = await replayMigration(database.db, migration, plan)
      if (failure) return {applied: index, statements, failure: {index, transactionMode: plan.mode, ...failure}}
      statements += migration.statements.length
    }
  } catch (error) {
    throw new ExternalError(
      `The embedded database failed while replaying migrations: ${(error as Error).message}`,
      'EEMBEDDEDDB',
      ['Run sbx verify again; if it keeps failing, please report it with the migration that triggers it.'],
      error,
    )
  }
  return {applied: migrations.length, statements}
}

async function explainFailure(
  raw: RawFailure,
  migrations: readonly LoadedMigration[],
  skipped: readonly SkippedEntry[],
  project: {migrationsDir: string},
): Promise<VerifyFailure> {
  const migration = migrations[raw.index] as LoadedMigration
  const failure: VerifyFailure = {
    file: migration.file,
    version: migration.version,
    statementIndex: raw.statementIndex,
    statements: migration.statements.length,
    statement: raw.statement,
    transactionMode: raw.transactionMode,
    partial: raw.partial,
    error: raw.error,
  }
  if (raw.error.code === '23505' && raw.statementIndex === migration.statements.length) {
    const earlier = migrations.slice(0, raw.index).find((other) => other.version === migration.version)
    if (earlier) failure.duplicateOf = earlier.file
  }
  const missing = parseMissingObject(raw.error)
  if (!missing) return failure
  failure.missing = missing
  const createdBy =
    findCreatingStatement(missing, [migration], raw.statementIndex + 1) ??
    findCreatingStatement(missing, migrations.slice(raw.index + 1)) ??
    (await findCreatorInSkipped(missing, skipped, project.migrationsDir))
  if (createdBy) failure.createdBy = createdBy
  return failure
}

/** A .sql file supabase skips (bad name) may be where the object was meant to come from. */
async function findCreatorInSkipped(
  missing: MissingObject,
  skipped: readonly SkippedEntry[],
  dir: string,
): Promise<VerifyFailure['createdBy']> {
  for (const entry of skipped) {
    if (!/\.sql$/iu.test(entry.file)) continue
    const text = await readText(path.join(dir, entry.file)).catch(() => undefined)
    if (text === undefined) continue
    const found = findCreatingStatement(missing, [{file: entry.file, statements: splitStatements(text)}])
    if (found) return {...found, skippedBecause: entry.reason}
  }
  return undefined
}
