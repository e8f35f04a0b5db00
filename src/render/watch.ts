/** `sbx watch` events as human lines. Pure. */
import type {WatchEvent} from '../core/watch.js'
import {renderRename} from './findings.js'

export function renderWatchEvent(event: WatchEvent): string {
  switch (event.event) {
    case 'ready':
      return `watching ${event.path} (${plural(event.migrations, 'migration')}; Ctrl-C to stop)`
    case 'renamed':
      return renderRename(event)
    case 'error':
      return `error  ${event.message}`
    case 'stopped':
      return `stopped (${plural(event.renames, 'rename')} in ${plural(event.passes, 'pass', 'passes')})`
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}
