/**
 * Turning pg_dump's output into the squashed migration: pg_dump writes one entry per object, each under a
 * `-- Name: …; Type: …; Schema: …; Owner: -` header. The squash keeps the entries of the replayed database that
 * a fresh baseline database does not have byte for byte (so the Supabase baseline is never re-created), drops
 * what a Supabase project may not run or does not need, and refuses what it cannot re-create. Pure: text in,
 * text out.
 */

export interface DumpEntry {
  name: string
  type: string
  /** `-` for objects outside a schema. */
  schema: string
  /** The SQL of the entry, trimmed. */
  body: string
}

const HEADER = /^--\n-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: .*\n--\n/gmu

/** The entries of a pg_dump plain-text output, in its order (the preamble of SETs is not an entry). */
export function parseDump(text: string): DumpEntry[] {
  const entries: DumpEntry[] = []
  const matches = [...text.matchAll(HEADER)]
  matches.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length
    const end = matches[i + 1]?.index ?? text.length
    const body = stripTrailer(text.slice(start, end)).trim()
    entries.push({name: match[1] as string, type: match[2] as string, schema: match[3] as string, body})
  })
  return entries
}

/** The dump's closing comment ("PostgreSQL database dump complete") is no part of the last entry. */
function stripTrailer(body: string): string {
  return body.replace(/--\n-- PostgreSQL database dump complete\n--[\s\S]*$/u, '')
}

export function entryKey(entry: DumpEntry): string {
  return `${entry.type}\u0000${entry.schema}\u0000${entry.name}`
}

/** How a report names an entry: `TABLE public.notes`, `EXTENSION pg_trgm`. */
export function entryLabel(entry: Pick<DumpEntry, 'type' | 'schema' | 'name'>): string {
  return entry.schema === '-' ? `${entry.type} ${entry.name}` : `${entry.type} ${entry.schema}.${entry.name}`
}

/**
 * Entry types whose SQL can run again on top of the baseline's version of the same entry: it adds to it
 * (GRANT/REVOKE, COMMENT replaces, a publication's new table). Any other entry of the baseline that the
 * migrations changed (a column added to auth.users) cannot be re-created by CREATE and is refused.
 */
const REAPPLICABLE = new Set(['ACL', 'COMMENT', 'DEFAULT ACL', 'PUBLICATION TABLE', 'SEQUENCE SET'])

/**
 * Entries a Supabase project's `postgres` role may not run, or that the database gives anyway: an extension's
 * comment comes with the extension (and `COMMENT ON EXTENSION` needs its owner, supabase_admin). Object
 * privileges are written from the catalog instead (see OBJECT_ACLS_SQL).
 */
function dropped(entry: DumpEntry): boolean {
  if (entry.type === 'ACL') return !entry.name.startsWith('COLUMN ')
  return entry.type === 'COMMENT' && entry.name.startsWith('EXTENSION ')
}

export interface SchemaDifference {
  entries: DumpEntry[]
  /** Baseline entries the migrations changed and the squash cannot re-create. */
  changedBaseline: DumpEntry[]
}

/** The entries of `replayed` that `baseline` lacks, in the replayed dump's (dependency) order. */
export function subtractBaseline(baseline: readonly DumpEntry[], replayed: readonly DumpEntry[]): SchemaDifference {
  const before = new Map(baseline.map((entry) => [entryKey(entry), entry.body]))
  const entries: DumpEntry[] = []
  const changedBaseline: DumpEntry[] = []
  for (const entry of replayed) {
    const old = before.get(entryKey(entry))
    if (old === entry.body || dropped(entry)) continue
    if (old !== undefined && !REAPPLICABLE.has(entry.type)) changedBaseline.push(entry)
    else entries.push(entry)
  }
  return {entries, changedBaseline}
}

/** What the data section holds besides pg_dump's own entries: buckets and cron jobs, as SQL. */
export interface ExtraData {
  buckets: ReadonlyArray<Record<string, unknown>>
  cronJobs: ReadonlyArray<{jobname: string | null; schedule: string; command: string; active: boolean}>
}

/** The columns of storage.buckets the squash carries: created_at/updated_at are the time of the insert. */
export const BUCKET_COLUMNS = [
  'id',
  'name',
  'owner',
  'owner_id',
  'public',
  'avif_autodetection',
  'file_size_limit',
  'allowed_mime_types',
] as const

export interface SquashedFileParts {
  /** Files squashed, oldest first. */
  files: readonly string[]
  schema: readonly DumpEntry[]
  /** Statements setting object privileges (aclStatements), after the schema. */
  acls: readonly string[]
  data: readonly DumpEntry[]
  extra: ExtraData
}

/**
 * The squashed migration. Its preamble is what pg_dump's entries assume (qualified names under an empty
 * search_path; function bodies not checked before the tables they read exist); its data section runs with
 * triggers and foreign-key checks off (`session_replication_role = replica`, as `supabase db dump --data-only`
 * writes it), so rows are restored as they were, not re-derived by triggers. supabase resets settings before
 * the next file.
 */
export function squashedFileText(parts: SquashedFileParts): string {
  const first = parts.files[0] ?? ''
  const last = parts.files.at(-1) ?? ''
  const lines = [
    `-- Squashed by sbx squash: ${parts.files.length} migrations, ${first} … ${last}.`,
    '-- The schema is pg_dump of their replay minus the Supabase baseline; the data is the rows they left',
    '-- (see "sbx squash" in sbx\'s README). Edit with care: databases that applied the originals keep them.',
    '',
    'SET check_function_bodies = false;',
    "SELECT pg_catalog.set_config('search_path', '', false);",
    '',
  ]
  for (const entry of parts.schema) lines.push(`-- ${entryLabel(entry)}`, entry.body, '')
  if (parts.acls.length > 0) lines.push('-- Privileges', ...parts.acls, '')
  const data = [...parts.data.flatMap((entry) => [`-- ${entryLabel(entry)}`, entry.body, ''])]
  for (const bucket of parts.extra.buckets) data.push(bucketInsert(bucket))
  for (const job of parts.extra.cronJobs) data.push(...cronSchedule(job))
  if (data.length > 0) {
    lines.push('-- Data', 'SET session_replication_role = replica;', '', ...data, '', 'RESET session_replication_role;')
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trimEnd()}\n`
}

function bucketInsert(bucket: Record<string, unknown>): string {
  const columns = BUCKET_COLUMNS.filter((column) => bucket[column] !== null && bucket[column] !== undefined)
  const values = columns.map((column) => sqlLiteral(bucket[column]))
  return `INSERT INTO storage.buckets (${columns.join(', ')}) VALUES (${values.join(', ')});`
}

function cronSchedule(job: ExtraData['cronJobs'][number]): string[] {
  const call =
    job.jobname === null
      ? `SELECT cron.schedule(${sqlLiteral(job.schedule)}, ${sqlLiteral(job.command)});`
      : `SELECT cron.schedule(${sqlLiteral(job.jobname)}, ${sqlLiteral(job.schedule)}, ${sqlLiteral(job.command)});`
  if (job.active) return [call]
  const target = job.jobname === null ? `(SELECT max(jobid) FROM cron.job)` : sqlLiteral(job.jobname)
  const byName = job.jobname === null ? 'jobid = ' : 'jobname = '
  return [call, `UPDATE cron.job SET active = false WHERE ${byName}${target};`]
}

/** A SQL literal for a value as `pg`/PGlite return it (text, number, boolean, array of text). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return `ARRAY[${value.map(sqlLiteral).join(', ')}]::text[]`
  return `'${String(value).replaceAll("'", "''")}'`
}

/**
 * Object privileges, read from the catalog: pg_dump writes a GRANT/REVOKE relative to PostgreSQL's built-in
 * default, but a Supabase database's default privileges (ALTER DEFAULT PRIVILEGES … TO anon, authenticated,
 * service_role) grant more at CREATE time, so a REVOKE a migration made would come back (measured: `revoke
 * execute on function … from anon` lost). The squash therefore sets each object's privileges exactly: revoke
 * from PUBLIC and every role that could hold some, then grant what the replay left. Column privileges are not
 * subject to default privileges and stay pg_dump's. Extensions' own objects are left to their extension. Run
 * with search_path = '' (argument types qualified).
 */
const notMember = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`

export const OBJECT_ACLS_SQL = `
select 'TABLE' as kind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as object, c.relacl::text as acl
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'f') and c.relacl is not null and ${notMember('pg_class', 'c.oid')}
union all
select 'SEQUENCE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relacl::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and c.relacl is not null
    and ${notMember('pg_class', 'c.oid')}
union all
select case p.prokind when 'p' then 'PROCEDURE' else 'FUNCTION' end,
    quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
    p.proacl::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.prokind <> 'a' and p.proacl is not null
    and ${notMember('pg_proc', 'p.oid')}
union all
select 'TYPE', quote_ident(n.nspname) || '.' || quote_ident(t.typname), t.typacl::text
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where t.typtype in ('e', 'd', 'r', 'm') and t.typacl is not null and ${notMember('pg_type', 't.oid')}
union all
select 'SCHEMA', quote_ident(n.nspname), n.nspacl::text from pg_namespace n
  where n.nspacl is not null and ${notMember('pg_namespace', 'n.oid')}`

/** Roles that any default privileges grant to (they may hold privileges a CREATE gave). */
export const DEFAULT_ACL_GRANTEES_SQL = `
select distinct quote_ident(pg_get_userbyid(a.grantee)) as role
  from pg_default_acl d cross join lateral aclexplode(d.defaclacl) a where a.grantee <> 0 order by 1`

export interface ObjectAcl {
  kind: string
  object: string
  /** aclitem[] as text, e.g. {=X/postgres,anon=X/postgres}. */
  acl: string
}

/** The objects (outside the system schemas) whose privileges differ from the baseline's. */
export function changedAcls(baseline: readonly ObjectAcl[], replayed: readonly ObjectAcl[]): ObjectAcl[] {
  const before = new Map(baseline.map((row) => [`${row.kind} ${row.object}`, row.acl]))
  return replayed.filter(
    (row) => before.get(`${row.kind} ${row.object}`) !== row.acl && !/^"?(pg_|information_schema)/u.test(row.object),
  )
}

const PRIVILEGES: Record<string, string> = {
  r: 'SELECT',
  w: 'UPDATE',
  a: 'INSERT',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  X: 'EXECUTE',
  U: 'USAGE',
  C: 'CREATE',
  c: 'CONNECT',
  T: 'TEMPORARY',
  m: 'MAINTAIN',
}

/**
 * Every privilege of a kind as PostgreSQL 15 knows it: a set holding all of them (and PostgreSQL 17's MAINTAIN on
 * tables) is written `ALL`, which PostgreSQL 15 and 17 (Supabase's) read as their own full set.
 */
const ALL_OF: Record<string, string> = {
  TABLE: 'arwdDxt',
  SEQUENCE: 'rwU',
  FUNCTION: 'X',
  PROCEDURE: 'X',
  TYPE: 'U',
  SCHEMA: 'UC',
}

function privilegeList(kind: string, letters: string[]): string {
  const all = ALL_OF[kind]
  const complete = all !== undefined && [...all].every((letter) => letters.includes(letter))
  const extra = letters.filter((letter) => !all?.includes(letter) && letter !== 'm')
  if (complete && extra.length === 0) return 'ALL'
  return letters.map((letter) => PRIVILEGES[letter]).join(',')
}

/** REVOKE then GRANT statements that give `row.object` exactly the privileges of `row.acl`. */
export function aclStatements(row: ObjectAcl, grantees: readonly string[]): string[] {
  const items = row.acl
    .replace(/^\{|\}$/gu, '')
    .split(',')
    .filter(Boolean)
  const parsed = items.map((item) => {
    const [who, rest] = item.split('=') as [string, string]
    const [privileges] = rest.split('/') as [string]
    return {who: who === '' ? 'PUBLIC' : who, privileges}
  })
  const roles = [...new Set(['PUBLIC', ...grantees, ...parsed.map((p) => p.who)])]
  const statements = [`REVOKE ALL ON ${row.kind} ${row.object} FROM ${roles.join(', ')};`]
  for (const {who, privileges} of parsed) {
    const plain: string[] = []
    const grantable: string[] = []
    for (let i = 0; i < privileges.length; i++) {
      const letter = privileges[i] as string
      if (!PRIVILEGES[letter]) continue
      if (privileges[i + 1] === '*') {
        grantable.push(letter)
        i++
      } else plain.push(letter)
    }
    const on = `ON ${row.kind} ${row.object} TO ${who}`
    if (plain.length > 0) statements.push(`GRANT ${privilegeList(row.kind, plain)} ${on};`)
    if (grantable.length > 0) statements.push(`GRANT ${privilegeList(row.kind, grantable)} ${on} WITH GRANT OPTION;`)
  }
  return statements
}
