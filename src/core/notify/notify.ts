/**
 * Alert events (`[notify]`): one JSON object each, with a `text` line that Slack-compatible webhooks display.
 * Pure. Events carry file names, reasons and redacted target labels; never a URL's password.
 */
import {redactSecrets} from '../output/redact.js'

export type NotifyEvent =
  | {
      event: 'rename'
      command: string
      from: string
      to: string
      reason: string
      kept?: string
      project: string
    }
  | {event: 'registry-conflict'; command: string; from: string; to: string; kept?: string; project: string}
  | {event: 'push-refused'; target: string; project: string; why: string[]}
  | {event: 'drift'; target: string; project: string; missing: string[]}

export type NotifyPayload = NotifyEvent & {text: string; at: string; source: 'sbx'}

export function eventText(event: NotifyEvent): string {
  switch (event.event) {
    case 'rename':
      return `sbx ${event.command} renamed ${event.from} → ${event.to} (${event.reason}${event.kept ? `; ${event.kept} kept the version` : ''}) in ${event.project}`
    case 'registry-conflict':
      return `sbx ${event.command}: registry conflict in ${event.project}: ${event.from} → ${event.to}${event.kept ? ` (the registry holds the version for ${event.kept})` : ''}`
    case 'push-refused':
      return `sbx push to ${event.target} refused (${event.project}): ${event.why.join('; ')}`
    case 'drift':
      return `sbx push to ${event.target} (${event.project}) done, but the target lacks ${event.missing.length} object(s) its migrations create: ${event.missing.join(', ')}`
  }
}

/** The JSON sent; every string has the passwords of `secretUrls` removed. */
export function payload(event: NotifyEvent, at: Date, secretUrls: readonly string[] = []): NotifyPayload {
  const full = {...event, text: eventText(event), at: at.toISOString(), source: 'sbx' as const}
  let json = JSON.stringify(full)
  for (const url of secretUrls) json = redactSecrets(json, url)
  return JSON.parse(json) as NotifyPayload
}
