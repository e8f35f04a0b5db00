/**
 * How a step's pipeline is cut into calls to the database: a statement and the probes after it in one call (one
 * call into PGlite's WebAssembly less per probe), every statement in a call of its own so that a statement that
 * never ends is known by its call, the Sync last.
 */
import {describe, expect, it} from 'vitest'
import {chunkQueries, type PipelineQuery, pipelineChunks} from '../../src/shell/replay/replay-pipeline.js'

/** The frontend messages of a chunk, by their type byte (P Parse, B Bind, D Describe, E Execute, S Sync). */
function messageTypes(chunk: Uint8Array): string {
  const buffer = Buffer.from(chunk)
  let types = ''
  for (let at = 0; at < buffer.length; at += 1 + buffer.readInt32BE(at + 1))
    types += String.fromCharCode(buffer[at] as number)
  return types
}

const QUERIES: PipelineQuery[] = [
  {index: 0, sql: 'create table a (id int)'},
  {index: 0, sql: 'select 1', probe: true, prepared: 'sbx_risk_locks', params: [16384]},
  {index: 1, sql: 'create index on a (id)'},
  {index: 1, sql: 'select 2', probe: true},
  {index: 1, sql: 'select 3', probe: 'step', prepared: 'sbx_risk_new_relations', params: [16384]},
  {index: 2, sql: 'insert into supabase_migrations.schema_migrations values ($1)', params: ['20260101000000']},
]

describe('the pipeline of a step', () => {
  it('sends each statement with the probes after it in one call, the history insert on its own, the Sync last', () => {
    expect(chunkQueries(QUERIES).map((group) => group.map((query) => query.sql))).toEqual([
      ['create table a (id int)', 'select 1'],
      ['create index on a (id)', 'select 2', 'select 3'],
      ['insert into supabase_migrations.schema_migrations values ($1)'],
    ])
    // A prepared probe is bound by name: no Parse of its text.
    expect(pipelineChunks(QUERIES).map(messageTypes)).toEqual(['PBDEBDE', 'PBDEPBDEBDE', 'PBDE', 'S'])
  })

  it('keeps a statement that follows no other in a call of its own, probes or not', () => {
    const plain = QUERIES.filter((query) => !query.probe)
    expect(chunkQueries(plain).map((group) => group.length)).toEqual([1, 1, 1])
    expect(pipelineChunks(plain).map(messageTypes)).toEqual(['PBDE', 'PBDE', 'PBDE', 'S'])
  })
})
