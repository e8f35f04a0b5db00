import {describe, expect, it} from 'vitest'
import {findIssues} from '../../src/core/migrations/findings.js'
import type {History} from '../../src/core/migrations/history.js'
import {classifyEntries} from '../../src/core/migrations/migration-file.js'

const folder = (...names: string[]) => classifyEntries(names.map((name) => ({name, isDirectory: false})))
const db = (...versions: Array<{version: string; name?: string; statements?: string[]}>): History => ({
  origin: {kind: 'database', via: {flag: '--db-url'}, display: 'postgresql://db'},
  applied: new Map(versions.map((v) => [v.version, v])),
})

describe('findIssues', () => {
  it('a clean folder has no findings', () => {
    expect(findIssues({folder: folder('20250101000000_a.sql', '20250102000000_b.sql')})).toEqual([])
  })

  it('reports every file sharing a version, once per version', () => {
    const findings = findIssues({
      folder: folder('20250101000000_a.sql', '20250101000000_b.sql', '20250101000000_c.sql'),
    })
    expect(findings).toEqual([
      {
        kind: 'duplicate-version',
        blocking: true,
        version: '20250101000000',
        files: ['20250101000000_a.sql', '20250101000000_b.sql', '20250101000000_c.sql'],
      },
    ])
  })

  it('a .sql file supabase would skip blocks; a README does not', () => {
    const findings = findIssues({folder: folder('20250101000000.sql', 'README.md', '20250101000000_x.SQL')})
    expect(findings.map((f) => [f.kind, 'file' in f ? f.file : '', f.blocking])).toEqual([
      ['skipped-file', '20250101000000.sql', true],
      ['skipped-file', '20250101000000_x.SQL', true],
      ['skipped-file', 'README.md', false],
    ])
  })

  it('a version that is not a 14-digit timestamp is a note, not a blocker', () => {
    const findings = findIssues({folder: folder('123_x.sql', '20251301000000_bad_month.sql')})
    expect(findings.map((f) => f.kind)).toEqual(['non-timestamp-version', 'non-timestamp-version'])
    expect(findings.some((f) => f.blocking)).toBe(false)
  })

  it('against a database: out-of-order, missing locally, edited after apply', () => {
    const findings = findIssues({
      folder: folder('20250101000000_a.sql', '20250102000000_late.sql', '20250103000000_c.sql'),
      history: db(
        {version: '20250101000000', statements: ['create table a (id int)']},
        {version: '20250103000000'},
        {version: '20250104000000', name: 'gone'},
      ),
      localStatements: new Map([['20250101000000_a.sql', ['create table a (id bigint)']]]),
    })
    expect(findings).toEqual([
      {
        kind: 'out-of-order',
        blocking: true,
        file: '20250102000000_late.sql',
        version: '20250102000000',
        newest: '20250104000000',
        against: {kind: 'database', via: {flag: '--db-url'}, display: 'postgresql://db'},
      },
      {kind: 'edited-after-apply', blocking: true, file: '20250101000000_a.sql', version: '20250101000000'},
      {kind: 'missing-locally', blocking: true, version: '20250104000000', name: 'gone', origin: db().origin},
    ])
  })

  it('against a branch: only files the branch added are judged, and missing base files are not findings', () => {
    const history: History = {
      origin: {kind: 'branch', ref: 'main'},
      applied: new Map([
        ['20250105000000', {version: '20250105000000', name: 'main'}],
        ['20250106000000', {version: '20250106000000', name: 'main2'}],
      ]),
      added: new Set(['20250104000000_mine.sql', '20250106000000_clash.sql']),
    }
    const findings = findIssues({
      folder: folder('20250101000000_old_base.sql', '20250104000000_mine.sql', '20250106000000_clash.sql'),
      history,
    })
    expect(findings).toEqual([
      {
        kind: 'out-of-order',
        blocking: true,
        file: '20250104000000_mine.sql',
        version: '20250104000000',
        newest: '20250106000000',
        against: {kind: 'branch', ref: 'main'},
      },
      {
        kind: 'base-version-taken',
        blocking: true,
        version: '20250106000000',
        file: '20250106000000_clash.sql',
        baseFile: '20250106000000_main2.sql',
        base: 'main',
      },
    ])
  })
})
