import {describe, expect, it} from 'vitest'
import {applyScopedRead, type CatalogRow, catalogOf} from '../../src/core/sql/catalog.js'
import {
  catalogScope,
  type DdlEvent,
  ledgerTouches,
  PG_CLASS,
  PG_EXTENSION,
  PG_NAMESPACE,
  PG_POLICY,
  PG_PROC,
  PG_TRIGGER,
} from '../../src/core/sql/ddl-events.js'
import {ObjectLedger} from '../../src/core/verify/advisors.js'

const event = (tag: string, classid: number | null, objid: number | null, extra: Partial<DdlEvent> = {}): DdlEvent => ({
  tag,
  classid,
  objid,
  objsubid: 0,
  dropped: false,
  relid: null,
  xid: 900,
  ...extra,
})

describe('catalogScope: what the plan catalog reads again after a file', () => {
  it('collects relations, functions, policies, triggers and new schemas; grants change nothing it compares', () => {
    const scope = catalogScope([
      event('CREATE SCHEMA', PG_NAMESPACE, 10),
      event('CREATE TABLE', PG_CLASS, 20),
      event('ALTER TABLE', PG_CLASS, 20, {objsubid: 2, dropped: true}),
      event('CREATE FUNCTION', PG_PROC, 30),
      event('CREATE POLICY', PG_POLICY, 40, {relid: 20}),
      event('DROP TRIGGER', PG_TRIGGER, 50, {dropped: true}),
      event('GRANT', null, null),
      event('CREATE TYPE', 1247, 60),
    ])
    expect(scope).toEqual({
      whole: false,
      relations: [20],
      functions: [30],
      policies: [40],
      triggers: [50],
      schemas: [10],
    })
  })

  it.each([
    ['an extension', [event('CREATE EXTENSION', PG_EXTENSION, 1)]],
    ['a schema renamed', [event('ALTER SCHEMA', PG_NAMESPACE, 1)]],
    ['a schema dropped', [event('DROP SCHEMA', PG_NAMESPACE, 1, {dropped: true})]],
    ['a type renamed (every column of it changes)', [event('ALTER TYPE', 1247, 1)]],
    ['a command naming no object', [event('IMPORT FOREIGN SCHEMA', null, null)]],
  ])('%s asks for a whole read', (_, events) => {
    expect(catalogScope(events).whole).toBe(true)
  })
})

describe('ledgerTouches: what the advisors ledger learns from a file without reading', () => {
  it('names created and altered objects, policy tables, columns tables; drops; grants by transaction', () => {
    const touches = ledgerTouches([
      event('CREATE TABLE', PG_CLASS, 20),
      event('ALTER TABLE', PG_CLASS, 21, {objsubid: 3}),
      event('DROP POLICY', PG_POLICY, 40, {dropped: true, relid: 22}),
      event('CREATE FUNCTION', PG_PROC, 30),
      event('DROP TABLE', PG_CLASS, 23, {dropped: true}),
      event('COMMENT', PG_CLASS, 24),
      event('GRANT', null, null, {xid: 901}),
    ])
    expect(touches).toEqual({whole: false, named: [20, 21, 22, 30], dropped: [23], grants: [901]})
  })

  it('an object created and dropped by one file is only dropped', () => {
    const touches = ledgerTouches([
      event('CREATE TABLE', PG_CLASS, 20),
      event('DROP TABLE', PG_CLASS, 20, {dropped: true}),
    ])
    expect(touches).toEqual({whole: false, named: [], dropped: [20], grants: []})
  })

  it('extensions (and their members) and schema renames ask for a whole snapshot', () => {
    expect(ledgerTouches([event('CREATE EXTENSION', PG_EXTENSION, 1)]).whole).toBe(true)
    expect(ledgerTouches([event('ALTER SCHEMA', PG_NAMESPACE, 1)]).whole).toBe(true)
  })
})

const row = (
  kind: CatalogRow['kind'],
  name: string,
  objid: number,
  relid: number | null,
  parent: string | null = null,
) =>
  ({
    kind,
    schema: 'public',
    name,
    parent,
    sig: '',
    classid: 1259,
    objid,
    subid: 0,
    typid: null,
    relid,
    ext: false,
  }) as CatalogRow

describe('applyScopedRead', () => {
  it('replaces every part of a named relation and keeps the rest', () => {
    const current = catalogOf([
      row('table', 'a', 1, 1),
      row('column', 'x', 1, 1, 'a'),
      row('index', 'a_x', 5, 1, 'a'),
      row('table', 'other', 2, 2),
    ])
    const scope = {whole: false, relations: [1], functions: [], policies: [], triggers: [], schemas: []}
    const next = applyScopedRead(current, scope, [row('table', 'b', 1, 1), row('column', 'x', 1, 1, 'b')])
    expect([...next.keys()].sort()).toEqual(['column public.b.x', 'table public.b', 'table public.other'])
  })
})

describe('ObjectLedger from touches', () => {
  const object = (oid: string, name: string, kind: 'relation' | 'function' = 'relation') => ({
    oid,
    kind,
    schema: 'public',
    name,
    signature: '',
  })

  it('attributes creation and alteration by the files whose DDL named the object; settles names at the end', () => {
    const ledger = new ObjectLedger([object('100', 'baseline_table')])
    ledger.touch('1.sql', ['200', '300'], [])
    ledger.touch('2.sql', ['200', '100'], [])
    ledger.touch('3.sql', [], ['300'])
    ledger.touch('4.sql', ['400'], []) // an index: no object reports name
    ledger.settle([object('100', 'baseline_table'), object('200', 'notes')])
    expect(ledger.find({schema: 'public', name: 'notes', type: 'table'})).toEqual({
      introducedBy: '1.sql',
      alteredBy: ['2.sql'],
    })
    expect(ledger.find({schema: 'public', name: 'baseline_table', type: 'table'})).toEqual({alteredBy: ['2.sql']})
    expect(ledger.createdBy('1.sql').map((o) => o.name)).toEqual(['notes'])
    expect(ledger.createdBy('4.sql')).toEqual([])
  })

  it('a whole snapshot between touches keeps what the touches attributed', () => {
    const ledger = new ObjectLedger([])
    ledger.touch('1.sql', ['200'], [])
    ledger.record('2.sql', [object('200', 'notes'), object('500', 'ext_fn', 'function')])
    ledger.settle([object('200', 'notes'), object('500', 'ext_fn', 'function')])
    expect(ledger.find({schema: 'public', name: 'notes', type: 'table'})?.introducedBy).toBe('1.sql')
    expect(ledger.find({schema: 'public', name: 'ext_fn', type: 'function'})?.introducedBy).toBe('2.sql')
  })
})
