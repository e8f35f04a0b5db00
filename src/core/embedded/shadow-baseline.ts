/**
 * The Supabase baseline for a throwaway database on a real PostgreSQL server (`sbx verify --shadow-url`): the
 * same SQL the embedded database starts from, made to run there. Roles are cluster-wide (another run may have
 * created them), the server has no control files for sbx's stand-ins that the baseline creates (vault,
 * pg_graphql), so their scripts run as plain SQL, and `extensions` goes on the database's search_path (PGlite
 * gets it as a start parameter). Pure text.
 */
import {baselineSql, SUPABASE_SEARCH_PATH, standInAsPlainSql} from './supabase-baseline.js'

export const SHADOW_PREFIX = 'sbx_shadow_'

export function shadowBaselineSql(database: string, apiSchemas: readonly string[]): string {
  const quoted = `"${database.replaceAll('"', '""')}"`
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`
  return [
    baselineSql({
      // Roles are cluster-wide: another database of the server (or another run) may have them already.
      role: ({name, options}) =>
        `do $$ begin if not exists (select from pg_roles where rolname = '${name}') then create role ${name} ${options}; end if; end $$;`,
      standIn: standInAsPlainSql,
    }),
    `alter database ${quoted} set search_path = ${SUPABASE_SEARCH_PATH};`,
    // PostgREST's exposed schemas: what the advisors call "exposed".
    `alter database ${quoted} set pgrst.db_schemas = ${literal(apiSchemas.join(', '))};`,
  ].join('\n')
}
