/**
 * Throwaway databases for tests: always PGlite served over the Postgres wire protocol, and a real
 * PostgreSQL database (created and dropped per test) when SBX_TEST_DATABASE_URL is set.
 */
import {randomBytes} from 'node:crypto'
import pg from 'pg'
import {beforeEach, onTestFinished, type TestContext} from 'vitest'
import {freshDatabaseFromBaseline, serveDatabase} from '../../src/shell/embedded/embedded-db.js'
import {idempotentBaseline} from './baseline.js'

export type DatabaseKind = 'pglite' | 'postgres'

/** Both kinds always: a PostgreSQL case without a server is skipped with its reason (listed at the end of the run), never dropped unseen. */
export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres']

export const POSTGRES_URL = process.env.SBX_TEST_DATABASE_URL
export const NO_POSTGRES = 'needs the real PostgreSQL server: set SBX_TEST_DATABASE_URL (.ci/run always does)'

/** Skips the test, saying why, when `kind` is PostgreSQL and no server was given. */
export function skipWithoutServer(context: TestContext, kind: DatabaseKind = 'postgres'): void {
  if (kind === 'postgres' && !POSTGRES_URL) context.skip(NO_POSTGRES)
}

/** The same for every test of the enclosing describe block. */
export function needsServer(kind: DatabaseKind = 'postgres'): void {
  beforeEach((context) => skipWithoutServer(context, kind))
}

export interface TestDatabase {
  url: string
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>
}

/**
 * PGlite copies the cached Supabase baseline (roles, auth, storage, extensions); a PostgreSQL database
 * starts empty and gets the same baseline only when `baseline` is asked for.
 */
export async function throwawayDatabase(kind: DatabaseKind, options: {baseline?: boolean} = {}): Promise<TestDatabase> {
  const url = kind === 'postgres' ? await createPostgresDatabase() : await servePglite()
  const db: TestDatabase = {
    url,
    async query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      const client = new pg.Client({connectionString: url})
      await client.connect()
      try {
        return (await client.query<T>(sql, params)).rows
      } finally {
        await client.end()
      }
    },
  }
  if (kind === 'postgres' && options.baseline) await db.query(idempotentBaseline())
  return db
}

async function createPostgresDatabase(): Promise<string> {
  const adminUrl = process.env.SBX_TEST_DATABASE_URL as string
  const name = `sbx_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({connectionString: adminUrl})
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  onTestFinished(async () => {
    const cleanup = new pg.Client({connectionString: adminUrl})
    await cleanup.connect()
    await cleanup.query(`drop database if exists ${name} with (force)`)
    await cleanup.end()
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function servePglite(): Promise<string> {
  const embedded = await freshDatabaseFromBaseline()
  const server = await serveDatabase(embedded.db)
  onTestFinished(async () => {
    await server.close()
    await embedded.close()
  })
  return server.url
}
