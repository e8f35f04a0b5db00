/** Running supabase in sbx's place: same arguments, same terminal, its exit code. */
import {spawn} from 'node:child_process'
import {ExternalError} from '../core/errors.js'
import {resolveWorkdir} from '../shell/project.js'
import {findSupabaseBin} from '../shell/supabase.js'

export async function passThrough(argv: string[]): Promise<number> {
  const bin = findSupabaseBin(resolveWorkdir())
  const child = spawn(bin, argv, {stdio: 'inherit'})
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new ExternalError(`Cannot run ${bin}: ${error.message}`, 'ESUPABASE')))
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)))
  })
}
