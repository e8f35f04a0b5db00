/** `[notify]` in supabase/sbx.toml: who is told about renames, registry conflicts, refused pushes and drift. */
import * as z from 'zod/mini'

export const DEFAULT_NOTIFY_TIMEOUT_SECONDS = 5

export const NOTIFY_EXPECTED = {
  command: 'a shell command (it receives one JSON event on stdin)',
  webhook: 'an http:// or https:// URL (it receives an HTTP POST of the JSON event)',
  timeout: 'a number of seconds from 0.1 to 600 (e.g. 5)',
} as const

const seconds = z
  .pipe(z.union([z.number(), z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*$/))]), z.transform(Number))
  .check(z.refine((n) => n >= 0.1 && n <= 600))

export const notifySection = z.strictObject({
  command: z.optional(z.string().check(z.minLength(1))),
  webhook: z.optional(z.string().check(z.refine((url) => /^https?:\/\/\S+$/.test(url)))),
  timeout: z._default(seconds, DEFAULT_NOTIFY_TIMEOUT_SECONDS),
})

export type NotifySettings = z.infer<typeof notifySection>
