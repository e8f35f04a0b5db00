import {BaseCommand} from '../base-command.js'
import {EXIT_CODES_HELP} from '../core/errors.js'
import {AUDIT_FILE, type AuditLog} from '../core/migrations/audit.js'
import {renderAuditLog} from '../render/audit.js'
import {auditLog} from '../workflows/log.js'

export default class Log extends BaseCommand {
  static override description =
    `Shows every rename sbx made, oldest first, from supabase/${AUDIT_FILE}: when, from, to, why, which file kept the version, and who (user, host, pid, command). A torn last line (a crash mid-write) or any unreadable line is reported, not fatal.

${EXIT_CODES_HELP}`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Show the rename history.'},
    {
      command: '<%= config.bin %> <%= command.id %> --json | jq ".entries[-1]"',
      description: 'The last rename as JSON.',
    },
  ]

  static override summary = 'Show the rename audit log.'

  async run(): Promise<AuditLog> {
    const {flags} = await this.parse(Log)
    const log = await auditLog({workdir: flags.workdir})
    this.log(renderAuditLog(log))
    return log
  }
}
