/** What sbx reads from supabase's own supabase/config.toml: the schemas the Data API (PostgREST) exposes. */
import fs from 'node:fs/promises'
import path from 'node:path'
import {parse} from 'smol-toml'

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
