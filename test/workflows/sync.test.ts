import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {sync} from '../../src/workflows/sync.js'
import {applyLikeSupabaseApi} from '../helpers/api-history.js'
import {throwawayDatabase} from '../helpers/databases.js'
import {git, gitProject, migrationsDir} from '../helpers/project.js'

describe('sync in a git repository', () => {
  it('moves an adopted tracked file with git mv (staged) and leaves a fetched file untracked', async () => {
    const db = await throwawayDatabase('pglite')
    const sql = 'create table tracked (id int);\n'
    const dir = gitProject({'supabase/migrations/20260101000000_tracked.sql': sql})
    const adoptedVersion = await applyLikeSupabaseApi(db.url, 'tracked', sql, {timeZone: 'UTC'})
    const fetchedVersion = await applyLikeSupabaseApi(db.url, 'other', 'create table other (id int);', {
      timeZone: 'Etc/GMT-5',
    })

    const report = await sync({workdir: dir, target: {kind: 'url', url: db.url}, dryRun: false, lockTimeoutSeconds: 10})

    expect(report.blocking).toBe(false)
    const status = git(dir, 'status', '--porcelain', '--', 'supabase/migrations').trim().split('\n').sort()
    expect(status).toEqual(
      [
        `R  supabase/migrations/20260101000000_tracked.sql -> supabase/migrations/${adoptedVersion}_tracked.sql`,
        `?? supabase/migrations/${fetchedVersion}_other.sql`,
      ].sort(),
    )
    expect(fs.readFileSync(path.join(migrationsDir(dir), `${adoptedVersion}_tracked.sql`), 'utf8')).toBe(sql)
  })
})
