/**
 * Alerts (`[notify]` in supabase/sbx.toml): each event goes to the webhook and the command at once. An alert
 * that fails or outlasts `timeout` is reported on stderr; it never fails, blocks beyond the timeout, or undoes
 * the work it reports.
 */
import path from 'node:path'
import {type NotifyEvent, payload} from '../../core/notify/notify.js'
import {runNotifyCommand} from '../../shell/notify/notify-command.js'
import {postJson, webhookLabel} from '../../shell/notify/webhook.js'
import {loadConfig} from '../../shell/project/config-file.js'

export type {NotifyEvent} from '../../core/notify/notify.js'

export interface NotifyOptions {
  /** Where alert failures are reported (default: stderr). */
  warn?: (line: string) => void
  env?: NodeJS.ProcessEnv
  /** URLs whose passwords must not appear in an event (a --db-url). */
  secretUrls?: readonly string[]
}

/** The project name events carry: the workdir's folder name (never a full path). */
export function projectName(workdir: string): string {
  return path.basename(workdir)
}

export async function notify(
  workdir: string,
  events: readonly NotifyEvent[],
  options: NotifyOptions = {},
): Promise<void> {
  if (events.length === 0) return
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`))
  let settings: Awaited<ReturnType<typeof loadConfig>>['notify']
  try {
    settings = (await loadConfig(workdir, options.env ?? process.env)).notify
  } catch (error) {
    warn(`sbx: alerts not sent: ${(error as Error).message}`)
    return
  }
  if (!settings || (!settings.webhook && !settings.command)) return
  const timeoutMs = settings.timeout * 1000
  const {webhook, command} = settings
  const sends = events.flatMap((event) => {
    const body = payload(event, new Date(), options.secretUrls)
    const all: Promise<void>[] = []
    if (webhook) {
      all.push(
        postJson(webhook, body, timeoutMs).catch((error: Error) =>
          warn(
            `sbx: alert to the webhook ${webhookLabel(webhook)} failed (${error.message}); the ${event.event} stands.`,
          ),
        ),
      )
    }
    if (command) {
      all.push(
        runNotifyCommand(command, `${JSON.stringify(body)}\n`, workdir, timeoutMs).catch((error: Error) =>
          warn(`sbx: alert command failed (${error.message}); the ${event.event} stands.`),
        ),
      )
    }
    return all
  })
  await Promise.all(sends)
}
