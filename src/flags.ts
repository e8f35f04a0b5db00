import {Flags} from '@oclif/core'

/** Flags that several commands share, defined once so their help reads the same everywhere. */
// No $SUPABASE_DB_URL default here (only push has one): a pre-commit check must not quietly reach production.
export const dbUrlFlag = Flags.string({
  helpValue: 'URL',
  summary: 'Postgres URL whose supabase_migrations.schema_migrations says what is applied.',
})

export const againstFlag = Flags.string({
  exclusive: ['db-url'],
  helpValue: 'REF',
  summary: "Compare with a git ref's migrations (e.g. main): what this branch adds must sort after them.",
})

export const lockTimeoutFlag = Flags.integer({
  default: 30,
  min: 0,
  summary: 'Seconds to wait for the migrations lock before giving up with exit code 4.',
  helpValue: 'SECONDS',
})

export const advisorsFlag = Flags.option({
  options: ['off', 'report', 'error', 'warn'] as const,
  helpValue: 'LEVEL',
  summary:
    'Supabase security advisors for this run: off, report (never block), error or warn (block at that level). Default: [verify] advisors in supabase/sbx.toml, else report (error with --against).',
})()

export const lintLevelFlag = Flags.option({
  options: ['off', 'report', 'error', 'warn'] as const,
  helpValue: 'LEVEL',
  summary:
    'Lock-safety lint (squawk) for this run: off, report (never block), error or warn (block at that level). Default: [lint] level in supabase/sbx.toml, else report.',
})()

export const cacheFlag = Flags.boolean({
  allowNo: true,
  default: true,
  summary:
    'Start the replay from the cached database state after the longest unchanged prefix of files (--no-cache: replay every file, reading and writing no cache). Size: [verify] replay_cache in supabase/sbx.toml.',
})

export const shadowUrlFlag = Flags.string({
  helpValue: 'URL',
  summary:
    'Replay on a throwaway database (sbx_shadow_<random>, dropped afterwards) on this PostgreSQL server instead of the embedded one; needs CREATEDB. Default: [verify] shadow_url in supabase/sbx.toml.',
})
