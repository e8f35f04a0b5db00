/**
 * The layering (README › Architecture) is a Biome rule, not a hope: `npm run lint` fails when a layer imports
 * one it must not. These tests lint probe files against the project's own biome.json in a scratch folder.
 */
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {REPO_ROOT} from '../helpers/cli.js'

const BIOME = path.join(REPO_ROOT, 'node_modules', '.bin', 'biome')

async function lint(file: string, source: string): Promise<{exitCode: number; output: string}> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-lint-'))
  copyFileSync(path.join(REPO_ROOT, 'biome.json'), path.join(dir, 'biome.json'))
  mkdirSync(path.dirname(path.join(dir, file)), {recursive: true})
  writeFileSync(path.join(dir, file), source)
  const result = await execa(BIOME, ['lint', file], {cwd: dir, reject: false})
  return {exitCode: result.exitCode ?? -1, output: `${result.stdout}\n${result.stderr}`}
}

describe('layering lint rule', () => {
  it.each([
    ['src/core/probe.ts', "import {withLock} from '../shell/lock.js'\n\nexport const x = withLock\n"],
    ['src/core/probe.ts', "import fs from 'node:fs/promises'\n\nexport const x = fs\n"],
    ['src/core/probe.ts', "import {check} from '../workflows/check.js'\n\nexport const x = check\n"],
    ['src/shell/probe.ts', "import {check} from '../workflows/check.js'\n\nexport const x = check\n"],
    ['src/render/probe.ts', "import type {X} from '../workflows/push.js'\n\nexport type Y = X\n"],
    ['src/commands/probe.ts', "import {readAudit} from '../shell/audit-log.js'\n\nexport const x = readAudit\n"],
    ['src/commands/topic/probe.ts', "import {withLock} from '../../shell/lock.js'\n\nexport const x = withLock\n"],
    ['src/workflows/probe.ts', "import Check from '../commands/check.js'\n\nexport const x = Check\n"],
    // Bare and node: forms of Node's impure modules, at any depth of a capability folder.
    ['src/core/probe.ts', "import fs from 'fs'\n\nexport const x = fs\n"],
    ['src/core/probe.ts', "import {performance} from 'node:perf_hooks'\n\nexport const x = performance\n"],
    ['src/core/probe.ts', "import {randomUUID} from 'crypto'\n\nexport const x = randomUUID\n"],
    ['src/core/verify/probe.ts', "import {execFile} from 'node:child_process'\n\nexport const x = execFile\n"],
    ['src/core/verify/probe.ts', "import {withLock} from '../../shell/lock.js'\n\nexport const x = withLock\n"],
    ['src/render/probe.ts', "import {readFileSync} from 'node:fs'\n\nexport const x = readFileSync\n"],
    ['src/render/probe.ts', "import pg from 'pg'\n\nexport const x = pg\n"],
    ['src/commands/probe.ts', "import pg from 'pg'\n\nexport const x = pg\n"],
    ['src/commands/probe.ts', "import {execa} from 'execa'\n\nexport const x = execa\n"],
    ['src/commands/topic/probe.ts', "import {PGlite} from '@electric-sql/pglite'\n\nexport const x = PGlite\n"],
    ['src/fast-path.ts', "import {withLock} from './shell/lock.js'\n\nexport const x = withLock\n"],
    ['src/base-command.ts', "import pg from 'pg'\n\nexport const x = pg\n"],
    ['src/shell/verify/probe.ts', "import {verify} from '../../workflows/verify.js'\n\nexport const x = verify\n"],
  ])('%s may not import: %s', async (file, source) => {
    const {exitCode, output} = await lint(file, source)
    expect(exitCode).not.toBe(0)
    expect(output).toMatch(/Layering|core\/ is pure|render\/ turns reports|commands\/ are thin/)
  })

  it.each([
    ['src/core/probe.ts', "import {ExitCode} from './errors.js'\n\nexport const x = ExitCode\n"],
    ['src/shell/probe.ts', "import {ExitCode} from '../core/errors.js'\n\nexport const x = ExitCode\n"],
    ['src/workflows/probe.ts', "import {withLock} from '../shell/lock.js'\n\nexport const x = withLock\n"],
    ['src/commands/probe.ts', "import {check} from '../workflows/check.js'\n\nexport const x = check\n"],
    [
      'src/core/verify/probe.ts',
      "import {splitStatements} from '../sql/statements.js'\n\nexport const x = splitStatements\n",
    ],
    ['src/commands/probe.ts', "import os from 'node:os'\n\nexport const x = os\n"],
    ['src/fast-path.ts', "import {check} from './workflows/check.js'\n\nexport const x = check\n"],
  ])('%s may import: %s', async (file, source) => {
    const {exitCode, output} = await lint(file, source)
    expect(output).not.toContain('Layering')
    expect(exitCode).toBe(0)
  })
})
