import {describe, expect, it} from 'vitest'
import {extensionsUsedBy, isMissingExtensionLibrary} from '../../src/shell/supabase-baseline.js'

describe('extensionsUsedBy', () => {
  it.each([
    {case: 'plain tables need no library', texts: ['create table t (id uuid default gen_random_uuid())'], used: []},
    {
      case: 'creating pg_trgm',
      texts: ['create extension if not exists "pg_trgm" with schema extensions'],
      used: ['pg_trgm'],
    },
    {case: 'pgcrypto functions', texts: ["select extensions.crypt('pw', gen_salt('bf'))"], used: ['pgcrypto']},
    {case: 'encrypt() is pgcrypto too', texts: ["select encrypt('a', 'k', 'aes')"], used: ['pgcrypto']},
    {case: 'uuid-ossp functions', texts: ['create table t (id uuid default uuid_generate_v4())'], used: ['uuid_ossp']},
    {
      case: 'several files, several libraries',
      texts: ['create extension pg_trgm', "select digest('x', 'sha256')", 'select uuid_nil()'],
      used: ['pg_trgm', 'pgcrypto', 'uuid_ossp'],
    },
  ])('$case', ({texts, used}) => {
    expect(extensionsUsedBy(texts)).toEqual(used)
  })
})

describe('isMissingExtensionLibrary', () => {
  it.each([
    {error: {code: '58P01', message: 'could not access file "pgcrypto": No such file or directory'}, missing: true},
    {error: {code: '58P01', message: 'could not access file "$libdir/uuid-ossp": No such file'}, missing: true},
    {error: {code: '0A000', message: 'extension "pg_trgm" is not available'}, missing: true},
    {error: {code: '0A000', message: 'extension "postgis" is not available'}, missing: false},
    {error: {code: '58P01', message: 'could not open file "base/1/2": No such file or directory'}, missing: false},
    {error: {code: '42883', message: 'function crypt(unknown, unknown) does not exist'}, missing: false},
  ])('$error.message', ({error, missing}) => {
    expect(isMissingExtensionLibrary(error)).toBe(missing)
  })
})
