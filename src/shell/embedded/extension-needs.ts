/**
 * The extensions a migrations folder needs on the embedded database (PGlite's builds and sbx's stand-ins),
 * for the embedded push target: supabase applies those migrations there, so their CREATE EXTENSION must find
 * the extension, and a later push must find the libraries of those created earlier. The deploy guardian
 * reads this before it opens the database.
 */
import path from 'node:path'
import {DEFAULT_LIBRARIES} from '../../core/extensions/extension-catalog.js'
import {type ExtensionNeeds, planExtensions} from '../../core/extensions/extension-plan.js'
import {migrationStatements} from '../../core/sql/sql-statements.js'
import {readMigrationFolder, readText} from '../project/migrations-dir.js'

export async function extensionsNeeded(migrationsDir: string): Promise<ExtensionNeeds> {
  const folder = await readMigrationFolder(migrationsDir)
  const files = await Promise.all(
    folder.migrations.map(async (migration) => ({
      file: migration.file,
      statements: migrationStatements(await readText(path.join(migrationsDir, migration.file))).statements,
    })),
  )
  const {load, versions} = planExtensions(files)
  return {load: [...new Set([...DEFAULT_LIBRARIES, ...load])], versions}
}
