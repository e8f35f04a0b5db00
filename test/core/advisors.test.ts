import {describe, expect, it} from 'vitest'
import {
  attributeFindings,
  type CatalogObject,
  effectiveLevel,
  isIgnored,
  ObjectLedger,
  parseAdvisorsOutput,
} from '../../src/core/verify/advisors.js'

const notes = {rule: 'rls_disabled_in_public', object: {schema: 'public', name: 'notes', type: 'table'}}
const raw = {
  name: 'rls_disabled_in_public',
  title: 'RLS Disabled in Public',
  level: 'ERROR',
  detail: 'Table `public.notes` is public, but RLS has not been enabled.',
  remediation: 'https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public',
  metadata: {name: 'notes', type: 'table', schema: 'public'},
}

function object(oid: string, name: string, signature = '', kind: CatalogObject['kind'] = 'relation'): CatalogObject {
  return {oid, kind, schema: 'public', name, signature}
}

describe('parseAdvisorsOutput', () => {
  it.each([
    {case: 'supabase 3: {"results": […]}', stdout: JSON.stringify({results: [raw], message: 'db advisors'})},
    {case: 'supabase 2: a bare array', stdout: JSON.stringify([{...raw, cache_key: 'x'}])},
    {case: 'after a TLS warning line', stdout: `WARN: the server does not support TLS\n${JSON.stringify([raw])}`},
  ])('$case', ({stdout}) => {
    expect(parseAdvisorsOutput(stdout)).toEqual([
      {
        rule: 'rls_disabled_in_public',
        title: 'RLS Disabled in Public',
        level: 'ERROR',
        detail: raw.detail,
        remediation: raw.remediation,
        object: {schema: 'public', name: 'notes', type: 'table'},
      },
    ])
  })

  it('no issues: {"results": null}', () => {
    expect(parseAdvisorsOutput('{"results":null,"message":"No issues found"}')).toEqual([])
  })
})

describe('ObjectLedger: which migration created and altered each object', () => {
  it('attributes objects to the file after which they appear, alterations to later files; baseline objects to none', () => {
    const ledger = new ObjectLedger([object('100', 'baseline_table')])
    ledger.record('1_notes.sql', [object('100', 'baseline_table'), object('200', 'notes', 'rls=false')])
    ledger.record('2_other.sql', [object('100', 'baseline_table'), object('200', 'notes', 'rls=false')])
    ledger.record('3_rls.sql', [object('100', 'baseline_table'), object('200', 'notes', 'rls=true')])

    expect(ledger.find({schema: 'public', name: 'notes', type: 'table'})).toEqual({
      introducedBy: '1_notes.sql',
      alteredBy: ['3_rls.sql'],
    })
    expect(ledger.find({schema: 'public', name: 'baseline_table', type: 'table'})).toEqual({alteredBy: []})
    expect(ledger.find({schema: 'public', name: 'nothing', type: 'table'})).toBeUndefined()
    expect(ledger.createdBy('1_notes.sql').map((o) => o.name)).toEqual(['notes'])
  })

  it('a dropped and re-created object belongs to the migration that re-created it', () => {
    const ledger = new ObjectLedger([])
    ledger.record('1.sql', [object('200', 'notes')])
    ledger.record('2.sql', [])
    ledger.record('3.sql', [object('300', 'notes')])
    expect(ledger.find({schema: 'public', name: 'notes', type: 'table'})?.introducedBy).toBe('3.sql')
  })

  it('tells a function from a table of the same name', () => {
    const ledger = new ObjectLedger([])
    ledger.record('1.sql', [object('200', 'thing')])
    ledger.record('2.sql', [object('200', 'thing'), object('300', 'thing', '', 'function')])
    expect(ledger.find({schema: 'public', name: 'thing', type: 'function'})?.introducedBy).toBe('2.sql')
    expect(ledger.find({schema: 'public', name: 'thing', type: 'view'})?.introducedBy).toBe('1.sql')
  })
})

describe('attributeFindings: which findings block', () => {
  const ledger = new ObjectLedger([])
  ledger.record('1_old.sql', [object('100', 'legacy')])
  ledger.record('2_notes.sql', [object('100', 'legacy'), object('200', 'notes')])
  const findings = parseAdvisorsOutput(
    JSON.stringify([
      raw,
      {...raw, metadata: {name: 'legacy', type: 'table', schema: 'public'}},
      {
        ...raw,
        name: 'function_search_path_mutable',
        level: 'WARN',
        metadata: {name: 'notes', type: 'table', schema: 'public'},
      },
    ]),
  )
  const blocking = (options: Parameters<typeof attributeFindings>[2]) =>
    attributeFindings(findings, ledger, options).map((f) => `${f.rule}:${f.object.name}:${f.blocking}`)

  it.each([
    {case: 'report blocks nothing', options: {ignore: [], level: 'report' as const}, blocks: []},
    {
      case: 'error blocks ERROR findings of every migration',
      options: {ignore: [], level: 'error' as const},
      blocks: ['rls_disabled_in_public:notes', 'rls_disabled_in_public:legacy'],
    },
    {
      case: 'warn blocks WARN too',
      options: {ignore: [], level: 'warn' as const},
      blocks: ['rls_disabled_in_public:notes', 'rls_disabled_in_public:legacy', 'function_search_path_mutable:notes'],
    },
    {
      case: 'only objects of the given (unapplied, branch) files',
      options: {ignore: [], level: 'error' as const, blockable: new Set(['2_notes.sql'])},
      blocks: ['rls_disabled_in_public:notes'],
    },
    {
      case: 'an ignored rule never blocks',
      options: {ignore: ['rls_disabled_in_public'], level: 'error' as const},
      blocks: [],
    },
    {
      case: 'an ignored object never blocks, others still do',
      options: {ignore: ['rls_disabled_in_public:public.legacy'], level: 'error' as const},
      blocks: ['rls_disabled_in_public:notes'],
    },
  ])('$case', ({options, blocks}) => {
    expect(blocking(options).filter((line) => line.endsWith(':true'))).toEqual(blocks.map((b) => `${b}:true`))
  })

  it('carries the migration and the alterations', () => {
    const [first] = attributeFindings(findings, ledger, {ignore: [], level: 'report'})
    expect(first).toMatchObject({migration: '2_notes.sql', alteredBy: [], ignored: false, blocking: false})
  })
})

describe('isIgnored and effectiveLevel', () => {
  it.each([
    {ignore: ['rls_disabled_in_public'], ignored: true},
    {ignore: ['rls_disabled_in_public:public.notes'], ignored: true},
    {ignore: ['rls_disabled_in_public:notes'], ignored: true},
    {ignore: ['rls_disabled_in_public:public.other'], ignored: false},
    {ignore: ['security_definer_view'], ignored: false},
  ])('$ignore → $ignored', ({ignore, ignored}) => {
    expect(isIgnored(notes, ignore)).toBe(ignored)
  })

  it.each([
    {configured: 'report', flag: undefined, against: false, level: 'report'},
    {configured: 'report', flag: undefined, against: true, level: 'error'},
    {configured: 'warn', flag: undefined, against: true, level: 'warn'},
    {configured: 'off', flag: undefined, against: true, level: 'off'},
    {configured: 'error', flag: 'report', against: true, level: 'report'},
  ] as const)('$configured, --advisors $flag, against $against → $level', ({configured, flag, against, level}) => {
    expect(effectiveLevel(configured, flag, against)).toBe(level)
  })
})
