/**
 * `[verify]` and `[lint]` in supabase/sbx.toml: how deep `sbx verify` (and so `sbx push`) looks, and what blocks.
 * Each key's error says what it expects. Lists may also come from SBX_* variables as comma-separated strings.
 * The zod schemas are in core/config-sections.ts: loaded only when there are settings to read (~65 ms).
 */

import type {LintSettings, VerifySettings} from '../config-sections.js'
import {parseSize} from '../risk/risk-policy.js'
import {DEFAULT_REPLAY_CACHE_BYTES} from './replay-cache.js'

/** The level at which findings block: off (not run), report (never block), error, warn (WARN and ERROR). */
export const BLOCKING_LEVELS = ['off', 'report', 'error', 'warn'] as const
export type BlockingLevel = (typeof BLOCKING_LEVELS)[number]

export const VERIFY_EXPECTED = {
  advisors: 'one of "off", "report", "error", "warn" (the advisor level at which verify and push block)',
  ignore: 'a list of advisor rules, or rule:schema.name, e.g. ["rls_disabled_in_public:public.legacy"]',
  shadow_url: 'a postgres:// or postgresql:// URL of a server where sbx may create a throwaway database',
  statement_timeout: 'a duration such as "60s", "500ms" or "2min", or seconds as a number (0: no limit)',
  exact_major: 'true or false (true: exit 3 when the embedded database cannot run [db] major_version itself)',
  risk: 'one of "off", "report", "error" (whether the replay traces locks and rewrites, and whether push refuses risky ones)',
  large_table: 'a size such as "100MB", "1.5GB" or "512kB" (tables larger than it on the target count as large)',
  replay_cache: 'a size such as "1GB" or "500MB" (the most the replay cache keeps per repository), or 0 (no cache)',
} as const

/** `[verify] replay_cache`: a size, or 0 / "0" / "off" for no cache; bytes. */
export function replayCacheBytes(value: string | number): number | undefined {
  if (value === 0 || value === '0' || value === 'off') return 0
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined
  return parseSize(value)
}

/**
 * How long one statement of the replay may run before verify stops it (exit 3). Measured: the whole replay of the
 * 200-migration bench project, start included, takes about 3 s on the embedded database; 60 s leaves room for data
 * backfills on a loaded CI machine and still ends a CI job that would otherwise hang.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000

/** "60s", "500ms", "2min" or a number of seconds, in milliseconds. */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*$/u.exec(value)
  if (!match) return undefined
  const factor = match[2] === 'ms' ? 1 : match[2] === 'min' ? 60_000 : 1000
  return Math.round(Number(match[1]) * factor)
}

/** `[verify] risk`: off (no trace), report (print), error (push refuses a risky migration on a large table). */
export const RISK_LEVELS = ['off', 'report', 'error'] as const
export type RiskSetting = (typeof RISK_LEVELS)[number]
export const DEFAULT_LARGE_TABLE = '100MB'

export const LINT_EXPECTED = {
  level: 'one of "off", "report", "error", "warn" (the squawk level at which verify, push and lint block)',
  exclude: 'a list of squawk rule names to turn off, e.g. ["prefer-bigint-over-int"]',
  include: 'a list of squawk rule names to turn on, including those sbx turns off by default',
  pg_version: 'the PostgreSQL version squawk assumes, e.g. "15" or "17.4"',
} as const

export type {LintSettings, VerifySettings} from '../config-sections.js'

export const DEFAULT_VERIFY_SETTINGS: VerifySettings = {
  advisors: 'report',
  ignore: [],
  statement_timeout: DEFAULT_STATEMENT_TIMEOUT_MS,
  exact_major: false,
  risk: 'report',
  large_table: DEFAULT_LARGE_TABLE,
  replay_cache: DEFAULT_REPLAY_CACHE_BYTES,
}
export const DEFAULT_LINT_SETTINGS: LintSettings = {level: 'report', exclude: [], include: [], pg_version: '15'}
