import {describe, expect, it} from 'vitest'
import {
  addToLefthook,
  addToShellHook,
  addUnionMerge,
  HOOK_MARKER,
  hookCommand,
} from '../../src/core/git-hooks/hook-config.js'

const command = hookCommand('')

describe('addToShellHook', () => {
  it('creates a hook with a shebang when there is none', () => {
    const hook = addToShellHook(undefined, command) as string
    expect(hook.startsWith('#!/bin/sh\n')).toBe(true)
    expect(hook).toContain('sbx check --staged')
  })

  it('keeps an existing hook and appends after it, once', () => {
    const existing = '#!/bin/sh\nnpm run lint\n'
    const hook = addToShellHook(existing, command) as string
    expect(hook.startsWith(existing)).toBe(true)
    expect(hook).toContain(HOOK_MARKER)
    expect(addToShellHook(hook, command)).toBeUndefined()
  })

  it('passes the workdir when the project is below the repository top', () => {
    expect(hookCommand('apps/db')).toBe('sbx check --staged --workdir "apps/db"')
  })
})

describe('addToLefthook', () => {
  it('adds a pre-commit section when there is none', () => {
    expect(addToLefthook('pre-push:\n  commands:\n    test:\n      run: npm test\n', command)).toBe(
      'pre-push:\n  commands:\n    test:\n      run: npm test\npre-commit:\n  commands:\n    sbx-check:\n      run: npx --no-install sbx check --staged\n',
    )
  })

  it('adds beside existing pre-commit commands', () => {
    const yml = 'pre-commit:\n  parallel: true\n  commands:\n    lint:\n      run: npm run lint\n'
    expect(addToLefthook(yml, command)).toBe(
      'pre-commit:\n  parallel: true\n  commands:\n    sbx-check:\n      run: npx --no-install sbx check --staged\n    lint:\n      run: npm run lint\n',
    )
    expect(addToLefthook(addToLefthook(yml, command) as string, command)).toBeUndefined()
  })
})

describe('addUnionMerge', () => {
  it('adds the rule once and keeps other lines', () => {
    const out = addUnionMerge('*.png binary', 'supabase/sbx-renames.jsonl') as string
    expect(out).toBe('*.png binary\nsupabase/sbx-renames.jsonl merge=union\n')
    expect(addUnionMerge(out, 'supabase/sbx-renames.jsonl')).toBeUndefined()
  })
})
