/** `sbx watch` events as human lines. Pure. */
import type {WatchEvent} from '../core/watch/watch.js'
import {renderRename} from './findings.js'

export function renderWatchEvent(event: WatchEvent): string {
  switch (event.event) {
    case 'ready':
      return `watching ${event.path} (${plural(event.migrations, 'migration')}; Ctrl-C to stop)`
    case 'renamed':
      return renderRename(event)
    case 'updated':
      return renderUpdate(event)
    case 'error':
      return `error  ${event.message}`
    case 'stopped':
      return `stopped (${plural(event.renames, 'rename')} in ${plural(event.passes, 'pass', 'passes')})`
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

function renderUpdate(event: Extract<WatchEvent, {event: 'updated'}>): string {
  const sha = event.sha256.slice(0, 12)
  switch (event.reason) {
    case 'appended-after-rename':
      return `appended to ${event.to} what was written to ${event.from} after its rename (sha256 ${sha}…)`
    case 'rewritten-after-rename':
      return `rewrote ${event.to} with what was written to ${event.from} after its rename (sha256 ${sha}…)`
    case 'written-after-rename':
      return `${event.to} was written to after its rename from ${event.from} (sha256 ${sha}…)`
  }
}
