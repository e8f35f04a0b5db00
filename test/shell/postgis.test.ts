/**
 * Real PostGIS on the embedded database: @electric-sql/pglite-postgis on the PGlite release it is built for
 * (core/extensions/extension-catalog.ts), booted from the same baseline as every other embedded database.
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}

describe('PostGIS on the embedded database', () => {
  it('creates postgis in schema extensions; geography, gist indexes, ST_ functions and PL/pgSQL all work', async () => {
    const database = await freshDatabaseFromBaseline({env, extensions: ['postgis', 'pg_trgm', 'pgcrypto']})
    onTestFinished(() => database.close())
    const {db} = database
    await db.exec(`
create extension if not exists postgis with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create table public.places (
  id bigint generated always as identity primary key,
  name text not null,
  location extensions.geography(point, 4326) not null
);
create index places_location on public.places using gist (location);
create function public.nearby(lat double precision, lng double precision, meters double precision)
returns setof public.places language plpgsql stable as $$
begin
  return query select * from public.places
    where extensions.st_dwithin(location, extensions.st_point(lng, lat)::extensions.geography, meters);
end
$$;
insert into public.places (name, location) values ('a', extensions.st_point(13.4, 52.5)::extensions.geography);
`)
    expect((await db.query('select name from public.nearby(52.5001, 13.4001, 100)')).rows).toEqual([{name: 'a'}])
    const version = await db.query<{v: string}>(`select extversion as v from pg_extension where extname = 'postgis'`)
    expect(version.rows).toEqual([{v: '3.6.2'}])
    expect((await db.query(`select extensions.crypt('x', extensions.gen_salt('bf')) like '$2a$%' as ok`)).rows).toEqual(
      [{ok: true}],
    )
  })
})
