/**
 * Which supabase sbx runs, and its version, without starting it where npm's package.json says it: the npm shim
 * (node_modules/.bin/supabase) and the platform package's binary it starts. The copies below hold the real
 * package.json next to an executable that fails when run, so a version read by running it fails the test.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openSupabase} from '../../src/shell/supabase/supabase.js'
import {tmpProject} from '../helpers/project.js'

const PLATFORM = path.resolve('node_modules/@supabase/cli-linux-x64')

function failingCopy(): string {
  const dir = tmpProject({})
  const pkg = path.join(dir, 'node_modules', '@supabase', 'cli-linux-x64')
  fs.mkdirSync(path.join(pkg, 'bin'), {recursive: true})
  fs.copyFileSync(path.join(PLATFORM, 'package.json'), path.join(pkg, 'package.json'))
  fs.writeFileSync(path.join(pkg, 'bin', 'supabase'), '#!/bin/sh\necho "started" >&2\nexit 1\n', {mode: 0o755})
  return path.join(pkg, 'bin', 'supabase')
}

describe('openSupabase', () => {
  it('reads the version of a platform package binary from its package.json, without starting it', async () => {
    const bin = failingCopy()
    const version = JSON.parse(fs.readFileSync(path.join(PLATFORM, 'package.json'), 'utf8')).version as string
    const previous = process.env.SBX_SUPABASE_BIN
    process.env.SBX_SUPABASE_BIN = bin
    try {
      expect(await openSupabase(path.dirname(bin))).toEqual({
        bin,
        major: Number(version.split('.')[0]),
        version,
      })
    } finally {
      if (previous === undefined) delete process.env.SBX_SUPABASE_BIN
      else process.env.SBX_SUPABASE_BIN = previous
    }
  })

  it('asks a binary outside any npm package for its version, and names the failure', async () => {
    const dir = tmpProject({})
    const bin = path.join(dir, 'supabase-standalone')
    fs.writeFileSync(bin, '#!/bin/sh\necho "no version here" >&2\nexit 1\n', {mode: 0o755})
    const previous = process.env.SBX_SUPABASE_BIN
    process.env.SBX_SUPABASE_BIN = bin
    try {
      await expect(openSupabase(dir)).rejects.toThrow(`${bin} --version failed: no version here`)
    } finally {
      if (previous === undefined) delete process.env.SBX_SUPABASE_BIN
      else process.env.SBX_SUPABASE_BIN = previous
    }
  })
})
