/**
 * Making a replay database of a newer major look like the project's older one where data can: the pg_catalog
 * functions and aggregates the older major lacks are deleted from the baseline's catalog (allow_system_table_mods),
 * so calling one fails with 42883 at its statement, as on the project's server. The list is generated against the
 * real PostgreSQL 15 server by scripts/pg15-catalog-gap.mjs. Pure.
 */
import {PG15_MISSING_FUNCTIONS} from './pg15-catalog-gap.js'

const MISSING: Readonly<Record<number, readonly string[]>> = {15: PG15_MISSING_FUNCTIONS}

/** The SQL run once on the baseline of a line replaying a project on `major` (empty when sbx has no data for it). */
export function emulationSql(major: number): string {
  const signatures = MISSING[major] ?? []
  if (signatures.length === 0) return ''
  const list = signatures.map((signature) => `'${signature.replaceAll("'", "''")}'`).join(', ')
  const matching = `select oid from pg_proc where pronamespace = 'pg_catalog'::regnamespace and proname || '(' || oidvectortypes(proargtypes) || ')' = any(array[${list}])`
  return [
    'set allow_system_table_mods = on;',
    `delete from pg_aggregate where aggfnoid in (${matching});`,
    `delete from pg_description where classoid = 'pg_proc'::regclass and objoid in (${matching});`,
    `delete from pg_proc where oid in (${matching});`,
    'reset allow_system_table_mods;',
  ].join('\n')
}

/** Whether a project on `major` replayed on a newer line has its missing functions removed. */
export function emulatedMajors(): number[] {
  return Object.keys(MISSING).map(Number)
}
