/**
 * When a migration fails because something it needs does not exist yet, find the statement that creates it:
 * usually a migration that sorts later (two branches merged in the wrong order). Pure: works on Postgres
 * error messages and statement text.
 *
 * Names follow Postgres: unquoted identifiers fold to lower case, "quoted" ones keep their case, and an
 * unqualified name resolves through Supabase's search_path ("$user", public, extensions).
 */

export type ObjectKind = 'relation' | 'function' | 'schema' | 'type' | 'role' | 'column' | 'extension'

export interface MissingObject {
  kind: ObjectKind
  /** As Postgres printed it: `todos`, `app.todos`, `public.is_admin`. For a column, `table.column`. */
  name: string
  /** For an operator class or function that an extension provides: the extension whose CREATE to look for. */
  viaExtension?: string
}

interface QualifiedName {
  schema?: string
  name: string
}

interface Created {
  kind: ObjectKind
  object: QualifiedName
  /** For a column: the table it is added to. */
  table?: QualifiedName
}

const SEARCH_PATH = ['public', 'extensions']

const CREATED_KINDS: Record<string, ObjectKind> = {
  table: 'relation',
  view: 'relation',
  sequence: 'relation',
  function: 'function',
  procedure: 'function',
  schema: 'schema',
  type: 'type',
  domain: 'type',
  role: 'role',
  user: 'role',
  group: 'role',
  extension: 'extension',
}

/** Objects that extensions sbx does not pre-create provide (pg_trgm is created by migrations on Supabase). */
const EXTENSION_OBJECTS: Record<string, string> = {
  gin_trgm_ops: 'pg_trgm',
  gist_trgm_ops: 'pg_trgm',
  similarity: 'pg_trgm',
  word_similarity: 'pg_trgm',
  strict_word_similarity: 'pg_trgm',
  show_trgm: 'pg_trgm',
}

/** The object a Postgres error says is missing, if it says so. */
export function parseMissingObject(error: {code?: string; message: string}): MissingObject | undefined {
  const {message} = error
  const patterns: Array<[RegExp, ObjectKind]> = [
    [/^relation "(.+)" does not exist$/su, 'relation'],
    [/^(?:function|procedure) (.+?)\(.*\) does not exist$/su, 'function'],
    [/^schema "(.+)" does not exist$/su, 'schema'],
    [/^type "(.+)" does not exist$/su, 'type'],
    [/^role "(.+)" does not exist$/su, 'role'],
  ]
  for (const [pattern, kind] of patterns) {
    const name = pattern.exec(message)?.[1]
    if (name === undefined) continue
    const extension = kind === 'function' ? EXTENSION_OBJECTS[lastPart(name)] : undefined
    return extension ? {kind, name, viaExtension: extension} : {kind, name}
  }
  const column = /^column "(.+)" of relation "(.+)" does not exist$/su.exec(message)
  if (column) return {kind: 'column', name: `${column[2]}.${column[1]}`}
  const opclass = /^operator class "(.+)" does not exist for access method/su.exec(message)
  if (opclass) {
    const extension = EXTENSION_OBJECTS[lastPart(opclass[1] as string)]
    return extension ? {kind: 'extension', name: extension, viaExtension: extension} : undefined
  }
  return undefined
}

/** Whether `statement` creates `missing` (for an extension-provided name: creates that extension). */
export function createsObject(statement: string, missing: MissingObject): boolean {
  const created = parseCreation(statement)
  if (!created) return false
  if (missing.viaExtension && created.kind === 'extension' && created.object.name === missing.viaExtension) {
    return true
  }
  if (missing.kind === 'column') {
    if (created.kind !== 'column' || !created.table) return false
    const dot = missing.name.lastIndexOf('.')
    return created.object.name === missing.name.slice(dot + 1) && sameObject(created.table, missing.name.slice(0, dot))
  }
  // CREATE TABLE also creates the row type of the same name.
  const kinds: ObjectKind[] = missing.kind === 'type' ? ['type', 'relation'] : [missing.kind]
  return kinds.includes(created.kind) && sameObject(created.object, missing.name)
}

export interface StatementSource {
  file: string
  statements: readonly string[]
}

/** The first statement, from `fromStatement` of the first file on, that creates `missing`. */
export function findCreatingStatement(
  missing: MissingObject,
  files: readonly StatementSource[],
  fromStatement = 0,
): {file: string; statementIndex: number} | undefined {
  for (const [n, file] of files.entries()) {
    for (let index = n === 0 ? fromStatement : 0; index < file.statements.length; index++) {
      if (createsObject(file.statements[index] as string, missing)) return {file: file.file, statementIndex: index}
    }
  }
  return undefined
}

/** What a CREATE (or ALTER TABLE … ADD COLUMN / RENAME) statement brings into existence. */
export function parseCreation(statement: string): Created | undefined {
  const words = lexHead(statement)
  let i = 0
  const peek = () => words[i]
  const accept = (...keywords: string[]) => {
    const word = words[i]
    if (word && !word.quoted && keywords.includes(word.text)) {
      i += 1
      return word.text
    }
    return undefined
  }
  const ifNotExists = () => {
    const start = i
    if (accept('if') && accept('not') && accept('exists')) return
    i = start
  }
  const qualified = (): QualifiedName | undefined => {
    const first = peek()
    if (!first || first.punct) return undefined
    i += 1
    if (words[i]?.text === '.' && words[i]?.punct) {
      const second = words[i + 1]
      if (!second || second.punct) return undefined
      i += 2
      return {schema: first.text, name: second.text}
    }
    return {name: first.text}
  }

  if (accept('alter')) return parseAlter(accept, ifNotExists, qualified)
  if (!accept('create')) return undefined
  if (accept('or')) accept('replace')
  accept('global', 'local')
  accept('temp', 'temporary')
  accept('unlogged')
  accept('recursive')
  accept('materialized', 'foreign')
  const what = accept(
    'table',
    'view',
    'sequence',
    'function',
    'procedure',
    'schema',
    'type',
    'domain',
    'role',
    'user',
    'group',
    'extension',
  )
  if (!what) return undefined
  ifNotExists()
  if (what === 'schema' && accept('authorization')) {
    const role = qualified()
    return role ? {kind: 'schema', object: {name: role.name}} : undefined
  }
  const object = qualified()
  if (!object) return undefined
  const kind = CREATED_KINDS[what] as ObjectKind
  if (kind === 'schema' || kind === 'role' || kind === 'extension') return {kind, object: {name: object.name}}
  return {kind, object}
}

/**
 * The table a DML statement writes (`insert into`, `update`, `delete from`, `merge into`, `truncate`), as written:
 * a migration that fills or changes a table depends on the one that created it.
 */
export function dmlTarget(statement: string): {schema?: string; name: string} | undefined {
  const words = lexHead(statement)
  let i = 0
  const is = (...keywords: string[]) => {
    const word = words[i]
    if (!word || word.quoted || !keywords.includes(word.text)) return false
    i += 1
    return true
  }
  const verb = words[0]
  if (!verb || verb.quoted) return undefined
  i = 1
  if (verb.text === 'insert' || verb.text === 'merge') {
    if (!is('into')) return undefined
  } else if (verb.text === 'delete') {
    if (!is('from')) return undefined
  } else if (verb.text === 'truncate') {
    is('table')
  } else if (verb.text !== 'update') {
    return undefined
  }
  is('only')
  return qualifiedNameAt(words, i)
}

/**
 * The table an ALTER TABLE or CREATE INDEX statement works on, as written (for lint: rules about locking or
 * rewriting a table with rows do not apply to one created earlier in the same push).
 */
export function alteredTable(statement: string): {schema?: string; name: string} | undefined {
  const words = lexHead(statement)
  let i = 0
  const is = (...keywords: string[]) => {
    const word = words[i]
    if (!word || word.quoted || !keywords.includes(word.text)) return false
    i += 1
    return true
  }
  if (is('alter')) {
    if (!is('table')) return undefined
    if (is('if')) is('exists')
  } else if (is('create')) {
    is('unique')
    if (!is('index')) return undefined
    is('concurrently')
    if (is('if')) {
      is('not')
      is('exists')
    }
    if (!is('on')) {
      i += 1
      if (!is('on')) return undefined
    }
  } else {
    return undefined
  }
  is('only')
  return qualifiedNameAt(words, i)
}

function parseAlter(
  accept: (...keywords: string[]) => string | undefined,
  ifNotExists: () => void,
  qualified: () => QualifiedName | undefined,
): Created | undefined {
  if (!accept('table')) return undefined
  if (accept('if')) accept('exists')
  accept('only')
  const table = qualified()
  if (!table) return undefined
  if (accept('rename')) {
    if (accept('to')) {
      const renamed = qualified()
      return renamed ? {kind: 'relation', object: {schema: table.schema, name: renamed.name}} : undefined
    }
    accept('column')
    if (!qualified() || !accept('to')) return undefined
    const column = qualified()
    return column ? {kind: 'column', object: {name: column.name}, table} : undefined
  }
  if (!accept('add')) return undefined
  accept('column')
  ifNotExists()
  const column = qualified()
  // ADD CONSTRAINT / PRIMARY KEY… are not columns.
  if (!column || ['constraint', 'primary', 'unique', 'foreign', 'check', 'exclude'].includes(column.name)) {
    return undefined
  }
  return {kind: 'column', object: {name: column.name}, table}
}

/** Whether a created name is the one Postgres reported (`name` or `schema.name`, unquoted). */
function sameObject(created: QualifiedName, reported: string): boolean {
  const dot = reported.indexOf('.')
  const schema = dot >= 0 ? reported.slice(0, dot) : undefined
  const name = dot >= 0 ? reported.slice(dot + 1) : reported
  if (created.name !== name) return false
  if (schema !== undefined) return created.schema === schema || (created.schema === undefined && schema === 'public')
  return created.schema === undefined || SEARCH_PATH.includes(created.schema)
}

function lastPart(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1)
}

interface Word {
  /** Folded to lower case unless quoted. */
  text: string
  quoted: boolean
  punct: boolean
}

const IDENTIFIER_START = /[A-Za-z_\u{80}-\u{10ffff}]/u
const IDENTIFIER_PART = /^[A-Za-z0-9_$\u{80}-\u{10ffff}]+/u

/** The first words of a statement, skipping comments; stops at the first `(` or after 16 words. */
function lexHead(statement: string): Word[] {
  const words: Word[] = []
  let i = 0
  while (i < statement.length && words.length < 16) {
    const ch = statement.charAt(i)
    if (/\s/u.test(ch)) {
      i += 1
    } else if (statement.startsWith('--', i)) {
      const end = statement.indexOf('\n', i)
      i = end < 0 ? statement.length : end + 1
    } else if (statement.startsWith('/*', i)) {
      let depth = 0
      do {
        if (statement.startsWith('/*', i)) {
          depth += 1
          i += 2
        } else if (statement.startsWith('*/', i)) {
          depth -= 1
          i += 2
        } else {
          i += 1
        }
      } while (depth > 0 && i < statement.length)
    } else if (ch === '"') {
      let text = ''
      i += 1
      while (i < statement.length) {
        if (statement.charAt(i) === '"') {
          if (statement.charAt(i + 1) !== '"') break
          i += 1
        }
        text += statement.charAt(i)
        i += 1
      }
      i += 1
      words.push({text, quoted: true, punct: false})
    } else if (IDENTIFIER_START.test(ch)) {
      // Code points, not UTF-16 units: an astral character (an emoji) is two units, and Postgres takes every
      // byte from 0x80 up as an identifier letter. A lone surrogate is a code point of its own here.
      const word = (IDENTIFIER_PART.exec(statement.slice(i, i + 200)) as RegExpExecArray)[0]
      // Postgres folds only ASCII letters.
      words.push({text: word.replace(/[A-Z]+/gu, (s) => s.toLowerCase()), quoted: false, punct: false})
      i += word.length
    } else {
      if (ch === '(') break
      words.push({text: ch, quoted: false, punct: true})
      i += 1
    }
  }
  return words
}

/** `name` or `schema.name` as written at words[i]. */
function qualifiedNameAt(words: ReturnType<typeof lexHead>, i: number): {schema?: string; name: string} | undefined {
  const first = words[i]
  if (!first || first.punct) return undefined
  const dot = words[i + 1]
  const second = words[i + 2]
  if (dot?.punct && dot.text === '.' && second && !second.punct) return {schema: first.text, name: second.text}
  return {name: first.text}
}
