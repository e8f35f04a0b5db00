/**
 * Supabase's extension list (core/extensions/extension-catalog.ts) against what the embedded database really loads: every
 * extension sbx says is `loaded` or stood in for is created, with CASCADE, on the PGlite release it runs on. The
 * same bundles serve verify and the embedded push target (shell/embedded/extension-bundles.ts).
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {BASELINE_EXTENSIONS, SUPABASE_EXTENSIONS} from '../../src/core/extensions/extension-catalog.js'
import {engineFor, extensionStatus} from '../../src/core/extensions/extension-plan.js'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}

const available = Object.keys(SUPABASE_EXTENSIONS).filter((name) => {
  const status = extensionStatus(name)
  return (status === 'loaded' || status === 'stand-in') && !(BASELINE_EXTENSIONS as readonly string[]).includes(name)
})
const byEngine = {
  default: available.filter((name) => engineFor([name]) === 'default'),
  postgis: available.filter((name) => engineFor([name]) === 'postgis'),
}

describe.each(Object.entries(byEngine))('every extension sbx offers on the %s PGlite release', (engine, names) => {
  it(`creates each of them: ${names.join(', ')}`, {timeout: 300_000}, async () => {
    const load = engine === 'postgis' ? [...names, 'pg_trgm', 'pgcrypto', 'uuid-ossp'] : names
    const database = await freshDatabaseFromBaseline({env, extensions: load})
    onTestFinished(() => database.close())
    const failed: string[] = []
    for (const name of names) {
      await database.db
        .exec(`create extension if not exists "${name}" with schema extensions cascade`)
        .catch(async () => {
          // Extensions whose control file pins their own schema refuse `with schema`.
          await database.db.exec(`create extension if not exists "${name}" cascade`).catch((error: Error) => {
            failed.push(`${name}: ${error.message}`)
          })
        })
      // A library that breaks the WebAssembly instance makes every later query answer nothing (postgis_raster did).
      const alive = await database.db.query<{ok: number}>('select 1 as ok')
      if (alive.rows.length !== 1) failed.push(`${name}: the database stopped answering after it`)
    }
    expect(failed).toEqual([])
    const created = await database.db.query<{extname: string}>('select extname from pg_extension')
    expect(created.rows.map((row) => row.extname)).toEqual(expect.arrayContaining(names))
  })
})
