/** What sbx reads from supabase's own supabase/config.toml: the schemas the Data API (PostgREST) exposes. */
import fs from 'node:fs/promises'
import path from 'node:path'
import {parse} from 'smol-toml'
import {DEFAULT_PROJECT_MAJOR} from '../../core/embedded/postgres-major.js'

/** supabase's default `[api] schemas`. */
export const DEFAULT_API_SCHEMAS = ['public', 'graphql_public']

/** `[api] schemas` of supabase/config.toml; the default when the file or the key is missing or unreadable. */
export async function apiSchemas(workdir: string): Promise<string[]> {
  const text = await fs.readFile(path.join(workdir, 'supabase', 'config.toml'), 'utf8').catch(() => undefined)
  if (text === undefined) return DEFAULT_API_SCHEMAS
  try {
    const api = (parse(text) as {api?: {schemas?: unknown}}).api
    const schemas = api?.schemas
    if (Array.isArray(schemas) && schemas.every((s) => typeof s === 'string') && schemas.length > 0) {
      return schemas as string[]
    }
  } catch {
    // supabase reports its own config errors; the advisors use the default.
  }
  return DEFAULT_API_SCHEMAS
}

/**
 * `[db] major_version` of supabase/config.toml: the PostgreSQL major the project runs; supabase's own default (17,
 * what `supabase init` 3.1 writes) when the file or the key is missing or not a whole number.
 */
export async function projectMajor(workdir: string): Promise<{major: number; declared: boolean}> {
  const text = await fs.readFile(path.join(workdir, 'supabase', 'config.toml'), 'utf8').catch(() => undefined)
  if (text !== undefined) {
    try {
      const value = (parse(text) as {db?: {major_version?: unknown}}).db?.major_version
      if (typeof value === 'number' && Number.isInteger(value) && value > 0) return {major: value, declared: true}
    } catch {
      // supabase reports its own config errors.
    }
  }
  return {major: DEFAULT_PROJECT_MAJOR, declared: false}
}
