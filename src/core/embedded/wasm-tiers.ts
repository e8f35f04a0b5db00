/**
 * Which of V8's WebAssembly compilers runs PGlite for one replay. V8 starts every function on Liftoff, its quick
 * baseline compiler, and recompiles the hot ones with TurboFan on background threads. On 2 cores those threads take
 * the core the replay runs on, and the worker's event loop waits for them once, at its first idle moment after PGlite
 * started (100–200 ms measured, both PGlite lines). A short replay ends before TurboFan's code has paid for its
 * compilation; a long one gains from it. Only speed differs: the same code runs, compiled another way.
 *
 * Measured 2026-12-08 on 2 cores, PGlite 0.4.6, `verify --no-cache` (wall, medians of 3–6 interleaved runs):
 * | statements replayed                                   | both tiers | Liftoff only |
 * | 620 (the bench project: functions, triggers, policies) | 2.67 s     | 2.25 s       |
 * | 1,000 (a table, an index, RLS, a policy per file)     | 3.86 s     | 3.11 s       |
 * | 2,000                                                 | 5.48 s     | 5.73 s       |
 * | 4,000                                                 | 9.32 s     | 11.58 s      |
 * With advisors and lint on, Liftoff only was faster as well (620 statements: 4.6 s -> 3.9 s; 1,000 files from the
 * replay cache and their advisors: 4.27 s -> 4.00 s): the advisors' query ends before tiering up would pay.
 */

/** The longest replay (in statements) run on Liftoff only: below the crossover measured between 1,000 and 2,000. */
export const LIFTOFF_ONLY_MAX_STATEMENTS = 1500

export function liftoffOnlyFor(statements: number | undefined): boolean {
  return statements !== undefined && statements <= LIFTOFF_ONLY_MAX_STATEMENTS
}

/** The V8 flag that sets it (process-wide: a worker sets it before its PGlite compiles its WebAssembly). */
export function wasmTierFlag(liftoffOnly: boolean): string {
  return liftoffOnly ? '--liftoff-only' : '--no-liftoff-only'
}
