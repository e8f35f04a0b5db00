import {describe, expect, it} from 'vitest'
import {folderGoneEvent, type WatchEvent} from '../../src/core/watch/watch.js'
import {renderWatchEvent} from '../../src/render/watch.js'

const sha256 = 'ab'.repeat(32)

describe('renderWatchEvent', () => {
  it.each<{event: WatchEvent; line: string}>([
    {
      event: {event: 'ready', path: 'supabase/migrations', migrations: 1},
      line: 'watching supabase/migrations (1 migration; Ctrl-C to stop)',
    },
    {
      event: {event: 'updated', from: '1_a.sql', to: '2_a.sql', reason: 'appended-after-rename', sha256},
      line: 'appended to 2_a.sql what was written to 1_a.sql after its rename (sha256 abababababab…)',
    },
    {
      event: {event: 'updated', from: '1_a.sql', to: '2_a.sql', reason: 'rewritten-after-rename', sha256},
      line: 'rewrote 2_a.sql with what was written to 1_a.sql after its rename (sha256 abababababab…)',
    },
    {
      event: {event: 'updated', from: '1_a.sql', to: '2_a.sql', reason: 'written-after-rename', sha256},
      line: '2_a.sql was written to after its rename from 1_a.sql (sha256 abababababab…)',
    },
    {
      event: folderGoneEvent('supabase/migrations'),
      line: 'error  supabase/migrations was removed or moved away; sbx watch waits for it to come back, then goes on.',
    },
    {event: {event: 'stopped', passes: 3, renames: 1}, line: 'stopped (1 rename in 3 passes)'},
  ])('$line', ({event, line}) => {
    expect(renderWatchEvent(event)).toBe(line)
  })
})
