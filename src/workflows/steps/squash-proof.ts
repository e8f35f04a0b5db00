/**
 * Building the squashed migration and proving it, before anything is written (`sbx squash`).
 *
 * 1. The files to squash replay on a fresh embedded database (the Supabase baseline); its catalog and rows are
 *    read, then pg_dump (WebAssembly) dumps its schema and data.
 * 2. They replay a second time on another fresh database: a table whose rows differ between the two replays holds
 *    data made by now(), random(), gen_random_uuid()… — the squash would freeze one run's values, so it is refused
 *    naming the files that write to that table.
 * 3. A third fresh database is dumped as it starts (the baseline), the squash is built from the difference of the
 *    two dumps plus the data, and replayed there as supabase would run it: its catalog and rows must equal step 1's.
 * 4. The files after the squashed ones replay on both, and the catalogs must still be equal.
 * Any difference: SquashRefusedError (exit 3) naming the first one.
 */
import type {PGlite} from '@electric-sql/pglite'
import {ExitCode, SbxError} from '../../core/errors.js'
import {planExtensions} from '../../core/extensions/extension-plan.js'
import type {Migration} from '../../core/migrations/migration-file.js'
import {migrationStatements, type TransactionMode} from '../../core/sql/sql-statements.js'
import {
  aclStatements,
  BUCKET_COLUMNS,
  changedAcls,
  DEFAULT_ACL_GRANTEES_SQL,
  type DumpEntry,
  type ExtraData,
  OBJECT_ACLS_SQL,
  type ObjectAcl,
  parseDump,
  squashedFileText,
  subtractBaseline,
} from '../../core/squash/squash-dump.js'
import {
  CATALOG_FINGERPRINT_SQL,
  dataDifferences,
  describeDifference,
  type Fingerprint,
  filesWritingTo,
  firstDifference,
  SEQUENCE_VALUES_SQL,
  TABLES_SQL,
  type TableRef,
  tableRowsSql,
} from '../../core/squash/squash-proof.js'
import type {ProvenSquash} from '../../core/squash/squash-report.js'
import {planReplay} from '../../core/verify/replay-plan.js'
import {freshInProcessDatabase, type InProcessDatabase} from '../../shell/embedded/embedded-db.js'
import {createHistoryTable, replayMigration} from '../../shell/replay/migration-replay.js'
import {dumpData, dumpSchema} from '../../shell/squash/pg-dump.js'

export interface LoadedMigration extends Migration {
  statements: string[]
  transactionMode: TransactionMode
}

export interface ProofInput {
  /** Every migration of the folder, in supabase's order, with its statements. */
  migrations: readonly LoadedMigration[]
  /** How many of the first ones are squashed. */
  count: number
  env?: NodeJS.ProcessEnv
  onProgress?: (line: string) => void
}

/** The proof found a difference, or the files cannot be squashed: exit 3, nothing written. */
export class SquashRefusedError extends SbxError {
  constructor(message: string, code: string, suggestions: string[] = []) {
    super(message, {code, exitCode: ExitCode.Findings, suggestions})
  }
}

export async function proveSquash(input: ProofInput): Promise<ProvenSquash> {
  const progress = input.onProgress ?? (() => undefined)
  const squashed = input.migrations.slice(0, input.count)
  const rest = input.migrations.slice(input.count)
  const newest = squashed.at(-1) as LoadedMigration
  const plan = planExtensions(input.migrations)
  const missing = plan.uses.filter((use) => use.status === 'missing' || use.status === 'unknown')
  if (missing.length > 0) {
    const list = missing.map((use) => `${use.name} (${use.files.join(', ')})`).join('; ')
    throw new SquashRefusedError(
      `Cannot squash: the embedded database lacks ${list}, so their objects cannot be dumped.`,
      'ESQUASHEXTENSION',
      ['Squash up to a version before the first migration that creates it (--up-to VERSION).'],
    )
  }
  const open = () => freshInProcessDatabase({env: input.env, extensions: plan})
  const began = performance.now()

  progress(`Replaying the ${squashed.length} migrations to squash…`)
  const original = await withDatabase(open, async (db) => {
    await replayAll(db, squashed, 'original')
    const fingerprint = await fingerprintOf(db)
    const dumpStarted = performance.now()
    const [schema, data, extra] = [await dumpSchema(db), await dumpData(db), await extraData(db)]
    const acls = await objectAcls(db)
    const grantees = (await db.query<{role: string}>(DEFAULT_ACL_GRANTEES_SQL)).rows.map((row) => row.role)
    const dumpMs = performance.now() - dumpStarted
    await replayAll(db, rest, 'original')
    return {fingerprint, schema, data, extra, acls, grantees, dumpMs, end: await fingerprintOf(db)}
  })
  const replayMs = performance.now() - began - original.dumpMs

  progress('Replaying them again: data that differs between two runs cannot be squashed…')
  const again = await withDatabase(open, async (db) => {
    await replayAll(db, squashed, 'original')
    return fingerprintOf(db)
  })
  const volatile = dataDifferences(original.fingerprint, again)
  if (volatile.length > 0) throw volatileData(volatile, squashed)

  progress('Replaying the squashed migration and comparing catalog and rows…')
  const proofStarted = performance.now()
  const result = await withDatabase(open, async (db) => {
    const baseline = {
      schema: parseDump(await dumpSchema(db)),
      data: parseDump(await dumpData(db)),
      acls: await objectAcls(db),
    }
    const text = buildText(baseline, original, squashed)
    const file = {...newest, ...migrationStatements(text)}
    await replayAll(db, [file], 'squashed')
    const difference = firstDifference(original.fingerprint, await fingerprintOf(db))
    if (difference) throw proofFailed(describeDifference(difference), newest.file)
    await replayAll(db, rest, 'squashed')
    const after = await fingerprintOf(db)
    const atEnd = firstDifference({...original.end, data: new Map()}, {...after, data: new Map()})
    if (atEnd) throw proofFailed(`after the later migrations, ${describeDifference(atEnd)}`, newest.file)
    return {text, statements: file.statements.length}
  })
  return {
    text: result.text,
    statements: result.statements,
    objects: countSchema(result.text),
    rows: (result.text.match(/^INSERT INTO /gmu) ?? []).length - original.extra.buckets.length,
    buckets: original.extra.buckets.length,
    cronJobs: original.extra.cronJobs.length,
    compared: {
      catalogObjects: original.fingerprint.catalog.size,
      tables: [...original.fingerprint.data.keys()].filter((key) => key.startsWith('rows ')).length,
      sequences: [...original.fingerprint.data.keys()].filter((key) => key.startsWith('sequence value ')).length,
    },
    timings: {
      replayMs: Math.round(replayMs),
      dumpMs: Math.round(original.dumpMs),
      proofMs: Math.round(performance.now() - proofStarted),
    },
  }
}

function countSchema(text: string): number {
  const start = text.indexOf('\n-- Data\n')
  const schema = start < 0 ? text : text.slice(0, start)
  return (schema.match(/^-- [A-Z]/gmu) ?? []).length - 1
}

function buildText(
  baseline: {schema: DumpEntry[]; data: DumpEntry[]; acls: ObjectAcl[]},
  original: {schema: string; data: string; extra: ExtraData; acls: ObjectAcl[]; grantees: string[]},
  squashed: readonly LoadedMigration[],
): string {
  const schema = subtractBaseline(baseline.schema, parseDump(original.schema))
  const first = schema.changedBaseline[0]
  if (first) {
    throw new SquashRefusedError(
      `Cannot squash: the migrations change ${first.type} ${first.schema}.${first.name}, which the Supabase baseline creates; a squashed CREATE cannot re-create it.`,
      'ESQUASHBASELINE',
      ['Squash up to a version before the migration that changes it (--up-to VERSION).'],
    )
  }
  const data = subtractBaseline(baseline.data, parseDump(original.data)).entries.filter((entry) => entry.body !== '')
  const acls = changedAcls(baseline.acls, original.acls).flatMap((row) => aclStatements(row, original.grantees))
  return squashedFileText({
    files: squashed.map((m) => m.file),
    schema: schema.entries,
    acls,
    data,
    extra: original.extra,
  })
}

async function withDatabase<T>(open: () => Promise<InProcessDatabase>, fn: (db: Proved) => Promise<T>): Promise<T> {
  const database = await open()
  try {
    return await fn(Object.assign(database.db, {replay: database.replay}))
  } finally {
    await database.close()
  }
}

/** PGlite itself (for pg_dump and catalog reads) with the replay's view of it. */
type Proved = PGlite & {replay: InProcessDatabase['replay']}

async function replayAll(
  db: Proved,
  migrations: readonly LoadedMigration[],
  which: 'original' | 'squashed',
): Promise<void> {
  await createHistoryTable(db.replay)
  for (const migration of migrations) {
    const failure = await replayMigration(db.replay, migration, planReplay(migration))
    if (!failure) continue
    const where = `${migration.file} statement ${failure.statementIndex}: ${failure.error.message}`
    if (which === 'squashed') throw proofFailed(`the squashed folder fails to replay at ${where}`, migration.file)
    throw new SquashRefusedError(`Cannot squash: ${where}.`, 'ESQUASHREPLAY', [
      'Run sbx verify and fix the migration first.',
    ])
  }
}

async function fingerprintOf(db: PGlite): Promise<Fingerprint> {
  // Names qualified whatever the last file left in the session's search_path (the squash sets it to '').
  await db.exec(`RESET ALL; SET search_path = ''`)
  try {
    return await readFingerprint(db)
  } finally {
    await db.exec('RESET ALL')
  }
}

async function readFingerprint(db: PGlite): Promise<Fingerprint> {
  const catalog = new Map<string, string>()
  for (const row of (await db.query<{key: string; def: string | null}>(CATALOG_FINGERPRINT_SQL)).rows) {
    catalog.set(row.key, row.def ?? '')
  }
  const data = new Map<string, string>()
  for (const table of (await db.query<TableRef>(TABLES_SQL)).rows) {
    const [rows] = (await db.query<{count: number; digest: string}>(tableRowsSql(table))).rows
    data.set(`rows ${table.schema}.${table.name}`, `${rows?.count} rows (${rows?.digest.slice(0, 12)})`)
  }
  for (const row of (await db.query<{key: string; def: string}>(SEQUENCE_VALUES_SQL)).rows) data.set(row.key, row.def)
  return {catalog, data}
}

async function objectAcls(db: PGlite): Promise<ObjectAcl[]> {
  await db.exec(`SET search_path = ''`)
  try {
    return (await db.query<ObjectAcl>(OBJECT_ACLS_SQL)).rows
  } finally {
    await db.exec('RESET ALL')
  }
}

async function extraData(db: PGlite): Promise<ExtraData> {
  const buckets = (
    await db.query<Record<string, unknown>>(`select ${BUCKET_COLUMNS.join(', ')} from storage.buckets order by id`)
  ).rows
  const hasCron = (await db.query(`select 1 from pg_extension where extname = 'pg_cron'`)).rows.length > 0
  const cronJobs = hasCron
    ? (
        await db.query<ExtraData['cronJobs'][number]>(
          'select jobname, schedule, command, active from cron.job order by jobid',
        )
      ).rows
    : []
  return {buckets, cronJobs}
}

function volatileData(keys: readonly string[], squashed: readonly LoadedMigration[]): SquashRefusedError {
  const key = keys[0] as string
  const table = key.replace(/^rows /u, '').replace(/^sequence value /u, '')
  const writers = filesWritingTo(table, squashed)
  const who = writers.length > 0 ? writers.join(', ') : 'one of the migrations to squash'
  return new SquashRefusedError(
    `Cannot squash: ${key} differ between two replays of the same migrations (data made by now(), random(), gen_random_uuid()… in ${who}); a squash would freeze one run's values.`,
    'ESQUASHVOLATILE',
    [`Squash up to a version before ${writers[0] ?? 'that migration'} (--up-to VERSION), or write fixed values in it.`],
  )
}

function proofFailed(what: string, file: string): SquashRefusedError {
  return new SquashRefusedError(`The squash is not equivalent: ${what}. Nothing was changed.`, 'ESQUASHPROOF', [
    `Squash up to an earlier version (--up-to VERSION), or report it with the migrations up to ${file}.`,
  ])
}
