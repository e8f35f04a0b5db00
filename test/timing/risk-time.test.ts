/**
 * The time model (src/core/risk/risk-time.ts) against the same statements run on the real PostgreSQL server.
 * This file is in the `timing` project, which vitest runs after every other test has finished: the model
 * describes the target's own speed, and the last CI run showed that a rewrite measured while 2 cores also carried
 * the other test files took 4 times as long as on the quiet server (2.18 s against about 0.5 s).
 */
import pg from 'pg'
import {describe, expect, it} from 'vitest'
import {needsServer} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {FILES, MIGRATIONS, useBigTableTarget} from '../helpers/risk-target.js'

describe('the risk time model against a 1,000,000-row table on PostgreSQL', () => {
  needsServer()
  const target = useBigTableTarget(process.env.SBX_TEST_DATABASE_URL)

  const measure = async (sql: string) => {
    const client = new pg.Client({connectionString: target.url()})
    await client.connect()
    try {
      const started = performance.now()
      await client.query(sql)
      return (performance.now() - started) / 1000
    } finally {
      await client.end()
    }
  }

  it('estimates the time of the rewrite and of the index build within a factor of 3 of the measured run', async (context) => {
    const risk = await target.planRisk(tmpProject(MIGRATIONS))
    const index = await measure('create index concurrently big_n_idx on public.big (n)')
    await target.query('drop index public.big_n_idx')
    const rewrite = await measure('alter table public.big alter column n type bigint')
    const ratios = {
      rewrite: (risk(FILES.retype).estimatedSeconds as number) / rewrite,
      index: (risk(FILES.index).estimatedSeconds as number) / index,
    }
    await context.annotate(
      `estimate / measured: rewrite ${ratios.rewrite.toFixed(2)} (${rewrite.toFixed(2)} s measured), index ${ratios.index.toFixed(2)} (${index.toFixed(2)} s measured)`,
    )
    for (const [what, ratio] of Object.entries(ratios)) {
      expect(ratio, `${what}: estimate / measured`).toBeGreaterThan(1 / 3)
      expect(ratio, `${what}: estimate / measured`).toBeLessThan(3)
    }
  }, 240_000)
})
