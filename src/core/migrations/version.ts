/**
 * Migration versions. sbx writes only 14-digit UTC timestamps `YYYYMMDDHHMMSS`; supabase itself accepts any
 * run of digits and orders versions as strings, so every comparison here is a string comparison.
 * Calendar arithmetic is done by hand on the six fields: Date would map years below 100 to 19xx.
 */
import {UsageError} from '../errors.js'

export const VERSION_LENGTH = 14
const MAX_VERSION = '99991231235959'

type Fields = [year: number, month: number, day: number, hour: number, minute: number, second: number]

export function isTimestampVersion(version: string): boolean {
  return /^\d{14}$/.test(version) && isValidFields(toFields(version))
}

export function formatVersion(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  )
}

export function maxVersion(versions: Iterable<string>): string | undefined {
  let max: string | undefined
  for (const v of versions) if (max === undefined || v > max) max = v
  return max
}

/** The smallest valid timestamp version that sorts strictly after `version` (any digit string). */
export function nextVersionAfter(version: string): string {
  if (version >= MAX_VERSION) throw new RangeError(`no timestamp version sorts after ${version}`)
  if (version.length < VERSION_LENGTH) return ceilToValid(version.padEnd(VERSION_LENGTH, '0'))
  if (version.length > VERSION_LENGTH) return ceilToValid(incrementDigits(version.slice(0, VERSION_LENGTH)))
  const fields = toFields(version)
  return isValidFields(fields) ? fromFields(addOneSecond(fields)) : ceilToValid(version)
}

/** The first version after `after` (exclusive) that `isTaken` does not claim. */
export function firstFreeVersionAfter(after: string, isTaken: (version: string) => boolean): string {
  let candidate = nextVersionAfter(after)
  while (isTaken(candidate)) candidate = nextVersionAfter(candidate)
  return candidate
}

function toFields(version: string): Fields {
  return [
    Number(version.slice(0, 4)),
    Number(version.slice(4, 6)),
    Number(version.slice(6, 8)),
    Number(version.slice(8, 10)),
    Number(version.slice(10, 12)),
    Number(version.slice(12, 14)),
  ]
}

function fromFields([year, month, day, hour, minute, second]: Fields): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return pad(year, 4) + pad(month) + pad(day) + pad(hour) + pad(minute) + pad(second)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

function isValidFields([year, month, day, hour, minute, second]: Fields): boolean {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    year >= 0
  )
}

function addOneSecond([year, month, day, hour, minute, second]: Fields): Fields {
  if (second < 59) return [year, month, day, hour, minute, second + 1]
  if (minute < 59) return [year, month, day, hour, minute + 1, 0]
  if (hour < 23) return [year, month, day, hour + 1, 0, 0]
  if (day < daysInMonth(year, month)) return [year, month, day + 1, 0, 0, 0]
  if (month < 12) return [year, month + 1, 1, 0, 0, 0]
  if (year < 9999) return [year + 1, 1, 1, 0, 0, 0]
  throw new RangeError('no timestamp version after 99991231235959')
}

/** Smallest valid timestamp that sorts at or after a 14-digit string. */
function ceilToValid(version: string): string {
  const [year, month, day, hour, minute, second] = toFields(version)
  if (month === 0) return fromFields([year, 1, 1, 0, 0, 0])
  if (month > 12) return nextYear(year)
  if (day === 0) return fromFields([year, month, 1, 0, 0, 0])
  if (day > daysInMonth(year, month))
    return fromFields(addOneSecond([year, month, daysInMonth(year, month), 23, 59, 59]))
  if (hour > 23) return fromFields(addOneSecond([year, month, day, 23, 59, 59]))
  if (minute > 59) return fromFields(addOneSecond([year, month, day, hour, 59, 59]))
  if (second > 59) return fromFields(addOneSecond([year, month, day, hour, minute, 59]))
  return version
}

function nextYear(year: number): string {
  if (year >= 9999) throw new RangeError('no timestamp version after 99991231235959')
  return fromFields([year + 1, 1, 1, 0, 0, 0])
}

/** Adds one to a string of digits, keeping its width (callers never pass all nines: MAX_VERSION guards it). */
function incrementDigits(digits: string): string {
  return (BigInt(digits) + 1n).toString().padStart(digits.length, '0')
}

/** The later of the current UTC second and one second past the highest version known. */
export function allocateVersion(known: Iterable<string>, now: Date): string {
  const current = formatVersion(now)
  const highest = maxVersion(known)
  if (highest === undefined) return current
  let next: string
  try {
    next = nextVersionAfter(highest)
  } catch {
    throw new UsageError(
      `Version ${highest} is the highest possible timestamp; no version can follow it. Rename that migration.`,
      'ENOROOM',
    )
  }
  return next > current ? next : current
}
