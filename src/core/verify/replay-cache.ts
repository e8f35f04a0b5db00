/**
 * The replay cache's pure parts: the content address of the database state after a prefix of migration files (a
 * hash chain), which prefixes a run stores, which entries go when the cache is over its size (least recently
 * used first), and the entry format (a header naming its key and what it holds, the data directory's files, one
 * checksum over all of it). Hashing is passed in (node:crypto lives in shell/).
 */

/**
 * Bump when what a replay leaves behind, or what the entry carries about it, changes in a way the inputs of the
 * chain do not show (the replay's SQL, the ledger's or the tracers' state). Entries of another version are foreign.
 */
export const REPLAY_CACHE_VERSION = 1

/** `[verify] replay_cache` when unset: about 25 entries of a few hundred migrations each. */
export const DEFAULT_REPLAY_CACHE_BYTES = 1024 ** 3

/**
 * Which prefixes a run stores, as "all files but the newest N": all of them (the next run of the same files, or a
 * branch adding files on top), all but the newest (editing the file being written), all but the newest 10 (a
 * branch's own files reworked).
 */
export const STORED_PREFIXES = [0, 1, 10] as const

/**
 * A state is stored only when it saves the next run at least this many files over the prefix this run started
 * from: storing one (CHECKPOINT, reading and writing some 30 MB) costs about what replaying 20–40 files does
 * (measured: 1,000 files of 4 statements replay in 8.3 s). So a branch adding 5 files to a cached 1,000 stores
 * nothing and pays only for its 5, and a replay never redoes more than this many files plus the changed ones.
 */
export const MIN_FILES_SAVED = 20

export type Digest = (parts: readonly (string | Uint8Array)[]) => string

/** What decides the state after the files besides the files themselves. */
export interface ReplaySeed {
  /** The baseline's folder name: PGlite version, baseline SQL, layout, stand-ins of the baseline, emulation. */
  baseline: string
  /** The PGlite line's major and the project's [db] major_version (syntax newer than it is refused). */
  lineMajor: number
  projectMajor: number
  /** Extensions loaded, the versions migrations pin, and the stand-ins' versions. */
  extensions: readonly string[]
  versions: Readonly<Record<string, readonly string[]>>
  standIns: Readonly<Record<string, string | null>>
  /** A statement longer than this fails the file: a stricter limit must not reuse a looser run. */
  statementTimeoutMs: number
  /** Which state rides along (a run that needs a ledger cannot resume from an entry without one). */
  carries: {ledger: boolean; tracer: string | null; observer: string | null}
  /** sbx's own version: a release may replay differently. */
  sbx: string
}

export interface ChainFile {
  file: string
  /** The file's bytes as the replay reads them. */
  text: string
}

/**
 * keys[i] is the address of the state after the first i files (keys[0]: the baseline alone). Each key covers the
 * one before it, so an edit to file i changes keys[i + 1] and every key after it, and no key before.
 */
export function chainKeys(seed: ReplaySeed, files: readonly ChainFile[], digest: Digest): string[] {
  const keys = [digest([`sbx-replay-cache ${REPLAY_CACHE_VERSION}\n`, canonicalJson(seed)])]
  for (const file of files) {
    const previous = keys.at(-1) as string
    keys.push(digest([previous, '\n', file.file, '\n', digest([file.text])]))
  }
  return keys
}

/** JSON with object keys sorted, so that the seed's address does not depend on the order it was built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The longest prefix (by number of files) whose key is stored; 0 when none is. */
export function longestCachedPrefix(keys: readonly string[], stored: ReadonlySet<string>): number {
  for (let position = keys.length - 1; position > 0; position--) {
    if (stored.has(keys[position] as string)) return position
  }
  return 0
}

/** The positions (numbers of files) whose state a run of `total` files that resumed at `resumed` stores. */
export function positionsToStore(total: number, resumed: number): number[] {
  const positions = STORED_PREFIXES.map((newest) => total - newest).filter((p) => p - resumed >= MIN_FILES_SAVED)
  return [...new Set(positions)].sort((a, b) => a - b)
}

export interface CacheEntryStat {
  name: string
  bytes: number
  /** When it was last written or loaded (ms). */
  usedAt: number
}

/**
 * The entries to delete, least recently used first, until the rest fits `budgetBytes`. Entries in `keep` (just
 * written or loaded by this run) are never chosen; they still count towards the size.
 */
export function entriesToEvict(
  entries: readonly CacheEntryStat[],
  budgetBytes: number,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0)
  const out: string[] = []
  const oldestFirst = [...entries].sort((a, b) => a.usedAt - b.usedAt || (a.name < b.name ? -1 : 1))
  for (const entry of oldestFirst) {
    if (total <= budgetBytes) break
    if (keep.has(entry.name)) continue
    out.push(entry.name)
    total -= entry.bytes
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// The entry format.

const MAGIC = 'SBXRC01\n'
const DIGEST_LENGTH = 64
const PREFIX_LENGTH = MAGIC.length + DIGEST_LENGTH + 4

/** One file of the data directory: `stored` bytes kept, zeros up to `size` (a WAL segment's unused tail). */
export interface EntryFile {
  path: string
  size: number
  bytes: Uint8Array
}

export interface CacheEntry<State = unknown> {
  key: string
  /** Number of files replayed. */
  position: number
  /** What the report needs about those files (ledger, traces, the observer's state, counts). */
  state: State
  /** Folders of the data directory (empty ones too), relative. */
  dirs: readonly string[]
  files: readonly EntryFile[]
}

interface Header {
  format: number
  version: number
  key: string
  position: number
  state: unknown
  dirs: string[]
  files: Array<{path: string; size: number; stored: number}>
}

/**
 * `MAGIC`, the digest of everything after it, the header's length (4 bytes, big-endian), the header (JSON), the
 * files' stored bytes in header order. Returned as parts, to be written without one more copy.
 */
export function encodeEntry(entry: CacheEntry, digest: Digest): Uint8Array[] {
  const header: Header = {
    format: 1,
    version: REPLAY_CACHE_VERSION,
    key: entry.key,
    position: entry.position,
    state: entry.state,
    dirs: [...entry.dirs],
    files: entry.files.map((file) => ({path: file.path, size: file.size, stored: file.bytes.byteLength})),
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const length = new Uint8Array(4)
  new DataView(length.buffer).setUint32(0, headerBytes.byteLength)
  const body = [length, headerBytes, ...entry.files.map((file) => file.bytes)]
  const sum = new TextEncoder().encode(digest(body))
  return [new TextEncoder().encode(MAGIC), sum, ...body]
}

export type DecodeResult<State> = {ok: true; entry: CacheEntry<State>} | {ok: false; reason: string}

/**
 * The entry in `bytes` if it is whole, ours, of this version and for `key`; else why not. Nothing of an entry
 * that fails any check is used.
 */
export function decodeEntry<State = unknown>(bytes: Uint8Array, key: string, digest: Digest): DecodeResult<State> {
  const text = (from: number, to: number) => new TextDecoder().decode(bytes.subarray(from, to))
  if (bytes.byteLength < PREFIX_LENGTH || text(0, MAGIC.length) !== MAGIC) return {ok: false, reason: 'not an entry'}
  const sum = text(MAGIC.length, MAGIC.length + DIGEST_LENGTH)
  if (digest([bytes.subarray(MAGIC.length + DIGEST_LENGTH)]) !== sum) return {ok: false, reason: 'checksum mismatch'}
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(MAGIC.length + DIGEST_LENGTH)
  const headerEnd = PREFIX_LENGTH + headerLength
  if (headerEnd > bytes.byteLength) return {ok: false, reason: 'truncated header'}
  let header: Header
  try {
    header = JSON.parse(text(PREFIX_LENGTH, headerEnd)) as Header
  } catch {
    return {ok: false, reason: 'unreadable header'}
  }
  const invalid = headerProblem(header, key)
  if (invalid) return {ok: false, reason: invalid}
  const files: EntryFile[] = []
  let offset = headerEnd
  for (const file of header.files) {
    files.push({path: file.path, size: file.size, bytes: bytes.subarray(offset, offset + file.stored)})
    offset += file.stored
  }
  if (offset !== bytes.byteLength) return {ok: false, reason: 'length mismatch'}
  return {ok: true, entry: {key, position: header.position, state: header.state as State, dirs: header.dirs, files}}
}

function headerProblem(header: Header, key: string): string | undefined {
  if (header?.format !== 1 || header.version !== REPLAY_CACHE_VERSION) return 'another format'
  if (header.key !== key) return 'another key'
  if (!Number.isInteger(header.position) || header.position < 1) return 'bad position'
  if (!Array.isArray(header.dirs) || !Array.isArray(header.files)) return 'bad file list'
  if (!header.dirs.every(isSafePath)) return 'unsafe path'
  for (const file of header.files) {
    if (!isSafePath(file?.path)) return 'unsafe path'
    const sizes = [file.size, file.stored]
    if (!sizes.every((n) => Number.isInteger(n) && n >= 0) || file.stored > file.size) return 'bad file size'
  }
  return undefined
}

/** A relative path inside the data directory: no absolute path, no `..`, no empty or dot segment. */
export function isSafePath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.startsWith('/') || value.includes('\\')) return false
  return value.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0'))
}

/**
 * Of a data directory's WAL segments after a CHECKPOINT, those a start needs: from the one holding the
 * checkpoint's redo point to the one being written (later names are recycled segments). Of the one being written
 * only the pages up to the insert position are kept; the rest restores as zeros, which recovery reads as the end.
 */
export function walToKeep(
  segments: readonly string[],
  wal: {redoFile: string; currentFile: string; insertOffset: number; blockSize: number},
): Map<string, number | 'all'> {
  const keep = new Map<string, number | 'all'>()
  for (const name of segments) {
    if (name < wal.redoFile || name > wal.currentFile) continue
    if (name === wal.currentFile) keep.set(name, Math.ceil(wal.insertOffset / wal.blockSize) * wal.blockSize)
    else keep.set(name, 'all')
  }
  return keep
}
