/**
 * PGlite `Extension` objects for catalog names (core/extensions/extension-catalog.ts): PGlite's own builds, imported
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
import {extensionModule, PGLITE_LINES, type PgliteLine} from '../../core/embedded/postgres-major.js'
import {ExternalError} from '../../core/errors.js'
import {EMBEDDED_ENGINES, SUPABASE_EXTENSIONS} from '../../core/extensions/extension-catalog.js'
import {buildModule, engineFor} from '../../core/extensions/extension-plan.js'
import {STAND_INS, standInFiles, versionAliases} from '../../core/extensions/extension-stand-ins.js'
import {tarArchive} from '../../core/extensions/tar.js'

const NEWEST_LINE = PGLITE_LINES.at(-1) as PgliteLine

/**
 * PGlite's `extensions` option for these catalog names; names it cannot load are left out, and so are builds
 * made for another PGlite release than engineFor(names) (core/extensions/extension-plan.ts). `versions`: the versions
 * migrations pin that differ from the embedded one, each given an alias (core versionAliases).
 */
export async function pgliteExtensions(
  names: readonly string[],
  cacheDir: string,
  versions: Readonly<Record<string, readonly string[]>> = {},
  line: PgliteLine = NEWEST_LINE,
): Promise<Record<string, Extension>> {
  // PostGIS's release (an 18 build) exists only beside the newest line; older lines load their own builds.
  const newest = line.major === NEWEST_LINE.major
  const engine = newest ? engineFor(names) : 'default'
  const contrib = newest ? EMBEDDED_ENGINES[engine].contrib : `${line.module}/contrib/`
  const build = (name: string, source: {load: {module: string; export: string}; engine?: string}) =>
    newest
      ? buildModule(name, engine)
      : source.engine && source.engine !== 'default'
        ? undefined
        : {module: extensionModule(line, source.load.module), export: source.load.export}
  const entries = await Promise.all(
    [...new Set(names)].flatMap((name) => {
      const source = Object.hasOwn(SUPABASE_EXTENSIONS, name) ? SUPABASE_EXTENSIONS[name] : undefined
      const pinned = versions[name] ?? []
      if (source?.kind === 'stand-in') {
        // The contrib libraries its functions call come along (wrappers' handlers are file_fdw's).
        const libraries = (STAND_INS[name]?.libraries ?? []).map((library) => {
          const load = {module: contrib + library, export: library}
          return pgliteBuild(library, load).then((extension): [string, Extension] => [library, extension])
        })
        return [standInBundle(name, cacheDir, pinned).then((bundle) => entry(name, bundle)), ...libraries]
      }
      const load = source?.kind === 'pglite' ? build(name, source) : undefined
      if (source?.kind !== 'pglite' || !load) return []
      const own = pgliteBuild(name, load).then((extension): [string, Extension] => [load.export, extension])
      if (pinned.length === 0) return [own]
      const label = `${name}-versions`
      const aliases = writeBundle(cacheDir, label, versionAliases(name, source.version, pinned))
      return [own, aliases.then((bundle) => entry(label, bundle))]
    }),
  )
  return Object.fromEntries(entries)
}

/** PGlite's own build, imported lazily from its module. */
async function pgliteBuild(name: string, load: {module: string; export: string}): Promise<Extension> {
  const module = (await import(load.module).catch(() => ({}))) as Record<string, Extension | undefined>
  const extension = module[load.export]
  if (!extension) {
    throw new ExternalError(
      `Cannot load extension ${name} for the embedded database: ${load.module} (export ${load.export}) is not installed.`,
      'EEXTENSION',
      [`Reinstall sbx's dependencies (npm ci), or install ${load.module}.`],
    )
  }
  // Several names may share one bundle (autoinc, moddatetime… are PGlite's spi bundle): the caller keys by export.
  return extension
}

function entry(name: string, bundle: string): [string, Extension] {
  return [name, {name, setup: async () => ({bundlePath: pathToFileURL(bundle)})}]
}

/** The stand-in's bundle file, built once per content into `<cacheDir>/extensions/`. */
export async function standInBundle(name: string, cacheDir: string, versions: readonly string[] = []): Promise<string> {
  const standIn = STAND_INS[name]
  if (!standIn) throw new Error(`no stand-in for extension ${name}`)
  return writeBundle(cacheDir, name, standInFiles(name, standIn, versions))
}

/** A bundle of these files, written once per content as `<cacheDir>/extensions/<label>-<hash>.tar.gz`. */
async function writeBundle(
  cacheDir: string,
  label: string,
  textFiles: ReadonlyArray<{name: string; text: string}>,
): Promise<string> {
  const files = textFiles.map((file) => ({name: file.name, data: Buffer.from(file.text, 'utf8')}))
  const hash = createHash('sha256')
  for (const file of files) hash.update(file.name).update('\0').update(file.data).update('\0')
  const dir = path.join(cacheDir, 'extensions')
  const bundle = path.join(dir, `${label}-${hash.digest('hex').slice(0, 12)}.tar.gz`)
  if (await exists(bundle)) return bundle
  try {
    await fs.mkdir(dir, {recursive: true})
    // Written aside and renamed into place: a reader never sees half a bundle; two writers write the same bytes.
    const tmp = `${bundle}.${process.pid}-${randomBytes(4).toString('hex')}`
    await fs.writeFile(tmp, gzipSync(tarArchive(files)))
    await fs.rename(tmp, bundle)
  } catch (error) {
    throw new ExternalError(
      `Cannot write the extension bundle ${label} to ${dir}: ${(error as Error).message}`,
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
