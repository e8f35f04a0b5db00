import {describe, expect, it} from 'vitest'
import {renderVerify} from '../../src/render/verify.js'
import type {VerifyFailure, VerifyReport} from '../../src/workflows/verify.js'

const base: VerifyReport = {
  ok: true,
  migrations: 3,
  applied: 3,
  statements: 12,
  skipped: [],
  database: {
    version: 'PostgreSQL 18.6 (PGlite 0.5.14)',
    major: 18,
    projectMajor: 18,
    exact: true,
    emulated: false,
    gap: [],
  },
  extensions: [],
  partlyVerified: [],
  elapsedMs: 1234,
}

function failing(failure: Partial<VerifyFailure>): VerifyReport {
  return {
    ...base,
    ok: false,
    applied: 1,
    statements: 4,
    failure: {
      file: '20250101000000_functions.sql',
      version: '20250101000000',
      statementIndex: 0,
      statements: 1,
      statement: 'create function f() returns bigint language sql as $$\n  select count(*) from todos\n$$',
      transactionMode: 'transactional',
      partial: false,
      error: {message: 'relation "todos" does not exist', code: '42P01'},
      ...failure,
    },
  }
}

describe('renderVerify', () => {
  it('reports success with counts, database and time', () => {
    expect(renderVerify(base)).toBe(
      'ok     Replayed 3 migrations (12 statements) on a fresh PostgreSQL 18.6 (PGlite 0.5.14) with the Supabase baseline in 1.2 s.',
    )
  })

  it('says so when there is nothing to replay, after notes on skipped files', () => {
    const report: VerifyReport = {
      ok: true,
      migrations: 0,
      applied: 0,
      statements: 0,
      skipped: [{file: 'README.md', reason: 'not a migration (supabase skips it)', blocking: false}],
      extensions: [],
      partlyVerified: [],
      elapsedMs: 3,
    }
    expect(renderVerify(report)).toBe(
      'note   README.md: not a migration (supabase skips it) (not replayed)\nok     No migrations to replay in supabase/migrations.',
    )
  })

  it('never advises reordering when the creating statement was skipped for a missing extension', () => {
    const report = failing({
      error: {message: 'function set_vt_batch(unknown) does not exist', code: '42883'},
      missing: {kind: 'function', name: 'set_vt_batch'},
      createdBy: {file: '20250101000000_functions.sql', statementIndex: 0, skippedFor: ['pgmq']},
    })
    const text = renderVerify(report)
    expect(text).toContain(
      'Function set_vt_batch is created by 20250101000000_functions.sql (statement 0), which was skipped: it needs pgmq, which the embedded database lacks.',
    )
    expect(text).not.toContain('Give ')
    expect(text).not.toContain('sorts after')
  })

  it('names the later migration that creates the missing object, with a caret under the error', () => {
    const report = failing({
      error: {message: 'relation "todos" does not exist', code: '42P01', position: 78},
      missing: {kind: 'relation', name: 'todos'},
      createdBy: {file: '20250102000000_tables.sql', statementIndex: 2},
    })
    expect(renderVerify(report)).toBe(
      [
        'error  20250101000000_functions.sql fails at statement 0 (0-based, as supabase prints "At statement: 0"):',
        '       ERROR: relation "todos" does not exist (SQLSTATE 42P01)',
        '',
        '         create function f() returns bigint language sql as $$',
        '           select count(*) from todos',
        '                                ^',
        '         …',
        '',
        '       Table or view todos is created by a later migration: 20250102000000_tables.sql (statement 2).',
        '       Give 20250101000000_functions.sql a version that sorts after 20250102000000, or move that statement into an earlier migration.',
        '',
        '1 migration of 3 applied before it, on a fresh PostgreSQL 18.6 (PGlite 0.5.14) with the Supabase baseline (1.2 s). Nothing else was touched.',
      ].join('\n'),
    )
  })

  it('points inside the same file when the object comes later in it', () => {
    const text = renderVerify(
      failing({
        missing: {kind: 'relation', name: 'todos'},
        createdBy: {file: '20250101000000_functions.sql', statementIndex: 3},
      }),
    )
    expect(text).toContain(
      'Table or view todos is created later in this file, by statement 3: move that statement before statement 0.',
    )
  })

  it('explains a creator in a file supabase skips', () => {
    const text = renderVerify(
      failing({
        missing: {kind: 'relation', name: 'todos'},
        createdBy: {
          file: 'tables.sql',
          statementIndex: 0,
          skippedBecause: 'supabase skips it: the name must match <timestamp>_name.sql',
        },
      }),
    )
    expect(text).toContain(
      'Table or view todos is created by tables.sql (statement 0), but supabase skips it: the name must match <timestamp>_name.sql.',
    )
  })

  it('says when no statement creates the missing object', () => {
    expect(renderVerify(failing({missing: {kind: 'schema', name: 'app'}}))).toContain(
      'No later statement creates schema app: check its name and schema, or create it first.',
    )
  })

  it('suggests sbx fix for a duplicate version', () => {
    const text = renderVerify(
      failing({
        statementIndex: 1,
        error: {message: 'duplicate key value violates unique constraint "schema_migrations_pkey"', code: '23505'},
        duplicateOf: '20250101000000_a.sql',
      }),
    )
    expect(text).toContain(
      'Version 20250101000000 is already recorded by 20250101000000_a.sql: two files share one version.',
    )
    expect(text).toContain('Run: sbx fix')
  })

  it('warns that earlier statements stay applied when the file did not run in one transaction', () => {
    const text = renderVerify(failing({statementIndex: 2, statements: 4, transactionMode: 'autocommit', partial: true}))
    expect(text).toContain('on a real push, the statements before 2 that committed stay applied, with no history row')
    expect(renderVerify(failing({statementIndex: 2, statements: 4}))).not.toContain('stay applied')
  })

  it('names the extensions loaded, stood in for and missing, and the migrations verified only partly', () => {
    const report: VerifyReport = {
      ...base,
      extensions: [
        {name: 'pg_net', status: 'stand-in', files: ['20250101000000_hooks.sql']},
        {name: 'pgroonga', status: 'missing', files: ['20250102000000_search.sql']},
        {name: 'supabase_vault', status: 'stand-in', files: ['20250101000000_hooks.sql']},
        {name: 'vector', status: 'loaded', files: ['20250101000000_hooks.sql']},
      ],
      partlyVerified: [
        {
          file: '20250102000000_search.sql',
          missingExtensions: ['pgroonga'],
          skipped: [
            {statementIndex: 0, needs: ['pgroonga']},
            {statementIndex: 2, error: {message: 'access method "pgroonga" does not exist'}, needs: ['pgroonga']},
          ],
        },
      ],
    }
    expect(renderVerify(report).split('\n')).toEqual([
      'note   Extensions loaded: vector.',
      'note   Stand-ins for pg_net, supabase_vault: their schemas, tables and function signatures; calls do nothing.',
      'warn   Not on the embedded database (Supabase offers it): pgroonga; statements needing it were skipped.',
      'warn   20250102000000_search.sql verified only partly: skipped statements 0, 2 (they need pgroonga).',
      '       To verify those fully, apply them to a database that has pgroonga.',
      'ok     Replayed 3 migrations (12 statements, 1 of them only partly) on a fresh PostgreSQL 18.6 (PGlite 0.5.14) with the Supabase baseline in 1.2 s.',
    ])
  })

  it('says that an extension nobody offers fails on supabase too', () => {
    const report = failing({
      statement: 'create extension nosuch',
      error: {message: 'extension "nosuch" is not available', code: '0A000'},
      unknownExtension: 'nosuch',
    })
    expect(renderVerify(report)).toContain(
      'Extension nosuch is neither one Supabase offers nor one the embedded database has: supabase db push fails here too. Check its name.',
    )
  })
})
