/**
 * The zod schema of each section of supabase/sbx.toml (core/config.ts puts them together). Apart from the sections'
 * plain constants and helpers because zod/mini takes ~65 ms to load (measured): commands load this only when there
 * is a file or an SBX_<SECTION>_* variable to read (shell/project/config-file.ts).
 */
import * as z from 'zod/mini'
import {DEFAULT_NOTIFY_TIMEOUT_SECONDS} from './notify/notify-config.js'
import {DEFAULT_REGISTRY_REF, DEFAULT_REGISTRY_TIMEOUT_SECONDS, parseRegistryUrl} from './registry/registry-config.js'
import {parseSize} from './risk/risk-policy.js'
import {DEFAULT_REPLAY_CACHE_BYTES} from './verify/replay-cache.js'
import {
  BLOCKING_LEVELS,
  DEFAULT_LARGE_TABLE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  durationMs,
  RISK_LEVELS,
  replayCacheBytes,
  VERIFY_EXPECTED,
} from './verify/verify-config.js'

const level = z.enum(BLOCKING_LEVELS)

/** A TOML list, or a comma-separated string (from env() or an SBX_* variable). */
const names = z.pipe(
  z.union([
    z.array(z.string().check(z.minLength(1))),
    z.pipe(
      z.string(),
      z.transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      ),
    ),
  ]),
  z.transform((list) => [...list]),
)

export const verifySection = z.strictObject({
  advisors: z._default(level, 'report'),
  ignore: z._default(names, []),
  shadow_url: z.optional(z.string().check(z.regex(/^postgres(ql)?:\/\/\S+$/))),
  statement_timeout: z._default(
    z.pipe(
      z.union([z.number(), z.string()]),
      z.transform((value, ctx) => {
        const ms = durationMs(value)
        if (ms === undefined) {
          ctx.issues.push({code: 'custom', message: VERIFY_EXPECTED.statement_timeout, input: value})
          return z.NEVER
        }
        return ms
      }),
    ),
    DEFAULT_STATEMENT_TIMEOUT_MS,
  ),
  exact_major: z._default(z.boolean(), false),
  risk: z._default(z.enum(RISK_LEVELS), 'report'),
  large_table: z._default(z.string().check(z.refine((text) => parseSize(text) !== undefined)), DEFAULT_LARGE_TABLE),
  replay_cache: z._default(
    z.pipe(
      z.union([z.number(), z.string()]),
      z.transform((value, ctx) => {
        const bytes = replayCacheBytes(value)
        if (bytes === undefined) {
          ctx.issues.push({code: 'custom', message: VERIFY_EXPECTED.replay_cache, input: value})
          return z.NEVER
        }
        return bytes
      }),
    ),
    DEFAULT_REPLAY_CACHE_BYTES,
  ),
})

export const lintSection = z.strictObject({
  level: z._default(level, 'report'),
  exclude: z._default(names, []),
  include: z._default(names, []),
  pg_version: z._default(z.string().check(z.regex(/^\d+(\.\d+)?$/)), '15'),
})

export type VerifySettings = z.infer<typeof verifySection>
export type LintSettings = z.infer<typeof lintSection>

export const checkSection = z.strictObject({ignore: z._default(names, [])})

export type CheckSettings = z.infer<typeof checkSection>

/** Seconds from `min` to `max`. Values from env() or SBX_* arrive as strings: digits are accepted. */
const seconds = (min: number, max: number) =>
  z
    .pipe(z.union([z.number(), z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*$/))]), z.transform(Number))
    .check(z.refine((n) => n >= min && n <= max))

export const registrySection = z.strictObject({
  url: z.string().check(z.refine((url) => parseRegistryUrl(url) !== undefined)),
  project: z.optional(z.string().check(z.minLength(1))),
  timeout: z._default(seconds(1, 3600), DEFAULT_REGISTRY_TIMEOUT_SECONDS),
  ref: z._default(
    z
      .string()
      .check(z.refine((ref) => /^refs\/[A-Za-z0-9._/-]+$/.test(ref) && !ref.includes('..') && !ref.endsWith('/'))),
    DEFAULT_REGISTRY_REF,
  ),
})

export type RegistrySettings = z.infer<typeof registrySection>

export const notifySection = z.strictObject({
  command: z.optional(z.string().check(z.minLength(1))),
  webhook: z.optional(z.string().check(z.refine((url) => /^https?:\/\/\S+$/.test(url)))),
  timeout: z._default(seconds(0.1, 600), DEFAULT_NOTIFY_TIMEOUT_SECONDS),
})

export type NotifySettings = z.infer<typeof notifySection>
