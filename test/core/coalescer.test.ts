import {describe, expect, it} from 'vitest'
import {Coalescer} from '../../src/core/watch/coalescer.js'

/** A run that waits until the test lets it finish, so overlapping requests are made on purpose. */
function gatedRuns() {
  const gates: Array<() => void> = []
  let started = 0
  const run = () =>
    new Promise<void>((resolve) => {
      started++
      gates.push(resolve)
    })
  return {run, started: () => started, finishNext: () => gates.shift()?.()}
}

describe('Coalescer (running / run again)', () => {
  it('makes requests during a run into exactly one more run, never two at once', async () => {
    const runs = gatedRuns()
    const coalescer = new Coalescer(runs.run)
    const first = coalescer.request()
    for (let i = 0; i < 50; i++) void coalescer.request()
    expect(runs.started()).toBe(1)
    runs.finishNext()
    await Promise.resolve()
    await Promise.resolve()
    expect(runs.started()).toBe(2)
    runs.finishNext()
    await first
    expect(runs.started()).toBe(2)
  })

  it('starts afresh once idle, and the promise of a request resolves only when nothing is due', async () => {
    let count = 0
    const coalescer = new Coalescer(async () => {
      count++
    })
    await coalescer.request()
    await coalescer.request()
    expect(count).toBe(2)
  })

  it('stops repeating when shouldContinue turns false, and refuses requests after close', async () => {
    const runs = gatedRuns()
    let go = true
    const coalescer = new Coalescer(runs.run, () => go)
    const pending = coalescer.request()
    void coalescer.request()
    go = false
    runs.finishNext()
    await pending
    expect(runs.started()).toBe(1)

    go = true
    const closing = coalescer.close()
    await closing
    await coalescer.request()
    expect(runs.started()).toBe(1)
  })

  it('close waits for the run in flight', async () => {
    const runs = gatedRuns()
    const coalescer = new Coalescer(runs.run)
    void coalescer.request()
    let closed = false
    const closing = coalescer.close().then(() => {
      closed = true
    })
    await Promise.resolve()
    expect(closed).toBe(false)
    runs.finishNext()
    await closing
    expect(closed).toBe(true)
  })
})
