/**
 * Every function that reads SQL text or a Postgres error message returns for any string: astral characters
 * (emoji), lone surrogates, NUL, and what invalid UTF-8 decodes to. The crash this pins: a statement holding an
 * emoji after a skipped one made the missing-object lexer test one UTF-16 unit and read `null[0]`.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  createdExtension,
  missingLibrary,
  pinnedVersion,
  planExtensions,
} from '../../src/core/extensions/extension-plan.js'
import {explainPushFailure} from '../../src/core/push/push-failure.js'
import {configRefusal} from '../../src/core/push/supabase-refusal.js'
import {namesInBody} from '../../src/core/sql/catalog.js'
import {destructiveReason} from '../../src/core/sql/destructive.js'
import {normalizeStatement, sqlKey} from '../../src/core/sql/sql-equivalence.js'
import {migrationStatements, splitStatements, stripLeadingComments} from '../../src/core/sql/sql-statements.js'
import {lintFindings, statementLines} from '../../src/core/verify/lint.js'
import {
  alteredTable,
  createsObject,
  dmlTarget,
  findCreatingStatement,
  parseCreation,
  parseMissingObject,
} from '../../src/core/verify/missing-object.js'
import {isNonTransactional, isTransactionControl, planReplay} from '../../src/core/verify/replay-plan.js'
import {renderFailure} from '../../src/render/verify.js'

/** Any UTF-16 unit (lone surrogates included), any code point, SQL's own punctuation and words, NUL. */
const unit = fc.oneof(
  fc.integer({min: 0, max: 0xffff}).map((n) => String.fromCharCode(n)),
  fc.integer({min: 0x10000, max: 0x10ffff}).map((n) => String.fromCodePoint(n)),
  fc.constantFrom('\0', "'", '"', '$', '$$', ';', '(', ')', '--', '/*', '*/', '\n', ' ', '.', '🧠', '\ud83e', '\udde0'),
  fc.constantFrom('create ', 'table ', 'function ', 'alter ', 'add ', 'extension ', 'comment on ', 'is ', 'x', 'E'),
)
const sqlText = fc.string({unit, maxLength: 200})
/** What Node's utf8 decoding makes of arbitrary bytes (invalid sequences become U+FFFD). */
const fromDisk = fc.uint8Array({maxLength: 200}).map((bytes) => Buffer.from(bytes).toString('utf8'))
const anyText = fc.oneof(sqlText, fromDisk)

const MISSING = [
  {kind: 'relation', name: 'public.t'},
  {kind: 'function', name: 'f'},
  {kind: 'column', name: 't.c'},
  {kind: 'type', name: 'geometry'},
  {kind: 'extension', name: 'pg_trgm', viaExtension: 'pg_trgm'},
] as const

describe('SQL text functions never throw', () => {
  it('the failure explainer (excerpt and caret at any position) and push failure reading', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.integer({min: -5, max: 400}), (statement, message, position) => {
        const lines = renderFailure({
          file: '20250101000000_a.sql',
          version: '20250101000000',
          statementIndex: 0,
          statements: 1,
          statement,
          transactionMode: 'transactional',
          partial: false,
          error: {message, code: '42P01', position, detail: message, hint: statement},
          missing: {kind: 'relation', name: message},
          createdBy: {file: statement, statementIndex: 1},
        })
        expect(lines.length).toBeGreaterThan(0)
        explainPushFailure({
          output: `${message}\n${statement}`,
          pending: ['a.sql'],
          autocommit: new Set(),
          supabaseMajor: 3,
        })
        lintFindings(
          [
            {
              file: 'a.sql',
              text: statement,
              statements: splitStatements(statement),
              plan: planReplay(migrationStatements(statement)),
            },
          ],
          [
            {
              file: 'a.sql',
              line: position,
              column: 0,
              level: 'Warning',
              message,
              rule_name: 'constraint-missing-not-valid',
            },
          ],
          'warn',
          {pending: true},
        )
      }),
      {numRuns: 300},
    )
  })

  it('on the reported crash: an emoji after a CREATE EXTENSION the embedded database lacks', () => {
    const statement = "comment on table t is '🧠 x'"
    expect(parseCreation(statement)).toBeUndefined()
    expect(createsObject(statement, {kind: 'type', name: 'geometry'})).toBe(false)
    expect(parseCreation('create table "🧠" (x int)')).toEqual({kind: 'relation', object: {name: '🧠'}})
    expect(parseCreation('create table 🧠x (x int)')).toEqual({kind: 'relation', object: {name: '🧠x'}})
    expect(parseCreation('create function \ud83e(x int)')).toEqual({kind: 'function', object: {name: '\ud83e'}})
  })

  it('statement splitting, classification and equivalence', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const statements = splitStatements(text)
        const file = migrationStatements(text)
        stripLeadingComments(text)
        planReplay(file)
        isNonTransactional(text)
        isTransactionControl(text)
        normalizeStatement(text)
        sqlKey(statements)
        statementLines(text, statements)
        destructiveReason(text)
        namesInBody(text)
      }),
      {numRuns: 400},
    )
  })

  it('the missing-object explainer and the extension scan', () => {
    fc.assert(
      fc.property(anyText, anyText, (statement, message) => {
        parseCreation(statement)
        dmlTarget(statement)
        alteredTable(statement)
        configRefusal(message)
        for (const missing of MISSING) createsObject(statement, missing)
        findCreatingStatement({kind: 'relation', name: 't'}, [{file: 'a.sql', statements: [statement, message]}])
        parseMissingObject({code: '42P01', message})
        parseMissingObject({message: `relation "${statement}" does not exist`})
        parseMissingObject({message: `function ${statement}(integer) does not exist`})
        parseMissingObject({message: `operator class "${statement}" does not exist for access method "gin"`})
        missingLibrary({code: '58P01', message: `could not access file "$libdir/${statement}"`})
        createdExtension(`create extension ${statement}`)
        pinnedVersion(`create extension x version ${statement}`)
        planExtensions([{file: 'a.sql', statements: [statement, `create extension if not exists ${message}`]}])
      }),
      {numRuns: 400},
    )
  })
})
