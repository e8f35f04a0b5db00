/**
 * The replay cache in a verify run: the database starts from the state after the longest prefix of files that is
 * cached (under the hash chain of core/verify/replay-cache.ts), the replay goes on from the next file, and the states
 * after the files core/verify/replay-cache.ts positionsToStore names are captured between files and published in the
 * background (shell/replay/replay-cache.ts). What the report needs about the skipped files (the ledger, the tracers'
 * state, the statement count) rides with each state, so the report is the one a whole replay gives.
 */

import type {ReplayMajor} from '../../core/embedded/postgres-major.js'
import type {ExtensionNeeds, ExtensionPlan} from '../../core/extensions/extension-plan.js'
import {STAND_INS} from '../../core/extensions/extension-stand-ins.js'
import type {LedgerState} from '../../core/verify/advisors.js'
import {
  type ChainFile,
  chainKeys,
  longestCachedPrefix,
  positionsToStore,
  type ReplaySeed,
} from '../../core/verify/replay-cache.js'
import {baselineName} from '../../shell/embedded/embedded-db.js'
import type {ReplayDatabase} from '../../shell/replay/migration-replay.js'
import {
  openReplayCache,
  type ReplayCacheStore,
  replayCacheDir,
  sbxVersion,
  sha256,
  walPosition,
} from '../../shell/replay/replay-cache.js'

/** What rides with a cached state: everything replayAll keeps about the files before it. */
export interface CachedReplayState {
  statements: number
  ledger?: LedgerState
  tracer?: unknown
  observer?: unknown
}

export type SeedBase = Omit<ReplaySeed, 'extensions' | 'versions' | 'standIns'>

export interface ReplayCache {
  /** The run for one start of the database with these extensions (a restart loading more is another run). */
  attempt(needs: ExtensionNeeds | Promise<ExtensionNeeds>): CacheAttempt
}

export interface CacheAttempt {
  /** Set once the database's data directory came from an entry. */
  readonly resumed: {position: number; state: CachedReplayState} | undefined
  /** Fills `dataDir` (absent) from the longest cached prefix; false when none is usable. */
  seed(dataDir: string): Promise<boolean>
  /** Whether the state after `position` files is to be stored. */
  wants(position: number): boolean
  /**
   * Captures the idle database in `dataDir` after `position` files (nothing when the session holds what a copy
   * loses: an open transaction, temporary tables) and publishes it in the background.
   */
  store(db: ReplayDatabase, dataDir: string, position: number, state: CachedReplayState): Promise<void>
  /** Waits for what is being published (a failure to write the cache never fails the run). */
  settled(): Promise<void>
}

/**
 * The cache for one verify on the embedded database, or undefined where it cannot serve: turned off (--no-cache,
 * `[verify] replay_cache = 0`, an observer that cannot save its state), nothing read, or a project replayed without
 * an extension the embedded database lacks (whether a statement is stepped over depends on the files after it).
 */
export async function verifyCache(input: {
  enabled: boolean
  from: string
  env: NodeJS.ProcessEnv | undefined
  budgetBytes: number
  migrations: readonly ChainFile[] | undefined
  plan: ExtensionPlan | undefined
  major: ReplayMajor
  timeoutMs: number
  carries: ReplaySeed['carries']
}): Promise<ReplayCache | undefined> {
  const {migrations, plan} = input
  if (!input.enabled || input.budgetBytes <= 0 || !migrations || !plan) return undefined
  if (plan.uses.some((use) => use.status === 'missing')) return undefined
  const [dir, baseline, sbx] = await Promise.all([
    replayCacheDir(input.from, input.env),
    baselineName(input.major),
    sbxVersion(),
  ])
  return replayCache({
    dir,
    budgetBytes: input.budgetBytes,
    files: migrations.map((m) => ({file: m.file, text: m.text})),
    seed: {
      baseline,
      lineMajor: input.major.line.major,
      projectMajor: input.major.projectMajor,
      statementTimeoutMs: input.timeoutMs,
      carries: input.carries,
      sbx,
    },
  })
}

export function replayCache(options: {
  dir: string
  budgetBytes: number
  files: readonly ChainFile[]
  seed: SeedBase
}): ReplayCache {
  const store = openReplayCache(options.dir, options.budgetBytes)
  return {attempt: (needs) => cacheAttempt(store, options, needs)}
}

function cacheAttempt(
  store: ReplayCacheStore,
  options: {files: readonly ChainFile[]; seed: SeedBase},
  needs: ExtensionNeeds | Promise<ExtensionNeeds>,
): CacheAttempt {
  const keys = Promise.resolve(needs).then((resolved) =>
    chainKeys(seedOf(options.seed, resolved), options.files, sha256),
  )
  keys.catch(() => undefined)
  let resumed: CacheAttempt['resumed']
  let positions = new Set<number>()
  const publishing: Promise<void>[] = []
  return {
    get resumed() {
      return resumed
    },
    async seed(dataDir) {
      const chain = await keys
      const stored = await store.keys()
      for (let position = longestCachedPrefix(chain, stored); position > 0; ) {
        const key = chain[position] as string
        const loaded = await store.load<CachedReplayState>(key, dataDir)
        if (loaded && loaded.position === position) {
          resumed = {position, state: loaded.state}
          break
        }
        // Damaged or foreign: never used; a shorter prefix may still be.
        stored.delete(key)
        position = longestCachedPrefix(chain, stored)
      }
      positions = new Set(positionsToStore(options.files.length, resumed?.position ?? 0))
      return resumed !== undefined
    },
    wants: (position) => positions.has(position),
    async store(db, dataDir, position, state) {
      if (db.isInTransaction()) return
      const temporary = await db.query<{n: number}>(
        `select count(*)::int4 as n from pg_catalog.pg_class where relpersistence = 't'`,
      )
      if (Number(temporary.rows[0]?.n) > 0) return
      await db.exec('CHECKPOINT')
      const snapshot = await store.capture(dataDir, await walPosition(db))
      const key = (await keys)[position] as string
      const entry = {key, position, state: structuredClone(state), ...snapshot}
      publishing.push(store.publish(entry).catch(() => undefined))
    },
    async settled() {
      await Promise.all(publishing)
    },
  }
}

function seedOf(base: SeedBase, needs: ExtensionNeeds): ReplaySeed {
  const standIns: Record<string, string | null> = {}
  for (const name of needs.load) {
    const standIn = STAND_INS[name]
    standIns[name] = standIn ? sha256([standIn.version, '\n', standIn.sql]) : null
  }
  return {...base, extensions: [...needs.load].sort(), versions: {...needs.versions}, standIns}
}
