/** `sbx hooks install`: the pre-commit check and the audit file's merge rule, added beside what exists. */
import {existsSync} from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import {UsageError} from '../core/errors.js'
import {addToLefthook, addToShellHook, addUnionMerge, hookCommand} from '../core/git-hooks/hook-config.js'
import {AUDIT_FILE} from '../core/migrations/audit.js'
import {hooksDir} from '../shell/project/git.js'
import {openWorkspace} from '../shell/project/workspace.js'

export interface HooksReport {
  /** Files changed, relative to the repository top; empty when everything was already in place. */
  changed: string[]
  /** Which setup received the pre-commit check. */
  via: 'husky' | 'lefthook' | 'git'
}

export async function installHooks(options: {workdir?: string}): Promise<HooksReport> {
  const workspace = await openWorkspace({workdir: options.workdir})
  if (!workspace.git)
    throw new UsageError(`${workspace.workdir} is not in a git repository: run git init first.`, 'ENOGIT')
  const {toplevel, relWorkdir} = workspace.git
  const command = hookCommand(relWorkdir)
  const changed: string[] = []
  const update = async (file: string, edit: (existing: string | undefined) => string | undefined, mode?: number) => {
    const existing = await fs.readFile(file, 'utf8').catch(() => undefined)
    const next = edit(existing)
    if (next === undefined) return
    await fs.mkdir(path.dirname(file), {recursive: true})
    await fs.writeFile(file, next, mode ? {mode} : {})
    if (mode) await fs.chmod(file, mode)
    changed.push(path.relative(toplevel, file))
  }

  let via: HooksReport['via'] = 'git'
  const lefthook = ['lefthook.yml', 'lefthook.yaml', '.lefthook.yml']
    .map((f) => path.join(toplevel, f))
    .find(existsSync)
  if (existsSync(path.join(toplevel, '.husky'))) {
    via = 'husky'
    await update(path.join(toplevel, '.husky', 'pre-commit'), (text) => addToShellHook(text, command), 0o755)
  } else if (lefthook) {
    via = 'lefthook'
    await update(lefthook, (text) => addToLefthook(text ?? '', command))
  } else {
    await update(path.join(await hooksDir(toplevel), 'pre-commit'), (text) => addToShellHook(text, command), 0o755)
  }
  const auditPath = [relWorkdir, 'supabase', AUDIT_FILE].filter(Boolean).join('/')
  await update(path.join(toplevel, '.gitattributes'), (text) => addUnionMerge(text, auditPath))
  return {changed, via}
}
