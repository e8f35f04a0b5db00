import os from 'node:os'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP} from '../core/errors.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {dbUrlFlag, lockTimeoutFlag} from '../flags.js'
import {renderWatchEvent} from '../render/watch.js'
import {watch} from '../workflows/watch.js'

export default class Watch extends BaseCommand {
  static override description =
    `Watches supabase/migrations and keeps every version distinct while people and agents add files. At start it resolves what is already there, as sbx fix would; then each file that appears or is renamed in is handled once it is completely written: the newcomer moves to the first free version after it, and the file that was there first (applied, committed, or seen earlier by the watcher) keeps its version. Applied files never move; a rename never changes the name after the version, nor the content. Each rename is appended to supabase/${AUDIT_FILE} and printed as one line.

A writer that goes on writing to a renamed file's old name (appending, rewriting, or saving atomically as editors do) has that write merged into the renamed migration, under the lock, with an audit line of its own (see the README for how an append is told from a rewrite, and the limits). If the migrations folder is deleted or moved away, an error is reported and watching resumes when it is back.

Every pass takes the repository lock that sbx migration new, fix and push take, and only for as long as the pass lasts. With --db-url, the applied versions are read from the database at start and before each pass. Problems during a pass (a lock timeout, a lost database connection) are reported and retried; watching goes on.

SIGINT or SIGTERM finishes the rename in flight, releases the lock and exits 0; a second one exits at once (an interrupted rename is completed by the next sbx watch or sbx fix).

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Watch the current project.'},
    {
      command: '<%= config.bin %> <%= command.id %> --db-url "$DATABASE_URL"',
      description: 'Also move files that sort before what the database has applied.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --json | jq -c \'select(.event == "renamed")\'',
      description: 'One JSON object per line for each event (ready, renamed, updated, error, stopped).',
    },
  ]

  static override flags = {
    'db-url': dbUrlFlag,
    // Not oclif's --json, which prints one document at exit: a watch reports as it goes (NDJSON).
    json: Flags.boolean({summary: 'Print each event as one JSON object per line (NDJSON).'}),
    'lock-timeout': lockTimeoutFlag,
  }

  static override summary = 'Resolve migration version collisions live, as files appear.'

  async run(): Promise<void> {
    const {flags} = await this.parse(Watch)
    const controller = new AbortController()
    // Not `once`: proper-lockfile's signal-exit re-raises a signal when it sees no other listener, and a
    // `once` listener is already gone by then. The first signal stops gracefully, a second one at once.
    const stop = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(128 + os.constants.signals[signal])
      controller.abort()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    try {
      await watch({
        workdir: flags.workdir,
        dbUrl: flags['db-url'],
        lockTimeoutSeconds: flags['lock-timeout'],
        signal: controller.signal,
        lowMemory: true,
        onEvent: (event) => {
          if (flags.json) this.log(JSON.stringify(event))
          else if (event.event === 'error') this.logToStderr(renderWatchEvent(event))
          else this.log(renderWatchEvent(event))
        },
      })
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
