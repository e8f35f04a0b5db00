/**
 * A minimal ustar writer: regular files only, names under 100 bytes. Enough for a PGlite extension bundle
 * (share/postgresql/extension/<name>.control and <name>--<version>.sql), which PGlite reads with tinytar. Pure.
 */

export interface TarEntry {
  /** Path inside the archive, '/'-separated, at most 99 bytes. */
  name: string
  data: Uint8Array
}

const BLOCK = 512

export function tarArchive(entries: readonly TarEntry[]): Uint8Array {
  const size = entries.reduce((sum, entry) => sum + BLOCK + padded(entry.data.length), 0) + 2 * BLOCK
  const out = new Uint8Array(size)
  let offset = 0
  for (const entry of entries) {
    out.set(header(entry), offset)
    offset += BLOCK
    out.set(entry.data, offset)
    offset += padded(entry.data.length)
  }
  // Two zero blocks end the archive (already zero).
  return out
}

function header(entry: TarEntry): Uint8Array {
  const name = new TextEncoder().encode(entry.name)
  if (name.length > 99) throw new RangeError(`tar entry name longer than 99 bytes: ${entry.name}`)
  const block = new Uint8Array(BLOCK)
  block.set(name, 0)
  writeOctal(block, 100, 8, 0o644) // mode
  writeOctal(block, 108, 8, 0) // uid
  writeOctal(block, 116, 8, 0) // gid
  writeOctal(block, 124, 12, entry.data.length)
  writeOctal(block, 136, 12, 0) // mtime: fixed, so that the same content gives the same bytes
  block.fill(0x20, 148, 156) // checksum field counts as spaces while summing
  block[156] = 0x30 // '0': regular file
  block.set(new TextEncoder().encode('ustar\u000000'), 257)
  const checksum = block.reduce((sum, byte) => sum + byte, 0)
  writeOctal(block, 148, 7, checksum)
  return block
}

/** An octal number, zero-padded to width - 1 digits and NUL-terminated, as ustar headers hold them. */
function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0')
  block.set(new TextEncoder().encode(text), offset)
  block[offset + width - 1] = 0
}

function padded(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK
}
