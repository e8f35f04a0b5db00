/**
 * Reservations carry a lease: a `migration new` SIGKILLed between its reservation's commit and its file's
 * link leaves a pending record that check notes and fix releases. The built CLI in real processes, killed by
 * pid at the moment its test hook (SBX_REGISTRY_PAUSE=reserved) says the reservation is committed; both
 * backends (the real PostgreSQL server; a real bare origin's refs/sbx/versions), machines as separate clones.
 */
import {describe, expect, it, onTestFinished} from 'vitest'
import {runSbx, startSbx} from '../helpers/cli.js'
import {skipWithoutServer, throwawayDatabase} from '../helpers/databases.js'
import {bareOrigin, cloneOf, migrationFiles, sbxToml} from '../helpers/registry.js'

interface Paused {
  pid: number
  version: string
  exited: Promise<unknown>
}

/** Starts `migration new name` paused after its reservation; resolves once the hook says so. */
function pausedAfterReserving(cwd: string, name: string): Promise<Paused> {
  const child = startSbx(['migration', 'new', name], {
    cwd,
    env: {SUPABASE_WORKDIR: undefined, SBX_REGISTRY_PAUSE: 'reserved'},
    timeoutMs: 120_000,
  })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const match = /^sbx-registry-paused reserved pid (\d+) version (\d+)$/m.exec(err)
      if (match) resolve({pid: Number(match[1]), version: match[2] as string, exited: child})
    })
    void child.then((r) => reject(new Error(`exited before pausing (${r.exitCode}): ${err}`)))
  })
}

interface Listed {
  version: string
  name: string
  state: string
  by: {pid: number}
  lease?: {expires: string}
}

const backends = [
  {
    name: 'git',
    origin: () => bareOrigin({'supabase/sbx.toml': '[registry]\nurl = "git:origin"\n'}),
    toml: async () => ({}),
  },
  {
    name: 'postgres',
    origin: () => bareOrigin(),
    toml: async () => sbxToml({url: (await throwawayDatabase('postgres')).url}),
  },
]

describe.each(backends)('leases: $name registry', (backend) => {
  it('10 holders killed between reservation and file: check notes each, fix releases each, the one in flight is kept', async (context) => {
    if (backend.name === 'postgres') skipWithoutServer(context)
    const origin = backend.origin()
    const toml = await backend.toml()
    const clones = Array.from({length: 12}, () => cloneOf(origin, toml))
    const [home, live, ...victims] = clones as [string, string, ...string[]]

    const paused = await Promise.all(victims.map((clone, i) => pausedAfterReserving(clone, `killed_${i}`)))
    for (const p of paused) process.kill(p.pid, 'SIGKILL')
    await Promise.all(paused.map((p) => p.exited))
    const inFlight = await pausedAfterReserving(live, 'in_flight')
    const normal = await runSbx(['migration', 'new', 'normal', '--json'], {
      cwd: home,
      env: {SUPABASE_WORKDIR: undefined},
    })
    expect(normal.exitCode).toBe(0)

    const list = async (...flags: string[]): Promise<Listed[]> => {
      const r = await runSbx(['registry', 'list', '--json', ...flags], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})
      expect(r.exitCode).toBe(0)
      return JSON.parse(r.stdout).reservations
    }
    const before = await list()
    expect(before).toHaveLength(12)
    // The file of a call that finished is confirmed: no lease. Every other one is pending.
    expect(before.filter((r) => !r.lease).map((r) => r.name)).toEqual(['normal'])
    const human = await runSbx(['registry', 'list'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})
    expect(human.stdout).toContain(`pending: pid ${inFlight.pid}, `)

    const checked = await runSbx(['check', '--json'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})
    expect(checked.exitCode).toBe(0)
    const leaks = JSON.parse(checked.stdout).findings.filter((f: {kind: string}) => f.kind === 'leaked-reservation')
    expect(leaks.map((f: {reservation: Listed}) => f.reservation.version).sort()).toEqual(
      paused.map((p) => p.version).sort(),
    )
    expect(leaks.every((f: {reason: string}) => f.reason === 'holder-gone')).toBe(true)
    const text = await runSbx(['check'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})
    expect(text.stdout).toContain(`but its holder, pid ${paused[0]?.pid} on `)

    const fixed = await runSbx(['fix', '--json'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}, timeoutMs: 120_000})
    expect(fixed.exitCode).toBe(0)
    expect(
      JSON.parse(fixed.stdout)
        .reclaimed.map((r: Listed) => r.version)
        .sort(),
    ).toEqual(paused.map((p) => p.version).sort())
    const after = await runSbx(['check', '--json'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})
    expect(JSON.parse(after.stdout).findings).toEqual([])
    expect((await list()).map((r) => r.name).sort()).toEqual(['in_flight', 'normal'])
    const all = await list('--all')
    expect(
      all
        .filter((r) => r.state === 'released')
        .map((r) => r.version)
        .sort(),
    ).toEqual(paused.map((p) => p.version).sort())

    // The one in flight, killed too: the next fix releases it, and nothing pending is left without a file.
    process.kill(inFlight.pid, 'SIGKILL')
    await inFlight.exited
    expect((await runSbx(['fix'], {cwd: home, env: {SUPABASE_WORKDIR: undefined}})).exitCode).toBe(0)
    expect((await list()).map((r) => r.name)).toEqual(['normal'])
    expect(clones.flatMap(migrationFiles).map((f) => f.replace(/^\d+_/, ''))).toEqual(['normal.sql'])
  }, 300_000)
})

describe('a registry table from before leases', () => {
  it('is upgraded by its owner on first use; a least-privilege role is told it was refused (never "unreachable") and what to run', async (context) => {
    skipWithoutServer(context)
    const db = await throwawayDatabase('postgres')
    const oldTable = `create schema sbx;
      create table sbx.reservations (project text not null, version text not null, name text not null,
        state text not null default 'reserved', by_user text not null, by_host text not null, by_pid integer not null,
        branch text, clone text not null, reserved_at timestamptz not null default now(),
        updated_at timestamptz not null default now(), primary key (project, version))`
    await db.query(oldTable)
    const role = `sbx_agent_${Math.random().toString(36).slice(2, 10)}`
    await db.query(`create role ${role} login`)
    onTestFinished(async () => {
      await db.query(`drop owned by ${role}`)
      await db.query(`drop role ${role}`)
    })
    await db.query(`grant usage on schema sbx to ${role}; grant select, insert, update on sbx.reservations to ${role}`)
    const asRole = new URL(db.url)
    asRole.username = role
    asRole.password = ''
    const limited = cloneOf(bareOrigin(), sbxToml({url: asRole.toString(), project: 'shop'}))
    const refused = await runSbx(['migration', 'new', 'x', '--json'], {
      cwd: limited,
      env: {SUPABASE_WORKDIR: undefined},
    })
    expect(refused.exitCode).toBe(5)
    const {message} = JSON.parse(refused.stdout).error
    expect(message).toContain('refused the request')
    expect(message).toContain(
      'SQLSTATE 42501; a table from before leases needs sbx registry init run once as its owner',
    )
    expect(message).not.toContain('unreachable')
    expect(migrationFiles(limited)).toEqual([])

    const owner = cloneOf(bareOrigin(), sbxToml({url: db.url, project: 'shop'}))
    const made = await runSbx(['migration', 'new', 'y', '--json'], {cwd: owner, env: {SUPABASE_WORKDIR: undefined}})
    expect(made.exitCode).toBe(0)
    expect(await db.query('select name, lease_expires from sbx.reservations')).toEqual([
      {name: 'y', lease_expires: null},
    ])
    const after = await runSbx(['migration', 'new', 'x'], {cwd: limited, env: {SUPABASE_WORKDIR: undefined}})
    expect(after.exitCode).toBe(0)
  }, 120_000)
})
