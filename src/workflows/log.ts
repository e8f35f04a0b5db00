/** `sbx log`: the rename audit file, read and parsed; torn or foreign lines are reported, not fatal. */
import type {AuditLog} from '../core/migrations/audit.js'
import {readAudit} from '../shell/project/audit-log.js'
import {openProject} from '../shell/project/project.js'

export async function auditLog(options: {workdir?: string}): Promise<AuditLog> {
  return readAudit(openProject({workdir: options.workdir}).workdir)
}
