/**
 * Memory of a long-running process (sbx watch). V8 grows the young generation for throughput (to 16 MiB
 * semi-spaces) and lets the old one grow between collections: a watch over 10,000 migrations peaked at 166 MiB RSS
 * that way. Kept at its initial 1 MiB semi-spaces, with a full collection after each pass, it peaked at
 * 92 MiB, its median rename 20 ms slower (bench/cases/watch.js's trials). Set at run time, --max-semi-space-size
 * has no effect; --semi-space-growth-factor=1 does, if set before the young generation first grows (bin/run.js
 * sets it first thing for watch).
 */
import v8 from 'node:v8'
import vm from 'node:vm'

/** Stops the young generation from growing; returns a full collection to run when a piece of work is over. */
export function keepHeapSmall(): () => void {
  v8.setFlagsFromString('--semi-space-growth-factor=1')
  v8.setFlagsFromString('--expose-gc')
  // --expose-gc defines gc() only in contexts created after it is set.
  const gc = vm.runInNewContext('gc') as (() => void) | undefined
  return () => gc?.()
}
