/** The registry's words for people: the queue, warnings, the setup for `registry init`. Pure. */
import type {RegistryCondition} from '../core/errors.js'
import {age, describeHolder, type Reservation} from '../core/registry/registry.js'

/** `is unreachable`, `is busy`, `refused the request`: how a line names what a registry did. */
export function registryCondition(condition: RegistryCondition): string {
  return condition === 'refused' ? 'refused the request' : `is ${condition}`
}

/** The warning `migration new --offline` prints on stderr, or undefined when the file is reserved. */
export function renderUnreserved(result: {
  version: string
  name: string
  registry?: {reserved: boolean; registry: string}
}): string | undefined {
  if (!result.registry || result.registry.reserved) return undefined
  return `sbx: warning: ${result.version}_${result.name}.sql is not reserved in the registry ${result.registry.registry} (--offline); another clone may take ${result.version}. Run sbx fix once the registry is reachable: it reserves the file, or renumbers it if the version is taken.`
}

export interface RegistryListView {
  registry: string
  project: string
  all: boolean
  reservations: Reservation[]
}

export function renderRegistryList(view: RegistryListView, now: Date): string {
  if (view.reservations.length === 0) {
    return `No ${view.all ? '' : 'pending '}reservations for ${view.project} in ${view.registry}.`
  }
  const rows = view.reservations.map((r) => [
    r.version,
    r.name,
    r.state,
    `${r.by.user}@${r.by.host}`,
    r.by.branch ?? '',
    age(r.at, now),
    leaseCell(r, now),
  ])
  const header = ['VERSION', 'NAME', 'STATE', 'BY', 'BRANCH', 'AGE', 'LEASE']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** `pending: pid 4121, 9 min left` while the file is not confirmed written; empty once it is. */
function leaseCell(r: Reservation, now: Date): string {
  if (!r.lease || r.state !== 'reserved') return ''
  const left = Date.parse(r.lease.expires) - now.getTime()
  const when = left > 0 ? `${age(new Date(now.getTime() - left).toISOString(), now)} left` : 'expired'
  return `pending: pid ${r.by.pid}, ${when}`
}

/** The push warning: reservations of other clones that will land out of order. */
export function renderOvertaken(reservations: readonly Reservation[], newest: string): string[] {
  if (reservations.length === 0) return []
  return [
    `warning: ${reservations.length} reservation${reservations.length === 1 ? '' : 's'} of other clones sort${reservations.length === 1 ? 's' : ''} before ${newest}, the newest version in this push; when they land they will be out of order (supabase db push needs --include-all). Tell their authors to run sbx rebase or sbx fix now:`,
    ...reservations.map((r) => `  ${describeHolder(r)}`),
  ]
}

export function renderInit(view: {registry: string; backend: 'postgres' | 'git'; grants?: string}): string {
  if (view.backend === 'git') {
    return `Registry ${view.registry} is ready: it needs nothing but push access to the remote. The ref is created by the first reservation.`
  }
  return `Created schema sbx and table sbx.reservations in ${view.registry} (if missing).
A least-privilege role for sbx needs only:

${view.grants ?? ''}`
}
