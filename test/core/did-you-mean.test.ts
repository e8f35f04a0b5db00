import {describe, expect, it} from 'vitest'
import {closestCommand, parseSupabaseCommands} from '../../src/core/output/did-you-mean.js'

const SBX = ['check', 'fix', 'hooks', 'log', 'migration', 'push', 'rebase', 'verify', 'watch']

describe('closestCommand', () => {
  it.each([
    ['verfy', 'verify'],
    ['lgo', 'log'],
    ['chekc', 'check'],
    ['pussh', 'push'],
    ['wacth', 'watch'],
    ['migratoin', 'migration'],
  ])('%s → %s', (typo, expected) => {
    expect(closestCommand(typo, SBX)).toBe(expected)
  })

  it.each(['link', 'init', 'db', 'start', 'gen', 'functions', 'x'])('%s is no typo of an sbx command', (name) => {
    expect(closestCommand(name, SBX)).toBeUndefined()
  })
})

describe('parseSupabaseCommands', () => {
  it('reads v3 SUBCOMMANDS, including aliases', () => {
    const help = `USAGE\n  supabase <subcommand> [flags]\n\nSUBCOMMANDS\n  db                  Manage databases\n  login               Authenticate\n  migration, migrations Manage database migration scripts\n  network-bans        Manage network bans\n`
    expect([...parseSupabaseCommands(help)]).toEqual(['db', 'login', 'migration', 'migrations', 'network-bans'])
  })

  it('reads v2 groups', () => {
    const help = `Quick Start:\n  bootstrap            Bootstrap a Supabase project\n\nLocal Development:\n  db                   Manage Postgres databases\n  init                 Initialize a local project\n`
    expect([...parseSupabaseCommands(help)]).toEqual(['bootstrap', 'db', 'init'])
  })
})
