import {describe, expect, it} from 'vitest'
import {LIFTOFF_ONLY_MAX_STATEMENTS, liftoffOnlyFor, wasmTierFlag} from '../../src/core/embedded/wasm-tiers.js'

describe('liftoffOnlyFor', () => {
  it('keeps a replay up to the measured crossover on Liftoff, a longer or unknown one on both tiers', () => {
    expect(liftoffOnlyFor(0)).toBe(true)
    expect(liftoffOnlyFor(LIFTOFF_ONLY_MAX_STATEMENTS)).toBe(true)
    expect(liftoffOnlyFor(LIFTOFF_ONLY_MAX_STATEMENTS + 1)).toBe(false)
    expect(liftoffOnlyFor(undefined)).toBe(false)
  })

  it('sets the V8 flag either way, so that an earlier worker of the process leaves no trace', () => {
    expect(wasmTierFlag(true)).toBe('--liftoff-only')
    expect(wasmTierFlag(false)).toBe('--no-liftoff-only')
  })
})
