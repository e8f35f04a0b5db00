/**
 * Stand-in bundles on disk: the archive the real `tar` reads, built once per content, and a cache folder that
 * cannot be written is an error naming it (exit 5), not a crash.
 */
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {ExitCode, SbxError} from '../../src/core/errors.js'
import {SUPABASE_EXTENSIONS} from '../../src/core/extensions/extension-catalog.js'
import {STAND_INS, standInControl} from '../../src/core/extensions/extension-stand-ins.js'
import {pgliteExtensions, standInBundle} from '../../src/shell/embedded/extension-bundles.js'

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bundles-'))
  onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

describe('standInBundle', () => {
  it('writes a gzipped tar that tar lists and extracts: the control file and the script', async () => {
    const cache = tmp()
    const bundle = await standInBundle('pg_cron', cache)
    const names = execFileSync('tar', ['-tzf', bundle], {encoding: 'utf8'}).trim().split('\n')
    const version = STAND_INS.pg_cron?.version
    expect(names).toEqual([
      'share/postgresql/extension/pg_cron.control',
      `share/postgresql/extension/pg_cron--${version}.sql`,
    ])
    const control = execFileSync('tar', ['-xzOf', bundle, 'share/postgresql/extension/pg_cron.control'], {
      encoding: 'utf8',
    })
    expect(control).toBe(standInControl(STAND_INS.pg_cron as NonNullable<typeof STAND_INS.pg_cron>))
  })

  it('reuses the bundle it built, and leaves nothing else in the folder', async () => {
    const cache = tmp()
    const first = await standInBundle('pgjwt', cache)
    const before = fs.statSync(first).mtimeMs
    const second = await standInBundle('pgjwt', cache)
    expect(second).toBe(first)
    expect(fs.statSync(second).mtimeMs).toBe(before)
    expect(fs.readdirSync(path.join(cache, 'extensions'))).toEqual([path.basename(first)])
  })

  it('says which folder it cannot write, as an outside failure (exit 5)', async () => {
    const file = path.join(tmp(), 'not-a-folder')
    fs.writeFileSync(file, '')
    const error = await standInBundle('pg_net', file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SbxError)
    expect((error as SbxError).exitCode).toBe(ExitCode.External)
    const {message} = error as SbxError
    expect(message.startsWith(`Cannot write the extension bundle pg_net to ${path.join(file, 'extensions')}: `)).toBe(
      true,
    )
    expect(message).not.toContain('\n')
    expect((error as SbxError).code).toBe('ECACHE')
  })
})

describe('pgliteExtensions', () => {
  it('gives one PGlite extension per bundle: the spi names share one, unknown and missing ones give none', async () => {
    const extensions = await pgliteExtensions(
      ['moddatetime', 'autoinc', 'vector', 'timescaledb', 'nosuch', 'pg_net'],
      tmp(),
    )
    expect(Object.keys(extensions).sort()).toEqual(['moddatetime', 'pg_net', 'vector'])
  })
})

describe('the catalog against the installed PGlite builds', () => {
  const builds = Object.entries(SUPABASE_EXTENSIONS).flatMap(([name, source]) =>
    source.kind === 'pglite' ? [{name, source}] : [],
  )

  it.each(builds)(
    '$name: the version sbx aliases from is the default_version of the installed build',
    async ({name, source}) => {
      // Each build on the release it is made for (PostGIS on its own, core/extensions/extension-catalog.ts).
      const extensions = await pgliteExtensions([name], tmp())
      const extension = extensions[source.load.export]
      if (!extension) throw new Error(`no bundle for ${name}`)
      const {bundlePath} = (await extension.setup({} as never, {PGLITE_ENV: {}}, false)) as {bundlePath: URL}
      const control = execFileSync(
        'tar',
        ['-xzOf', bundlePath.pathname, `share/postgresql/extension/${name}.control`],
        {
          encoding: 'utf8',
        },
      )
      expect(control).toMatch(new RegExp(`^default_version = '${source.version.replaceAll('.', '\\.')}'$`, 'm'))
    },
  )
})
