import {describe, expect, it} from 'vitest'
import {parsePlainMigrationNew} from '../../src/fast-path.js'
import {runSbx} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

/** oclif wraps long error lines at 80 columns; the words are what must match. */
const words = (text: string) =>
  text
    .replace(/\s*›\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
const normalize = (text: string) =>
  words(text)
    .replace(/\d{14}/g, 'VERSION')
    .replace(/"\/[^"]*\.sql"/g, '"PATH"')
    .replace(/\/\S*sbx-test-\w+/g, 'DIR')

describe('the migration new fast path prints exactly what the oclif command prints', () => {
  it.each([
    {case: 'success', args: ['add users']},
    {case: 'success, --json', args: ['add users', '--json']},
    {case: '--offline without a registry changes nothing', args: ['add users', '--offline', '--json']},
    {case: 'a refused name', args: ['a/b']},
    {case: 'a refused name, --json', args: ['../x', '--json']},
    {case: 'an empty name', args: ['', '--lock-timeout', '5']},
    {case: '--workdir=', args: ['x', '--workdir=.']},
    {case: 'a --workdir that does not exist', args: ['x', '--workdir', '/nonexistent/dir']},
    {case: 'supabase/migrations is a file', args: ['x', '--workdir', 'blocked']},
  ])('$case', async ({args}) => {
    const tree = {'blocked/supabase/migrations': 'a file where the folder should be'}
    const fast = await runSbx(['migration', 'new', ...args], {cwd: tmpProject(tree)})
    const oclif = await runSbx(['migration', 'new', ...args], {cwd: tmpProject(tree), env: {SBX_FAST_PATH: '0'}})
    expect(fast.exitCode).toBe(oclif.exitCode)
    expect([0, 2]).toContain(fast.exitCode)
    expect(normalize(fast.stdout)).toBe(normalize(oclif.stdout))
    expect(normalize(fast.stderr)).toBe(normalize(oclif.stderr))
  })
})

describe('parsePlainMigrationNew hands everything but the plain shapes to oclif', () => {
  it.each([
    [['migration', 'new', 'x', '--help']],
    [['migration', 'new', '-h']],
    [['migration', 'new']],
    [['migration', 'new', 'a', 'b']],
    [['migration', 'new', 'x', '--unknown']],
    [['migration', 'new', 'x', '--lock-timeout', 'soon']],
    [['migration', 'list']],
    [['check']],
  ])('%j', (argv) => {
    expect(parsePlainMigrationNew(argv)).toBeUndefined()
  })

  it('takes a name after -- even when it starts with a dash', () => {
    expect(parsePlainMigrationNew(['migration', 'new', '--', '-x'])).toEqual({
      name: '-x',
      workdir: undefined,
      lockTimeoutSeconds: 30,
      json: false,
      offline: false,
    })
  })
})
