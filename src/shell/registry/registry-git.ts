/**
 * The registry in a ref on a git remote (default refs/sbx/versions): needs nothing but push access.
 * The ref points to a commit whose tree holds one JSON record per version, `<project>/<version>.json`
 * (the project key URI-encoded into one path segment). Every change is: fetch the ref, decide, write a
 * commit on top, push it as a fast-forward (never forced). The remote's atomic ref update is the
 * compare-and-swap: a rejected push means someone else got there first, so refetch and decide again, with
 * jittered back-off, until the timeout (registry-git-store.ts).
 */
import {
  decideBatch,
  type Holder,
  type Registry,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
  reserveOutcomes,
} from '../../core/registry/registry.js'
import {GitRefStore, type GitRegistryOptions, GitRunner} from './registry-git-store.js'

export {fastImportStream, type GitRegistryOptions} from './registry-git-store.js'

export function openGitRegistry(options: GitRegistryOptions): Registry {
  return new GitRegistry(options)
}

class GitRegistry implements Registry {
  readonly backend = 'git' as const
  readonly label: string
  private readonly store: GitRefStore
  private readonly now: () => Date

  constructor(private readonly options: GitRegistryOptions) {
    this.label = `git:${options.remote} ${options.ref}`
    this.store = new GitRefStore(options, new GitRunner(options, this.label))
    this.now = options.now ?? (() => new Date())
  }

  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    return (await this.reserveAll([request], []))[0] as ReserveOutcome
  }

  async reserveAll(requests: readonly ReserveRequest[], confirm: readonly string[]): Promise<ReserveOutcome[]> {
    const {store, options} = this
    const {value, attempts} = await store.update(async (tip, deadline) => {
      const versions = await store.versionsAt(tip, deadline)
      const present = new Set(versions)
      const wanted = [...new Set([...requests.map((r) => r.version), ...confirm])].filter((v) => present.has(v))
      const records = new Map((await store.readRecords(tip, deadline, wanted)).map((r) => [r.version, r]))
      const max = versions.reduce<string | undefined>((m, v) => (m === undefined || v > m ? v : m), undefined)
      const batch = decideBatch(requests, confirm, records, max, this.now())
      const reserved = batch.outcomes.filter((o) => o.outcome === 'reserved').map((o) => o.reservation.version)
      const written = confirm.length ? `; written ${confirm.join(', ')}` : ''
      return {
        records: batch.writes,
        message: `reserve ${reserved.join(', ')}${written} (${options.project})`,
        value: batch.outcomes,
      }
    })
    return reserveOutcomes(value, attempts)
  }

  async list(): Promise<Reservation[]> {
    const deadline = Date.now() + this.options.timeoutSeconds * 1000
    const local = this.store.fetchRef()
    try {
      return await this.store.readRecords(await this.store.fetchTip(local, deadline), deadline)
    } finally {
      await this.store.dropRef(local)
    }
  }

  async markApplied(migrations: ReadonlyArray<{version: string; name: string}>, by: Holder): Promise<void> {
    if (migrations.length === 0) return
    await this.store.update(async (tip, deadline) => {
      const existing = new Map((await this.store.readRecords(tip, deadline)).map((r) => [r.version, r]))
      const at = this.now().toISOString()
      const records = migrations.flatMap((m): Reservation[] => {
        const record = existing.get(m.version)
        if (record?.state === 'applied') return []
        if (!record) return [{version: m.version, name: m.name, state: 'applied', by, at}]
        const {lease: _, ...rest} = record
        return [{...rest, state: 'applied'}]
      })
      return {
        records,
        message: `applied ${migrations.map((m) => m.version).join(', ')} (${this.options.project})`,
        value: undefined,
      }
    })
  }

  async release(version: string): Promise<Reservation | undefined> {
    const {value} = await this.store.update(async (tip, deadline) => {
      const versions = await this.store.versionsAt(tip, deadline)
      const [record] = versions.includes(version) ? await this.store.readRecords(tip, deadline, [version]) : []
      const {lease: _, ...rest} = record ?? ({} as Reservation)
      const released = record ? {...rest, state: 'released' as const} : undefined
      const records = released && record?.state !== 'released' ? [released] : []
      return {records, message: `release ${version} (${this.options.project})`, value: released}
    })
    return value
  }
}
