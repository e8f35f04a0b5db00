/**
 * Adding sbx's pre-commit check to whatever hook setup a repository already has, as text edits that
 * keep everything else and do nothing the second time. Pure: the workflow reads and writes the files.
 */
export const HOOK_MARKER = '# sbx: check staged migrations'

export function hookCommand(relWorkdir: string): string {
  const workdir = relWorkdir ? ` --workdir "${relWorkdir}"` : ''
  return `sbx check --staged${workdir}`
}

/** A shell hook file (plain git hook or husky): our lines appended, the file created if missing. */
export function addToShellHook(existing: string | undefined, command: string): string | undefined {
  if (existing?.includes(HOOK_MARKER)) return undefined
  const block = `${HOOK_MARKER}\nif command -v sbx >/dev/null 2>&1; then ${command}; else npx --no-install ${command}; fi || exit $?\n`
  if (existing === undefined || existing.trim() === '') return `#!/bin/sh\n${block}`
  return `${existing.endsWith('\n') ? existing : `${existing}\n`}\n${block}`
}

/** lefthook.yml: a `sbx-check` command under pre-commit, beside the ones already there. */
export function addToLefthook(existing: string, command: string): string | undefined {
  if (existing.includes('sbx-check:')) return undefined
  const entry = (indent: string) => `${indent}sbx-check:\n${indent}  run: npx --no-install ${command}\n`
  const lines = existing.split('\n')
  const preCommit = lines.findIndex((line) => /^pre-commit:\s*$/.test(line))
  if (preCommit === -1) {
    return `${existing.endsWith('\n') || existing === '' ? existing : `${existing}\n`}pre-commit:\n  commands:\n${entry('    ')}`
  }
  let end = lines.length
  for (let i = preCommit + 1; i < lines.length; i++) {
    if (/^\S/.test(lines[i] as string)) {
      end = i
      break
    }
  }
  const commands = lines.slice(preCommit + 1, end).findIndex((line) => /^\s+commands:\s*$/.test(line))
  if (commands === -1) {
    lines.splice(preCommit + 1, 0, `  commands:\n${entry('    ')}`.replace(/\n$/, ''))
    return lines.join('\n')
  }
  const at = preCommit + 1 + commands
  const indent = `${/^(\s*)/.exec(lines[at] as string)?.[1] ?? '  '}  `
  lines.splice(at + 1, 0, entry(indent).replace(/\n$/, ''))
  return lines.join('\n')
}

/** .gitattributes: union merge for the audit file, so two branches' lines both survive. */
export function addUnionMerge(existing: string | undefined, auditPath: string): string | undefined {
  const line = `${auditPath} merge=union`
  if (existing?.split('\n').some((l) => l.trim() === line)) return undefined
  const base = existing ?? ''
  return `${base === '' || base.endsWith('\n') ? base : `${base}\n`}${line}\n`
}
