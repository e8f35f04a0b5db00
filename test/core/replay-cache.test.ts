import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {
  type CacheEntry,
  canonicalJson,
  chainKeys,
  decodeEntry,
  encodeEntry,
  entriesToEvict,
  isSafePath,
  longestCachedPrefix,
  positionsToStore,
  type ReplaySeed,
  walToKeep,
} from '../../src/core/verify/replay-cache.js'

const digest = (parts: readonly (string | Uint8Array)[]) => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}

const seed: ReplaySeed = {
  baseline: 'baseline-0.5.14-abc',
  lineMajor: 17,
  projectMajor: 17,
  extensions: ['pg_trgm'],
  versions: {},
  standIns: {pg_net: '0.14.0'},
  statementTimeoutMs: 60_000,
  carries: {ledger: true, tracer: 'risk-high', observer: null},
  sbx: '0.1.0',
}

const files = Array.from({length: 6}, (_, i) => ({file: `2025010100000${i}_m.sql`, text: `create table t${i}();`}))

describe('chainKeys', () => {
  it('gives one key per prefix, the baseline alone first', () => {
    const keys = chainKeys(seed, files, digest)
    expect(keys).toHaveLength(files.length + 1)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('an edit to file i changes exactly the keys from i + 1 on', () => {
    const before = chainKeys(seed, files, digest)
    const edited = files.map((f, i) => (i === 3 ? {...f, text: `${f.text} -- edited`} : f))
    const after = chainKeys(seed, edited, digest)
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4))
    for (let i = 4; i < after.length; i++) expect(after[i]).not.toBe(before[i])
  })

  it('a rename changes the suffix too', () => {
    const renamed = files.map((f, i) => (i === 5 ? {...f, file: '20990101000000_m.sql'} : f))
    expect(chainKeys(seed, renamed, digest)[6]).not.toBe(chainKeys(seed, files, digest)[6])
  })

  it('every input of the seed is in every key', () => {
    const base = chainKeys(seed, files, digest)
    const variants: ReplaySeed[] = [
      {...seed, baseline: 'baseline-0.4.6-abc'},
      {...seed, lineMajor: 18},
      {...seed, projectMajor: 15},
      {...seed, extensions: ['pg_trgm', 'vector']},
      {...seed, versions: {vector: ['0.8.0']}},
      {...seed, standIns: {pg_net: '0.15.0'}},
      {...seed, statementTimeoutMs: 1000},
      {...seed, carries: {ledger: false, tracer: 'risk-high', observer: null}},
      {...seed, carries: {ledger: true, tracer: 'risk', observer: null}},
      {...seed, sbx: '0.2.0'},
    ]
    for (const variant of variants) {
      const keys = chainKeys(variant, files, digest)
      expect(keys.every((key, i) => key !== base[i])).toBe(true)
    }
  })

  it('does not depend on the order of the seed object', () => {
    const reordered = Object.fromEntries(Object.entries(seed).reverse()) as unknown as ReplaySeed
    expect(chainKeys(reordered, files, digest)).toEqual(chainKeys(seed, files, digest))
    expect(canonicalJson({b: 1, a: [2, {d: 3, c: 4}]})).toBe('{"a":[2,{"c":4,"d":3}],"b":1}')
  })
})

describe('longestCachedPrefix and positionsToStore', () => {
  it('finds the longest stored prefix, never the empty one', () => {
    const keys = chainKeys(seed, files, digest)
    expect(longestCachedPrefix(keys, new Set())).toBe(0)
    expect(longestCachedPrefix(keys, new Set([keys[0] as string]))).toBe(0)
    expect(longestCachedPrefix(keys, new Set([keys[2] as string, keys[4] as string]))).toBe(4)
  })

  it('stores all files, all but the newest, all but the newest 10, where that saves 20 files or more', () => {
    expect(positionsToStore(1000, 0)).toEqual([990, 999, 1000])
    // A branch adding 5 files to a cached 1,000: replaying them is cheaper than storing.
    expect(positionsToStore(1005, 1000)).toEqual([])
    expect(positionsToStore(1030, 1000)).toEqual([1020, 1029, 1030])
    expect(positionsToStore(1025, 1000)).toEqual([1024, 1025])
    expect(positionsToStore(25, 0)).toEqual([24, 25])
    expect(positionsToStore(19, 0)).toEqual([])
  })
})

describe('entriesToEvict', () => {
  const entries = [
    {name: 'a', bytes: 40, usedAt: 3},
    {name: 'b', bytes: 40, usedAt: 1},
    {name: 'c', bytes: 40, usedAt: 2},
  ]

  it('removes least recently used first until the rest fits', () => {
    expect(entriesToEvict(entries, 120)).toEqual([])
    expect(entriesToEvict(entries, 100)).toEqual(['b'])
    expect(entriesToEvict(entries, 40)).toEqual(['b', 'c'])
  })

  it('never removes what this run keeps', () => {
    expect(entriesToEvict(entries, 40, new Set(['b']))).toEqual(['c', 'a'])
    expect(entriesToEvict(entries, 0, new Set(['a', 'b', 'c']))).toEqual([])
  })
})

describe('the entry format', () => {
  const entry: CacheEntry = {
    key: 'k'.repeat(64),
    position: 3,
    state: {statements: 9, ledger: [['1', {introducedBy: 'a.sql', alteredBy: []}]]},
    dirs: ['base', 'base/1', 'pg_wal', 'pg_notify'],
    files: [
      {path: 'PG_VERSION', size: 3, bytes: new TextEncoder().encode('17\n')},
      {path: 'pg_wal/000000010000000000000001', size: 16, bytes: new Uint8Array([1, 2, 3, 4])},
    ],
  }
  const bytes = () => Buffer.concat(encodeEntry(entry, digest))

  it('round-trips', () => {
    const decoded = decodeEntry(bytes(), entry.key, digest)
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(decoded.entry.position).toBe(3)
    expect(decoded.entry.state).toEqual(entry.state)
    expect(decoded.entry.dirs).toEqual(entry.dirs)
    expect(decoded.entry.files.map((f) => [f.path, f.size, [...f.bytes]])).toEqual([
      ['PG_VERSION', 3, [49, 55, 10]],
      ['pg_wal/000000010000000000000001', 16, [1, 2, 3, 4]],
    ])
  })

  it('refuses a flipped byte, a truncated file, another key, and what is not an entry', () => {
    const flipped = bytes()
    flipped[flipped.length - 1] ^= 1
    expect(decodeEntry(flipped, entry.key, digest)).toEqual({ok: false, reason: 'checksum mismatch'})
    expect(decodeEntry(bytes().subarray(0, 100), entry.key, digest).ok).toBe(false)
    expect(decodeEntry(bytes(), 'x'.repeat(64), digest)).toEqual({ok: false, reason: 'another key'})
    expect(decodeEntry(new TextEncoder().encode('hello'), entry.key, digest)).toEqual({
      ok: false,
      reason: 'not an entry',
    })
  })

  it('refuses a well-formed entry whose paths leave the data directory', () => {
    const evil = {...entry, files: [{path: '../../etc/passwd', size: 1, bytes: new Uint8Array([1])}]}
    expect(decodeEntry(Buffer.concat(encodeEntry(evil, digest)), entry.key, digest)).toEqual({
      ok: false,
      reason: 'unsafe path',
    })
    expect(['a/b', 'PG_VERSION'].every(isSafePath)).toBe(true)
    expect(['', '/a', 'a/../b', 'a//b', './a', 'a\\b'].some(isSafePath)).toBe(false)
  })
})

describe('walToKeep', () => {
  it('keeps the segments from the redo point to the one being written, that one up to its last page', () => {
    const segments = ['000000010000000000000001', '000000010000000000000002', '000000010000000000000003']
    const keep = walToKeep(segments, {
      redoFile: '000000010000000000000002',
      currentFile: '000000010000000000000002',
      insertOffset: 8193,
      blockSize: 8192,
    })
    expect([...keep]).toEqual([['000000010000000000000002', 16384]])
    const two = walToKeep(segments, {
      redoFile: '000000010000000000000001',
      currentFile: '000000010000000000000002',
      insertOffset: 0,
      blockSize: 8192,
    })
    expect([...two]).toEqual([
      ['000000010000000000000001', 'all'],
      ['000000010000000000000002', 0],
    ])
  })
})
