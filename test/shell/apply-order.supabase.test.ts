/**
 * Pins sbx's one ordering model to the real supabase binary: on a folder mixing version widths (and sharing
 * versions), `supabase db push --dry-run` lists the files in exactly the order sbx replays and judges them.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {readMigrationFolder} from '../../src/shell/project/migrations-dir.js'
import {throwawayDatabase} from '../helpers/databases.js'
import {tmpProject} from '../helpers/project.js'
import {supabase} from '../helpers/supabase.js'

const MIXED = [
  '20250117_database_performance_optimization.sql',
  '20250117000000_a.sql',
  '20250117000001_b.sql',
  '20250117000002_c.sql',
  '20250117000003_d.sql',
  '20251117_typesense_auto_sync.sql',
  '20251117183906_e.sql',
  '0_zero.sql',
  '020260207080006_lead.sql',
  '123_x.sql',
  '20260101000000_z.sql',
  '20260101000000_y.sql',
]

describe('apply order, against the real supabase binary', () => {
  it('supabase db push --dry-run lists mixed-width files in the order sbx uses', async () => {
    const db = await throwawayDatabase('pglite')
    const dir = tmpProject(Object.fromEntries(MIXED.map((file) => [`supabase/migrations/${file}`, 'select 1;'])))
    const dry = await supabase(['db', 'push', '--dry-run', `--remote=${db.url}`, '--yes', '--agent=no'], dir)
    expect(dry.exitCode, dry.stderr).toBe(0)
    const listed = `${dry.stdout}\n${dry.stderr}`
      .split('\n')
      .map((line) => /•\s*(\S+\.sql)/u.exec(line)?.[1])
      .filter((file): file is string => file !== undefined)
      .map((file) => path.basename(file))
    const folder = await readMigrationFolder(path.join(dir, 'supabase', 'migrations'))
    expect(listed).toHaveLength(MIXED.length)
    expect(folder.migrations.map((m) => m.file)).toEqual(listed)
    expect(fs.readdirSync(path.join(dir, 'supabase', 'migrations')).sort()).not.toEqual(listed)
  })
})
