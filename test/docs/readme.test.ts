/**
 * The README is read on GitHub and copied from: every code fence closes (an unclosed ```toml swallowed the
 * `sbx plan` section once), and the workflows it offers use action majors GitHub still runs (v4 of checkout and
 * setup-node run on Node 20, which GitHub's runners no longer provide; v5 runs on Node 24).
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO_ROOT} from '../helpers/cli.js'

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
const NODE24_MAJOR: Record<string, number> = {'actions/checkout': 5, 'actions/setup-node': 5}

describe('README', () => {
  it('closes every code fence before the next heading', () => {
    let open: number | undefined
    README.split('\n').forEach((line, index) => {
      if (line.startsWith('```')) open = open === undefined ? index + 1 : undefined
      else if (open !== undefined && /^#{2,6} /u.test(line)) expect.fail(`fence opened at line ${open} holds a heading`)
    })
    expect(open, `fence opened at line ${open} never closes`).toBeUndefined()
  })

  it('uses GitHub action majors that run on Node 24', () => {
    const uses = [...README.matchAll(/uses: ([\w-]+\/[\w-]+)@v(\d+)/gu)]
    expect(uses.length).toBeGreaterThan(0)
    for (const [, action, major] of uses) {
      const least = NODE24_MAJOR[action as string]
      expect(least, `${action} has no known Node 24 major`).toBeDefined()
      expect(Number(major), action).toBeGreaterThanOrEqual(least as number)
    }
  })
})
