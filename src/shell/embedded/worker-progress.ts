/**
 * The pipeline chunk running now, in shared memory, not as a message: one message per chunk cost the worker
 * 132 ms of the 2.3 s replay of the 200-file bench (measured, CPU profile), and the main thread as much again.
 * Slots of a BigInt64Array: the request's id, the chunk's index, when it began (µs since the epoch).
 */
export const PROGRESS = {request: 0, chunk: 1, beganUs: 2, slots: 3} as const

export function nowUs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000))
}
