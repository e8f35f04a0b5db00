/**
 * `sbx verify`: replay every local migration, in supabase's order and the way supabase runs it, on a fresh
 * embedded database holding the Supabase baseline, and report the first failure. When the failure is an
 * object that does not exist yet, name the statement that creates it: most often a migration that sorts
 * later, because branches were merged in the wrong order. Read (files) → decide (split, plan) → replay.
 */
import path from 'node:path'
import type {SbxConfig} from '../core/config.js'
import {majorGap, newerSyntax, replayMajorFor, unsafeEnumValue} from '../core/embedded/postgres-major.js'
import {ExitCode, ExternalError, SbxError} from '../core/errors.js'
import {DEFAULT_LIBRARIES} from '../core/extensions/extension-catalog.js'
import {
  createdExtension,
  type ExtensionNeeds,
  type ExtensionPlan,
  type ExtensionUse,
  missingLibrary,
  planExtensions,
} from '../core/extensions/extension-plan.js'
import type {Migration, MigrationFolder, SkippedEntry} from '../core/migrations/migration-file.js'
import {assessMigration} from '../core/risk/risk.js'
import {type DdlEvent, ledgerTouches} from '../core/sql/ddl-events.js'
import {migrationStatements, splitStatements, type TransactionMode} from '../core/sql/sql-statements.js'
import {type AdvisorsReport, ObjectLedger} from '../core/verify/advisors.js'
import type {LintReport} from '../core/verify/lint.js'
import {findCreatingStatement, type MissingObject, parseMissingObject} from '../core/verify/missing-object.js'
import {planReplay} from '../core/verify/replay-plan.js'
import {SkippedWork, type SkipReason} from '../core/verify/skipped-work.js'
import type {BlockingLevel} from '../core/verify/verify-config.js'
import type {
  FileRisk,
  PartlyVerified,
  ReplayDatabaseInfo,
  VerifyFailure,
  VerifyReport,
} from '../core/verify/verify-report.js'
import {freshDatabaseFromBaseline, pgliteVersion} from '../shell/embedded/embedded-db.js'
import {loadConfig} from '../shell/project/config-file.js'
import {readMigrationFolder, readText, readTextsOrThrow} from '../shell/project/migrations-dir.js'
import {resolveWorkdir} from '../shell/project/project.js'
import {apiSchemas, projectMajor} from '../shell/project/supabase-config.js'
import {catalogSnapshot, changedObjects} from '../shell/replay/catalog.js'
import {type DdlFeed, openDdlFeed} from '../shell/replay/ddl-feed.js'
import {
  createHistoryTable,
  type Refusal,
  type ReplayDatabase,
  type ReplayFailure,
  replayMigration,
  type StepOver,
  serverVersion,
} from '../shell/replay/migration-replay.js'
import {type PreparedSession, preparedSession} from '../shell/replay/prepared-query.js'
import {openShadow} from '../shell/replay/shadow-db.js'
import {type CacheAttempt, verifyCache} from './steps/replay-cache.js'
import {type RiskTracer, type TracerState, traceRisk} from './steps/risk-tracer.js'
import {
  advisorsAt,
  advisorsOnEmbedded,
  advisorsReportWhenNotRun,
  branchFiles,
  type DeeperSettings,
  deeperSettings,
  lintUnapplied,
  type Scope,
  supabaseAcceptsConfig,
} from './steps/verify-deeper.js'

export type {PartlyVerified, VerifyFailure, VerifyReport} from '../core/verify/verify-report.js'

export interface VerifyOptions {
  workdir?: string
  env?: NodeJS.ProcessEnv
  /** Called when the cached baseline has to be built first (once per machine, ~5 s). */
  onBaselineBuild?: (cacheDir: string) => void
  /** `--advisors LEVEL`: the level at which advisor findings block, for this run. */
  advisors?: BlockingLevel
  /** `--lint LEVEL`: the level at which lint findings block, for this run ("off": no lint). */
  lint?: BlockingLevel
  /** `--against REF`: only objects and files this branch added (since the merge base with REF) may block. */
  against?: string
  /** Files the target has not applied (push): only their objects and statements may block. */
  unapplied?: ReadonlySet<string>
  /** Replay on a throwaway database on this PostgreSQL server instead of the embedded one (also [verify] shadow_url). */
  shadowUrl?: string
  /** The settings of supabase/sbx.toml, when the caller has read them already. */
  config?: SbxConfig
  /** The project as the caller opened it (push: its snapshot): workdir and folder are then not read again. */
  project?: VerifyProject
  /** Reads the replay database between files (sbx plan, push's post-deploy check). */
  observer?: ReplayObserver
  /** `--exact-major` (also [verify] exact_major): exit 3 when the replay cannot run [db] major_version itself. */
  exactMajor?: boolean
  /** Traces each statement's locks and rewrites (sbx plan, push); else verify traces unless [verify] risk = "off". */
  tracer?: RiskTracer
  /** false (`--no-cache`): replay every file, neither reading nor writing the replay cache. */
  cache?: boolean
  /** The folder whose repository holds the replay cache (push verifies a snapshot outside it); default: workdir. */
  cacheFrom?: string
}

/**
 * Called before the first file (again if the replay restarts), after each file that applied (with the DDL events
 * it caused, or undefined where the database gives none), and after the last file when all applied.
 */
export interface ReplayObserver {
  /**
   * `session` prepares the queries the observer runs after every file. `saved`: what save() gave for the database
   * the replay resumes on (the replay cache), to go on from instead of reading the catalog.
   */
  start(db: ReplayDatabase, session: PreparedSession, saved?: unknown): Promise<void>
  replayed(
    db: ReplayDatabase,
    migration: Migration & {statements: readonly string[]; transactionMode: TransactionMode},
    replayMs: number,
    events: readonly DdlEvent[] | undefined,
  ): Promise<void>
  finished(db: ReplayDatabase): Promise<void>
  /** For the replay cache: a name for what save() returns, and save() between files. */
  cacheName?: string
  save?(): unknown
}

interface LoadedMigration extends Migration {
  /** The file as read (the replay cache's hash chain covers it). */
  text: string
  statements: string[]
  transactionMode: TransactionMode
}

/** What verify reads of a project, once per run: push hands it the snapshot it opened and the config it read. */
export interface VerifyProject {
  workdir: string
  migrationsDir: string
  folder: MigrationFolder
  /** supabase/sbx.toml, when the caller has read it (else read when the folder holds migrations). */
  config?: SbxConfig
}

export async function openVerifyProject(workdir?: string): Promise<VerifyProject> {
  // resolveWorkdir, not openProject: verify only reads, and must not create supabase/migrations.
  const resolved = resolveWorkdir({workdir})
  const migrationsDir = path.join(resolved, 'supabase', 'migrations')
  return {workdir: resolved, migrationsDir, folder: await readMigrationFolder(migrationsDir)}
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const project = options.project ?? (await openVerifyProject(options.workdir))
  const early = reportWithoutReplay(project.folder, elapsed)
  if (early) return early
  const run = await prepareRun(options, project, elapsed)
  if (run.shadowUrl) {
    await run.configAccepted
    const migrations = await loadMigrations(project.migrationsDir, project.folder.migrations)
    return verifyOnShadow(run.shadowUrl, {...run, migrations, folder: project.folder, project})
  }
  return verifyOnEmbedded(options, project, run)
}

/** An empty folder verifies at once; unreadable names are refused before anything replays. */
function reportWithoutReplay(folder: MigrationFolder, elapsed: () => number): VerifyReport | undefined {
  const nothing = {applied: 0, statements: 0, skipped: folder.skipped, extensions: [], partlyVerified: []}
  // supabase would record a mangled name or have Postgres refuse it halfway through a push: refuse up front.
  const unreadable = folder.skipped.filter((entry) => entry.unreadableName)
  if (unreadable.length > 0) {
    const migrations = folder.migrations.length
    return {ok: false, migrations, ...nothing, unreadableNames: unreadable, elapsedMs: elapsed()}
  }
  if (folder.migrations.length === 0) return {ok: true, migrations: 0, ...nothing, elapsedMs: elapsed()}
  return undefined
}

/** The settings and side runs of one verify, decided before the replay starts. */
interface VerifyRun {
  workdir: string
  settings: DeeperSettings
  scope: Scope
  blockable: ReadonlySet<string> | undefined
  linting: Promise<LintReport>
  configAccepted: Promise<void>
  elapsed: () => number
  tracer: RiskTracer | undefined
  shadowUrl: string | undefined
  exactMajor: boolean
  timeoutMs: number
  projectMajor: number
}

async function prepareRun(options: VerifyOptions, project: VerifyProject, elapsed: () => number): Promise<VerifyRun> {
  const {workdir, folder} = project
  const settings = deeperSettings(project.config ?? options.config ?? (await loadConfig(workdir, options.env)), options)
  const blockable =
    options.unapplied ?? (options.against ? await branchFiles(workdir, options.against, folder.migrations) : undefined)
  const scope = options.unapplied ? 'unapplied' : options.against ? 'branch' : 'all'
  // squawk runs beside the replay: it needs only the files.
  const linting = lintUnapplied(project.migrationsDir, folder.migrations, blockable, settings.lint)
  linting.catch(() => undefined)
  // Beside the database's start: supabase refusing config.toml ends verify before the replay.
  const configAccepted = supabaseAcceptsConfig(workdir, settings)
  configAccepted.catch(() => undefined)
  return {
    workdir,
    settings,
    scope,
    blockable,
    linting,
    configAccepted,
    elapsed,
    // verify prints only what comes out high risk: the other files need no probe after each statement.
    tracer: options.tracer ?? (settings.verify.risk === 'off' ? undefined : traceRisk({highOnly: true})),
    shadowUrl: options.shadowUrl ?? settings.verify.shadow_url,
    exactMajor: Boolean(options.exactMajor || settings.verify.exact_major),
    timeoutMs: settings.verify.statement_timeout,
    projectMajor: (await projectMajor(workdir)).major,
  }
}

async function verifyOnEmbedded(options: VerifyOptions, project: VerifyProject, run: VerifyRun): Promise<VerifyReport> {
  const {workdir, settings, scope, blockable, tracer, folder} = {...run, folder: project.folder}
  const tracking = settings.advisors.level !== 'off'
  // Reading the files comes first (milliseconds): the builds they load decide the PGlite line too.
  const reading = loadMigrations(project.migrationsDir, folder.migrations)
  const planning = reading.then(planExtensions)
  const needs = await planning.catch(() => undefined)
  const major = replayMajorFor(run.projectMajor, needs?.load ?? [])
  if (!major.exact && run.exactMajor) throw majorMismatch(run.projectMajor, major.line.major)
  const {start, attempts} = await databaseStarter(options, {
    workdir,
    settings,
    migrations: await reading.catch(() => undefined),
    plan: needs,
    major,
    carries: {ledger: tracking, tracer: tracer?.cacheName ?? null, observer: options.observer?.cacheName ?? null},
  })
  const [loaded, starting, accepted] = await Promise.allSettled([reading, start(planning), run.configAccepted])
  for (const settled of [loaded, accepted]) {
    if (settled.status === 'fulfilled') continue
    if (starting.status === 'fulfilled') await starting.value.close()
    throw settled.reason
  }
  if (loaded.status === 'rejected') throw loaded.reason
  if (starting.status === 'rejected') throw starting.reason
  const migrations = loaded.value
  const plan = await planning
  let database = starting.value
  const refuse = newerSyntaxRefusal(major.projectMajor, major.line.major)
  try {
    // Read first: a statement stopped for its timeout stops the database with it.
    const server = await serverVersion(database.db)
    // PGlite 0.5 names itself in version(), 0.4 does not.
    const version = server.includes('PGlite') ? server : `${server} (PGlite ${await pgliteVersion(major.line)})`
    let ledger: ObjectLedger | undefined
    const replayTracked = async () => {
      const attempt = attempts.at(-1)
      const saved = attempt?.resumed?.state.ledger
      ledger = !tracking
        ? undefined
        : saved
          ? ObjectLedger.restore(saved)
          : new ObjectLedger(await catalogSnapshot(database.db))
      return replayAll(database, migrations, plan, ledger, options.observer, tracer, refuse, attempt)
    }
    let replay = await replayTracked()
    let uses = plan.uses
    const added = new Set<string>()
    // SQL built at run time can call an extension the scan did not see: its library is missing. Load it (and
    // the usual libraries) and run again; each extension at most once.
    for (;;) {
      const name = replay.failure && missingLibrary(replay.failure.error)
      if (!replay.failure || !name || added.has(name)) break
      added.add(name)
      uses = withUse(uses, name, replay.failure.file)
      await database.close()
      database = await start({
        load: [...new Set([...plan.load, ...DEFAULT_LIBRARIES, ...added])],
        versions: plan.versions,
      })
      replay = await replayTracked()
    }
    const where = {timeoutMs: run.timeoutMs, projectMajor: major.projectMajor, major: major.line.major}
    const failure =
      replay.failure &&
      (await explainFailure(replay.failure, replay.work, migrations, folder.skipped, project, plan, where))
    const advisors = failure
      ? advisorsReportWhenNotRun(settings.advisors, scope, 'the replay failed')
      : await advisorsOnEmbedded(database, ledger, {workdir, settings: settings.advisors, scope, blockable})
    return completedReport({
      migrations,
      replay,
      failure,
      advisors,
      lint: await run.linting,
      risk: highRisk(tracer, blockable),
      skipped: folder.skipped,
      cached: attempts.at(-1)?.resumed?.position,
      where: {
        database: databaseInfo(version, major.line.major, major.projectMajor, Boolean(major.emulates)),
        extensions: uses,
        partlyVerified: replay.partlyVerified,
      },
      elapsedMs: run.elapsed(),
    })
  } finally {
    // What is being published was read from the database already; a failure to write it is no failure of verify.
    await Promise.all(attempts.map((attempt) => attempt.settled()))
    await database.close()
  }
}

/**
 * Starts the replay database (again, with more extensions, after a missing library), each time from the longest
 * cached prefix where the replay cache can serve (workflows/steps/replay-cache.ts); `attempts`: one per start.
 */
async function databaseStarter(
  options: VerifyOptions,
  run: {
    workdir: string
    settings: DeeperSettings
    migrations: readonly LoadedMigration[] | undefined
    plan: ExtensionPlan | undefined
    major: ReturnType<typeof replayMajorFor>
    carries: {ledger: boolean; tracer: string | null; observer: string | null}
  },
) {
  const timeoutMs = run.settings.verify.statement_timeout
  const cache = await verifyCache({
    enabled: options.cache !== false && (!options.observer || options.observer.save !== undefined),
    from: options.cacheFrom ?? run.workdir,
    env: options.env,
    budgetBytes: run.settings.verify.replay_cache,
    migrations: run.migrations,
    plan: run.plan,
    major: run.major,
    timeoutMs,
    carries: run.carries,
  })
  const attempts: CacheAttempt[] = []
  const start = (extensions: ExtensionNeeds | Promise<ExtensionNeeds>) => {
    const attempt = cache?.attempt(extensions)
    if (attempt) attempts.push(attempt)
    return freshDatabaseFromBaseline({
      env: options.env,
      onBuild: options.onBaselineBuild,
      extensions,
      major: run.major,
      timeoutMs,
      ...(attempt ? {seed: attempt.seed} : {}),
      statements: () => statementsAfter(run.migrations, attempt?.resumed?.position ?? 0),
    })
  }
  return {start, attempts}
}

/** The statements of the files after the first `position` (undefined: the files could not be read). */
function statementsAfter(migrations: readonly LoadedMigration[] | undefined, position: number): number | undefined {
  return migrations?.slice(position).reduce((sum, migration) => sum + migration.statements.length, 0)
}

interface ShadowRun extends VerifyRun {
  migrations: LoadedMigration[]
  folder: {skipped: SkippedEntry[]}
  project: {migrationsDir: string}
}

/**
 * The same replay, advisors and lint on a throwaway database of a real server. Extensions are whatever that
 * server has: no stand-ins, no skipping.
 */
async function verifyOnShadow(url: string, run: ShadowRun): Promise<VerifyReport> {
  const {migrations, settings} = run
  const shadow = await openShadow(url, {apiSchemas: await apiSchemas(run.workdir), statementTimeoutMs: run.timeoutMs})
  try {
    const serverMajor = Number(/PostgreSQL (\d+)/u.exec(shadow.server)?.[1])
    if (serverMajor !== run.projectMajor && run.exactMajor)
      throw majorMismatch(run.projectMajor, serverMajor, shadow.server)
    const plan: ExtensionPlan = {...planExtensions(migrations), uses: []}
    const ledger = settings.advisors.level !== 'off' ? new ObjectLedger(await catalogSnapshot(shadow.db)) : undefined
    const replay = await replayAll(
      shadow,
      migrations,
      plan,
      ledger,
      undefined,
      run.tracer,
      newerSyntaxRefusal(run.projectMajor, serverMajor),
    )
    const failure =
      replay.failure &&
      (await explainFailure(replay.failure, replay.work, migrations, run.folder.skipped, run.project, plan, {
        timeoutMs: run.timeoutMs,
        projectMajor: run.projectMajor,
        major: serverMajor,
      }))
    const advisorsRun = {workdir: run.workdir, settings: settings.advisors, scope: run.scope, blockable: run.blockable}
    const advisors = failure
      ? advisorsReportWhenNotRun(settings.advisors, run.scope, 'the replay failed')
      : await advisorsAt(shadow.url, ledger, advisorsRun)
    return completedReport({
      migrations,
      replay,
      failure,
      advisors,
      lint: await run.linting,
      risk: highRisk(run.tracer, run.blockable),
      skipped: run.folder.skipped,
      where: {
        database: databaseInfo(shadow.server, serverMajor, run.projectMajor, false),
        extensions: [],
        partlyVerified: [],
        shadow: {server: shadow.server, database: shadow.name, removedAbandoned: shadow.removedAbandoned},
      },
      elapsedMs: run.elapsed(),
    })
  } finally {
    await shadow.close()
  }
}

/** A replay's report: it is ok when nothing failed and no advisor or lint finding blocks. */
function completedReport(parts: {
  migrations: readonly LoadedMigration[]
  replay: Replay
  failure: VerifyFailure | undefined
  advisors: AdvisorsReport
  lint: LintReport
  risk: FileRisk[] | undefined
  skipped: SkippedEntry[]
  cached?: number | undefined
  where: Pick<VerifyReport, 'database' | 'extensions' | 'partlyVerified' | 'shadow'>
  elapsedMs: number
}): VerifyReport {
  const {failure, advisors, lint} = parts
  const blocked = advisors.findings.some((f) => f.blocking) || lint.findings.some((f) => f.blocking)
  return {
    ok: failure === undefined && !blocked,
    migrations: parts.migrations.length,
    applied: parts.replay.applied,
    statements: parts.replay.statements,
    ...(failure ? {failure} : {}),
    skipped: parts.skipped,
    ...parts.where,
    advisors,
    lint,
    ...(parts.risk ? {risk: parts.risk} : {}),
    blocked,
    ...(parts.cached ? {cached: parts.cached} : {}),
    elapsedMs: parts.elapsedMs,
  }
}

/** The migrations (of those that may block) whose trace is high risk: what verify prints. */
function highRisk(tracer: RiskTracer | undefined, blockable: ReadonlySet<string> | undefined): FileRisk[] | undefined {
  if (!tracer) return undefined
  const out: FileRisk[] = []
  for (const [file, trace] of tracer.traces) {
    if (blockable && !blockable.has(file)) continue
    const risk = assessMigration(trace)
    if (risk.level === 'high') out.push({file, ...risk})
  }
  // Absent rather than empty: the report keeps its shape when nothing is risky.
  return out.length > 0 ? out : undefined
}

async function loadMigrations(dir: string, migrations: readonly Migration[]): Promise<LoadedMigration[]> {
  const texts = readTextsOrThrow(migrations.map((migration) => path.join(dir, migration.file)))
  return migrations.map((migration, index) => {
    const text = texts[index] as string
    return {...migration, text, ...migrationStatements(text)}
  })
}

/** The plan's uses with `name` marked loaded by `file` (a call the scan did not see). */
function withUse(uses: readonly ExtensionUse[], name: string, file: string): ExtensionUse[] {
  const others = uses.filter((use) => use.name !== name)
  const files = [...new Set([...(uses.find((use) => use.name === name)?.files ?? []), file])]
  const status = uses.find((use) => use.name === name)?.status ?? 'loaded'
  return [...others, {name, status, files}].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

interface RawFailure extends ReplayFailure {
  index: number
  file: string
  transactionMode: 'transactional' | 'autocommit'
}

interface Replay {
  applied: number
  statements: number
  failure?: RawFailure
  partlyVerified: PartlyVerified[]
  /** What was left out for missing extensions (to keep advice from naming a migration whose creator was skipped). */
  work: SkippedWork
}

async function replayAll(
  database: {db: ReplayDatabase; dataDir?: string},
  migrations: readonly LoadedMigration[],
  extensions: ExtensionPlan,
  ledger?: ObjectLedger,
  observer?: ReplayObserver,
  tracer?: RiskTracer,
  refuse?: Refusal,
  cache?: CacheAttempt,
): Promise<Replay> {
  const resumed = cache?.resumed
  let statements = resumed?.state.statements ?? 0
  const partlyVerified: PartlyVerified[] = []
  const missing = new Set(extensions.uses.filter((use) => use.status === 'missing').map((use) => use.name))
  const work = new SkippedWork()
  let feed: DdlFeed | undefined
  // Between files the ledger and the observer read what each file touched, by prepared statements.
  const session = preparedSession(database.db)
  const changed = changedObjects(session)
  try {
    await createHistoryTable(database.db)
    await observer?.start(database.db, session, resumed?.state.observer)
    await tracer?.start(database.db, session, resumed?.state.tracer as TracerState | undefined)
    feed = ledger || observer ? await openDdlFeed(database.db, session) : undefined
    for (const [index, migration] of migrations.entries()) {
      // The files before it are in the database the cache started it from, and in what rode with it.
      if (index < (resumed?.position ?? 0)) continue
      const plan = planReplay(migration)
      const partly: PartlyVerified = {file: migration.file, missingExtensions: [], skipped: []}
      const stepOver = missing.size > 0 ? withoutMissing(migrations, index, missing, work, partly) : undefined
      const began = performance.now()
      const probe = tracer?.probe(migration.file, migration.statements)
      const failure = await replayMigration(database.db, migration, plan, stepOver, probe, refuse)
      const replayMs = Math.round(performance.now() - began)
      if (partly.skipped.length > 0) partlyVerified.push(partly)
      if (failure) {
        const raw = {index, file: migration.file, transactionMode: plan.mode, ...failure}
        return {applied: index, statements, failure: raw, partlyVerified, work}
      }
      statements += migration.statements.length
      await tracer?.replayed(database.db, migration.file)
      if (ledger || observer) {
        await session.genericPlans()
        const events = await feed?.take()
        if (ledger) {
          const touches = events && ledgerTouches(events)
          if (!touches || touches.whole) ledger.record(migration.file, await catalogSnapshot(database.db))
          else {
            const granted = await changed(touches.grants)
            ledger.touch(migration.file, [...touches.named.map(String), ...granted], touches.dropped.map(String))
          }
        }
        await observer?.replayed(database.db, migration, replayMs, events)
      }
      if (cache?.wants(index + 1) && database.dataDir) {
        // The feed's triggers are no part of the migrations' state: out of the copy, then back.
        await feed?.remove()
        const state = {statements, ledger: ledger?.save(), tracer: tracer?.save(), observer: observer?.save?.()}
        await cache.store(database.db, database.dataDir, index + 1, state)
        if (feed) feed = await openDdlFeed(database.db, session)
      }
    }
    // Before the observer's last read and before the advisors look at the database.
    await feed?.remove()
    feed = undefined
    ledger?.settle(await catalogSnapshot(database.db))
    await observer?.finished(database.db)
  } catch (error) {
    throw new ExternalError(
      `The embedded database failed while replaying migrations: ${(error as Error).message}`,
      'EEMBEDDEDDB',
      ['Run sbx verify again; if it keeps failing, please report it with the migration that triggers it.'],
      error,
    )
  } finally {
    // A failed file returns from inside the loop; nothing else may see the feed's triggers.
    await feed?.remove().catch(() => undefined)
    await session.close().catch(() => undefined)
  }
  return {applied: migrations.length, statements, partlyVerified, work}
}

/**
 * Replaying without extensions Supabase offers but the embedded database lacks: their CREATE EXTENSION is not
 * sent, and once one was left out, a statement failing on an object that a skipped statement would have made,
 * or that does not exist and no later statement creates, is taken to need it and stepped over (core/skipped-work).
 */
function withoutMissing(
  migrations: readonly LoadedMigration[],
  index: number,
  missing: ReadonlySet<string>,
  work: SkippedWork,
  partly: PartlyVerified,
): StepOver {
  const migration = migrations[index] as LoadedMigration
  const pending = new Map<number, SkipReason>()
  const needs = (names: readonly string[]) => {
    for (const name of names) if (!partly.missingExtensions.includes(name)) partly.missingExtensions.push(name)
  }
  return {
    omit(statementIndex) {
      const statement = migration.statements[statementIndex] as string
      const name = createdExtension(statement)
      if (name === undefined || !missing.has(name)) return false
      work.omit(name, migration.file, statementIndex, statement)
      pending.set(statementIndex, {needs: [name]})
      return true
    },
    allows(statementIndex, error) {
      const createdLater = (object: MissingObject) =>
        (findCreatingStatement(object, [migration], statementIndex + 1) ??
          findCreatingStatement(object, migrations.slice(index + 1))) !== undefined
      const reason = work.reason(error, createdLater)
      if (!reason) return false
      pending.set(statementIndex, reason)
      work.stepped(migration.file, statementIndex, migration.statements[statementIndex] as string, reason)
      return true
    },
    skipped(statementIndex, error) {
      const reason = pending.get(statementIndex) ?? {needs: [...work.omitted]}
      needs(reason.needs)
      partly.skipped.push({statementIndex, ...(error ? {error} : {}), ...reason})
    },
  }
}

/** Statements using syntax newer than the project's major fail as on its server (core/embedded/postgres-major.ts). */
function newerSyntaxRefusal(project: number, replayed: number): Refusal | undefined {
  if (replayed <= project) return undefined
  return (_index, statement, earlier) => {
    const unsafe = project < 17 ? unsafeEnumValue(statement, earlier) : undefined
    if (unsafe) return {code: '55P04', message: `unsafe use of new value "${unsafe.value}" of enum type ${unsafe.type}`}
    const feature = newerSyntax(statement, project, replayed)
    if (!feature) return undefined
    return {
      code: feature.code,
      message: `${feature.feature} needs PostgreSQL ${feature.major}; the project's [db] major_version is ${project}`,
    }
  }
}

function databaseInfo(version: string, major: number, projectMajor: number, emulated: boolean): ReplayDatabaseInfo {
  return {
    version,
    major,
    projectMajor,
    exact: major === projectMajor,
    emulated,
    gap: majorGap(projectMajor, major, emulated),
  }
}

function majorMismatch(projectMajor: number, major: number, server?: string): SbxError {
  const where = server
    ? `the shadow server runs ${server}`
    : `the embedded database has no build of PostgreSQL ${projectMajor} (nearest: ${major})`
  return new SbxError(`[db] major_version is ${projectMajor} and exact_major is set, but ${where}.`, {
    code: 'EMAJOR',
    exitCode: ExitCode.Findings,
    suggestions: [`Run sbx verify --shadow-url postgresql://… on a PostgreSQL ${projectMajor} server.`],
  })
}

async function explainFailure(
  raw: RawFailure,
  work: SkippedWork,
  migrations: readonly LoadedMigration[],
  skipped: readonly SkippedEntry[],
  project: {migrationsDir: string},
  extensions: ExtensionPlan,
  where: {timeoutMs: number; projectMajor: number; major: number},
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
  // Stopped by sbx (embedded), or by the shadow server's statement_timeout, which sbx set to the same limit.
  if (raw.timedOutMs !== undefined || (raw.error.code === '57014' && /statement timeout/u.test(raw.error.message))) {
    failure.timedOut = {elapsedMs: raw.timedOutMs ?? where.timeoutMs, limitMs: where.timeoutMs}
  }
  const newer = newerSyntax(raw.statement, where.projectMajor, where.major)
  if (newer && raw.error.code === newer.code) failure.newerSyntax = {feature: newer.feature, major: newer.major}
  const created = createdExtension(raw.statement)
  if (created !== undefined && extensions.uses.some((use) => use.name === created && use.status === 'unknown')) {
    failure.unknownExtension = created
  }
  if (raw.error.code === '23505' && raw.statementIndex === migration.statements.length) {
    const earlier = migrations.slice(0, raw.index).find((other) => other.version === migration.version)
    if (earlier) failure.duplicateOf = earlier.file
  }
  const missing = parseMissingObject(raw.error)
  if (!missing) return failure
  failure.missing = missing
  // Its creator was skipped for a missing extension: a later redefinition is no place to move this file after.
  const skippedCreator = work.creatorOf(missing)
  if (skippedCreator) {
    failure.createdBy = {...skippedCreator, skippedFor: skippedCreator.needs}
    return failure
  }
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
