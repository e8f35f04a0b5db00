/** Snapshots of a folder tree, to assert that a run changed exactly what it should and nothing else. */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** Relative path (forward slashes) → a description of the entry: type, size, content hash and mtime. */
export type TreeSnapshot = Map<string, string>

export function snapshotTree(root: string, options: {exclude?: (rel: string) => boolean} = {}): TreeSnapshot {
  const snapshot: TreeSnapshot = new Map()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
      const absolute = path.join(dir, entry.name)
      const rel = path.relative(root, absolute).split(path.sep).join('/')
      if (options.exclude?.(rel)) continue
      if (entry.isSymbolicLink()) {
        snapshot.set(rel, `link → ${fs.readlinkSync(absolute)}`)
      } else if (entry.isDirectory()) {
        snapshot.set(rel, 'dir')
        walk(absolute)
      } else {
        const stat = fs.statSync(absolute)
        const hash = createHash('sha256').update(fs.readFileSync(absolute)).digest('hex')
        snapshot.set(rel, `file ${stat.size} ${hash} ${stat.mtimeMs} ${stat.mode.toString(8)}`)
      }
    }
  }
  if (fs.existsSync(root)) walk(root)
  return snapshot
}

export interface TreeDiff {
  added: string[]
  removed: string[]
  changed: string[]
}

export function diffTrees(before: TreeSnapshot, after: TreeSnapshot): TreeDiff {
  const added = [...after.keys()].filter((key) => !before.has(key)).sort()
  const removed = [...before.keys()].filter((key) => !after.has(key)).sort()
  const changed = [...after.keys()].filter((key) => before.has(key) && before.get(key) !== after.get(key)).sort()
  return {added, removed, changed}
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}
