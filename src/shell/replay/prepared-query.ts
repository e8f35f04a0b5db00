/**
 * The catalog queries run after every migration of a replay, prepared once per database session and run with
 * their generic plan. Measured on the embedded database: planning the scoped catalog read took about 8 ms of
 * its 10 ms; its generic plan, made once, runs in about 2 ms. With array parameters PostgreSQL never trusts the
 * generic plan by itself (it plans every run again), so the inspection after each file sets plan_cache_mode
 * first; the replay's RESET ALL before the next file undoes it, so no migration runs under it. Arguments are
 * arrays of object ids, written as literals (EXECUTE takes no bind parameters), so nothing else can be passed.
 */
import type {ReplayDatabase} from './migration-replay.js'

export interface PreparedQuery<T> {
  run(args: readonly (readonly number[])[]): Promise<T[]>
}

export interface PreparedSession {
  /** A statement prepared on first use. `types`: the SQL type of each array parameter, e.g. 'oid[]'. */
  query<T>(name: string, sql: string, types: readonly string[]): PreparedQuery<T>
  /**
   * Prepares `sql` as `name` for a caller that binds it itself (a pipeline's probe). `recheck`: after a migration
   * that may have run DEALLOCATE or DISCARD, prepare again if it is gone.
   */
  statement(name: string, sql: string, types: readonly string[], recheck?: boolean): Promise<void>
  /** Before the queries of one inspection: until the next RESET ALL, prepared statements run generic plans. */
  genericPlans(): Promise<void>
  /** Deallocates what was prepared and restores plan_cache_mode; a session never used does nothing. */
  close(): Promise<void>
}

const UNDEFINED_STATEMENT = '26000'

export function preparedSession(db: ReplayDatabase): PreparedSession {
  const prepared = new Set<string>()
  let generic = false
  const prepareAs = async (name: string, sql: string, types: readonly string[]) => {
    await db.exec(`prepare ${name}${types.length > 0 ? `(${types.join(', ')})` : ''} as ${sql}`)
    prepared.add(name)
  }
  return {
    async statement(name, sql, types, recheck) {
      if (prepared.has(name) && !recheck) return
      if (prepared.has(name)) {
        const live = await db.query<{name: string}>(
          `select name from pg_catalog.pg_prepared_statements where name = '${name.replaceAll("'", "''")}'`,
        )
        if (live.rows.length > 0) return
      }
      await prepareAs(name, sql, types)
    },
    query<T>(name: string, sql: string, types: readonly string[]): PreparedQuery<T> {
      const prepare = () => prepareAs(name, sql, types)
      return {
        async run(args) {
          if (args.length !== types.length) throw new Error(`${name} takes ${types.length} arguments`)
          const literals = args.map(
            (ids, index) => `'{${ids.map((id) => Math.trunc(Number(id))).join(',')}}'::${types[index]}`,
          )
          const execute = literals.length > 0 ? `execute ${name}(${literals.join(', ')})` : `execute ${name}`
          if (!prepared.has(name)) await prepare()
          try {
            return (await db.query<T>(execute)).rows
          } catch (error) {
            // A migration ran DEALLOCATE ALL or DISCARD ALL. Between files nothing runs in a transaction, so the
            // failed EXECUTE changed nothing: prepare again, once.
            if ((error as {code?: string}).code !== UNDEFINED_STATEMENT) throw error
            await prepare()
            return (await db.query<T>(execute)).rows
          }
        },
      }
    },
    async genericPlans() {
      generic = true
      await db.exec('set plan_cache_mode = force_generic_plan')
    },
    async close() {
      // Nothing to undo (and no round trip) for a session that was never used.
      if (prepared.size > 0) {
        const live = await db.query<{name: string}>('select name from pg_prepared_statements')
        for (const {name} of live.rows) if (prepared.has(name)) await db.exec(`deallocate ${name}`)
        prepared.clear()
      }
      if (generic) await db.exec('reset plan_cache_mode')
      generic = false
    },
  }
}
