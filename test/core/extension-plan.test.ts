import {describe, expect, it} from 'vitest'
import {SUPABASE_EXTENSIONS} from '../../src/core/extensions/extension-catalog.js'
import {
  buildModule,
  createdExtension,
  dependsOnSkippedWork,
  engineFor,
  extensionStatus,
  missingLibrary,
  pinnedVersion,
  planExtensions,
} from '../../src/core/extensions/extension-plan.js'
import {STAND_INS, versionAliases} from '../../src/core/extensions/extension-stand-ins.js'

describe('createdExtension', () => {
  it.each([
    {statement: 'create extension vector with schema extensions', name: 'vector'},
    {statement: 'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions', name: 'uuid-ossp'},
    {statement: '-- search\ncreate extension if not exists PG_TRGM', name: 'pg_trgm'},
    {statement: 'create extension "Odd""Name"', name: 'Odd"Name'},
    {statement: 'create table extension (id int)', name: undefined},
    {statement: 'comment on extension vector is $$x$$', name: undefined},
  ])('$statement', ({statement, name}) => {
    expect(createdExtension(statement)).toBe(name)
  })
})

describe('pinnedVersion', () => {
  it.each([
    {statement: `create extension if not exists "vector" with schema "extensions" version '0.8.0'`, version: '0.8.0'},
    {statement: 'CREATE EXTENSION http VERSION "1.5" SCHEMA extensions', version: '1.5'},
    {statement: 'create extension citext version v1_6', version: 'v1_6'},
    {statement: 'create extension pg_net with schema extensions', version: undefined},
    {statement: 'create extension "version"', version: undefined},
  ])('$statement', ({statement, version}) => {
    expect(pinnedVersion(statement)).toBe(version)
  })
})

describe('versionAliases', () => {
  it('gives each pinned version an empty update script from the embedded one, and none for that one', () => {
    expect(versionAliases('vector', '0.8.7', ['0.8.0', '0.8.7']).map((file) => file.name)).toEqual([
      'share/postgresql/extension/vector--0.8.7--0.8.0.sql',
    ])
  })
})

describe('planExtensions', () => {
  it('collects pinned versions other than the embedded one, for what it loads, and only names that fit a file', () => {
    const plan = planExtensions([
      {
        file: 'a.sql',
        statements: [
          `create extension "vector" with schema "extensions" version '0.8.0'`,
          `create extension "pg_net" version '0.14.0'`,
          `create extension citext version '1.6'`,
          `create extension citext version '../../x'`,
          `create extension postgis version '3.3.2'`,
        ],
      },
    ])
    expect(plan.versions).toEqual({citext: ['1.6'], vector: ['0.8.0']})
  })

  it.each([
    {case: 'plain tables need nothing', texts: ['create table t (id uuid default gen_random_uuid())'], uses: []},
    {
      case: 'PostGIS is loaded (on its own PGlite release)',
      texts: ['create extension postgis with schema extensions', 'create extension pg_trgm'],
      uses: [
        {name: 'pg_trgm', status: 'loaded'},
        {name: 'postgis', status: 'loaded'},
      ],
    },
    {
      case: 'PostGIS beside pgvector (built for another PGlite release) is replayed without',
      texts: ['create extension postgis', 'create extension vector', 'create extension postgis_topology'],
      uses: [
        {name: 'postgis', status: 'missing'},
        {name: 'postgis_topology', status: 'missing'},
        {name: 'vector', status: 'loaded'},
      ],
    },
    {
      case: 'a created PGlite extension is loaded',
      texts: ['create extension if not exists "pg_trgm" with schema extensions'],
      uses: [{name: 'pg_trgm', status: 'loaded'}],
    },
    {
      case: 'baseline pgcrypto is loaded when called',
      texts: ["select extensions.crypt('pw', gen_salt('bf'))"],
      uses: [{name: 'pgcrypto', status: 'loaded'}],
    },
    {
      case: 'encrypt() is pgcrypto too',
      texts: ["select encrypt('a', 'k', 'aes')"],
      uses: [{name: 'pgcrypto', status: 'loaded'}],
    },
    {
      case: 'uuid-ossp functions',
      texts: ['create table t (id uuid default uuid_generate_v4())'],
      uses: [{name: 'uuid-ossp', status: 'loaded'}],
    },
    {
      case: "vault's decrypted_secrets is no call into pgcrypto",
      texts: ["select decrypted_secret from vault.decrypted_secrets where name = 'url'"],
      uses: [{name: 'supabase_vault', status: 'stand-in'}],
    },
    {
      case: 'the baseline vault is stood in for when called',
      texts: ["select vault.create_secret('x', 'name')"],
      uses: [{name: 'supabase_vault', status: 'stand-in'}],
    },
    {
      case: 'stand-ins, missing and unknown, sorted by name; plpgsql is not reported',
      texts: [
        'create extension pg_net',
        'create extension timescaledb',
        'create extension nosuch',
        'create extension plpgsql',
      ],
      uses: [
        {name: 'nosuch', status: 'unknown'},
        {name: 'pg_net', status: 'stand-in'},
        {name: 'timescaledb', status: 'missing'},
      ],
    },
  ])('$case', ({texts, uses}) => {
    const plan = planExtensions([{file: 'a.sql', statements: texts}])
    expect(plan.uses.map(({name, status}) => ({name, status}))).toEqual(uses)
    expect(plan.load).toEqual(uses.filter((u) => u.status === 'loaded' || u.status === 'stand-in').map((u) => u.name))
  })

  it('names every file that creates or calls an extension', () => {
    const plan = planExtensions([
      {file: '1_a.sql', statements: ['create extension citext']},
      {file: '2_b.sql', statements: ['select 1']},
      {file: '3_c.sql', statements: ['create extension if not exists citext']},
    ])
    expect(plan.uses).toEqual([{name: 'citext', status: 'loaded', files: ['1_a.sql', '3_c.sql']}])
  })
})

describe('the catalog', () => {
  it('has a stand-in script for every stand-in entry, and an entry for every stand-in', () => {
    const standIns = Object.entries(SUPABASE_EXTENSIONS)
      .filter(([, source]) => source.kind === 'stand-in')
      .map(([name]) => name)
    expect(standIns.sort()).toEqual(Object.keys(STAND_INS).sort())
    expect(extensionStatus('pg_net')).toBe('stand-in')
    expect(extensionStatus('toString')).toBe('unknown')
  })
})

describe('engineFor and buildModule', () => {
  it('starts the PostGIS PGlite release only when a part of PostGIS is loaded, with its own contrib builds', () => {
    expect(engineFor(['pg_trgm', 'vector'])).toBe('default')
    expect(engineFor(['pg_trgm', 'postgis_topology'])).toBe('postgis')
    expect(buildModule('pg_trgm', 'postgis')).toEqual({
      module: 'pglite-postgis-engine/contrib/pg_trgm',
      export: 'pg_trgm',
    })
    expect(buildModule('vector', 'postgis')).toBeUndefined()
    expect(buildModule('postgis', 'default')).toBeUndefined()
    expect(buildModule('postgis', 'postgis')).toEqual({module: '@electric-sql/pglite-postgis', export: 'postgis'})
  })
})

describe('missingLibrary', () => {
  it.each([
    {error: {code: '58P01', message: 'could not access file "pgcrypto": No such file or directory'}, name: 'pgcrypto'},
    {error: {code: '58P01', message: 'could not access file "$libdir/uuid-ossp": No such file'}, name: 'uuid-ossp'},
    {error: {code: '0A000', message: 'extension "pg_trgm" is not available'}, name: 'pg_trgm'},
    {error: {code: '0A000', message: 'extension "vector" is not available'}, name: 'vector'},
    {error: {code: '0A000', message: 'extension "timescaledb" is not available'}, name: undefined},
    {error: {code: '0A000', message: 'extension "nosuch" is not available'}, name: undefined},
    {error: {code: '58P01', message: 'could not open file "base/1/2": No such file or directory'}, name: undefined},
    {error: {code: '42883', message: 'function crypt(unknown, unknown) does not exist'}, name: undefined},
  ])('$error.message', ({error, name}) => {
    expect(missingLibrary(error)).toBe(name)
  })
})

describe('dependsOnSkippedWork', () => {
  it.each([
    {case: 'a type that does not exist', code: '42704', createdLater: false, depends: true},
    {case: 'a function that does not exist', code: '42883', createdLater: false, depends: true},
    {case: 'a table that does not exist', code: '42P01', createdLater: false, depends: true},
    {case: 'a column that does not exist', code: '42703', createdLater: false, depends: true},
    {
      case: 'a table a later migration creates (an ordering mistake)',
      code: '42P01',
      createdLater: true,
      depends: false,
    },
    {case: 'a syntax error', code: '42601', createdLater: false, depends: false},
    {case: 'a unique violation', code: '23505', createdLater: false, depends: false},
  ])('$case', ({code, createdLater, depends}) => {
    expect(dependsOnSkippedWork({code}, createdLater)).toBe(depends)
  })
})
