/**
 * PGlite `Extension` objects for catalog names (core/extension-catalog.ts): PGlite's own builds, imported
 * lazily from their modules, and sbx's stand-ins, packaged as the same kind of bundle (a gzipped tar of a
 * control file and a script) and cached on disk by content hash, because PGlite reads a bundle from a path.
 * PGlite unpacks every bundle it is given into its in-memory file system at start, and compiles the bundle's
 * library if it has one: each costs start-up time, so callers pass only the extensions SQL will use.
 */
import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {gzipSync} from 'node:zlib'
import type {Extension} from '@electric-sql/pglite'
import {ExternalError} from '../core/errors.js'
import {SUPABASE_EXTENSIONS} from '../core/extension-catalog.js'
import {STAND_INS, standInFiles} from '../core/extension-stand-ins.js'
import {tarArchive} from '../core/tar.js'

/** PGlite's `extensions` option for these catalog names; names it cannot load are left out. */
export async function pgliteExtensions(names: readonly string[], cacheDir: string): Promise<Record<string, Extension>> {
  const entries = await Promise.all(
    [...new Set(names)].map(async (name): Promise<[string, Extension] | undefined> => {
      const source = Object.hasOwn(SUPABASE_EXTENSIONS, name) ? SUPABASE_EXTENSIONS[name] : undefined
      if (source?.kind === 'pglite') {
        const module = (await import(source.load.module).catch(() => ({}))) as Record<string, Extension | undefined>
        const extension = module[source.load.export]
        if (!extension) {
          throw new ExternalError(
            `Cannot load extension ${name} for the embedded database: ${source.load.module} (export ${source.load.export}) is not installed.`,
            'EEXTENSION',
            [`Reinstall sbx's dependencies (npm ci), or install ${source.load.module}.`],
          )
        }
        // Several names may share one bundle (autoinc, moddatetime… are PGlite's spi bundle): key by export.
        return [source.load.export, extension]
      }
      if (source?.kind === 'stand-in') {
        const bundle = await standInBundle(name, cacheDir)
        return [name, {name, setup: async () => ({bundlePath: pathToFileURL(bundle)})}]
      }
      return undefined
    }),
  )
  return Object.fromEntries(entries.filter((entry) => entry !== undefined))
}

/** The stand-in's bundle file, built once per content into `<cacheDir>/extensions/`. */
export async function standInBundle(name: string, cacheDir: string): Promise<string> {
  const standIn = STAND_INS[name]
  if (!standIn) throw new Error(`no stand-in for extension ${name}`)
  const files = standInFiles(name, standIn).map((file) => ({name: file.name, data: Buffer.from(file.text, 'utf8')}))
  const hash = createHash('sha256')
  for (const file of files) hash.update(file.name).update('\0').update(file.data).update('\0')
  const dir = path.join(cacheDir, 'extensions')
  const bundle = path.join(dir, `${name}-${hash.digest('hex').slice(0, 12)}.tar.gz`)
  if (await exists(bundle)) return bundle
  try {
    await fs.mkdir(dir, {recursive: true})
    // Written aside and renamed into place: a reader never sees half a bundle; two writers write the same bytes.
    const tmp = `${bundle}.${process.pid}-${randomBytes(4).toString('hex')}`
    await fs.writeFile(tmp, gzipSync(tarArchive(files)))
    await fs.rename(tmp, bundle)
  } catch (error) {
    throw new ExternalError(
      `Cannot write the ${name} stand-in to ${dir}: ${(error as Error).message}`,
      'ECACHE',
      ['Set SBX_CACHE_DIR to a writable folder.'],
      error,
    )
  }
  return bundle
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  )
}
