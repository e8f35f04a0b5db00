/**
 * What a replay without some extensions left out, and what follows from it: a statement that fails only because
 * it needs an object a skipped statement would have made is skipped too, and says so ("needs pgmq, through
 * set_vt_batch"), transitively. Pure: statement text and Postgres errors in, decisions out.
 */
import {dependsOnSkippedWork} from '../extensions/extension-plan.js'
import {createsObject, type MissingObject, parseCreation, parseMissingObject} from './missing-object.js'

/** Why a statement was skipped: the missing extensions it needs, and the skipped object it needs them through. */
export interface SkipReason {
  needs: string[]
  /** The object a skipped statement would have created that this statement uses (`set_vt_batch`). */
  through?: string
}

interface SkippedCreation {
  file: string
  statementIndex: number
  statement: string
  needs: string[]
}

export class SkippedWork {
  readonly #omitted = new Set<string>()
  readonly #creations: SkippedCreation[] = []

  /** Extensions whose CREATE EXTENSION was left out so far. */
  get omitted(): ReadonlySet<string> {
    return this.#omitted
  }

  /** A CREATE EXTENSION left out. */
  omit(extension: string, file: string, statementIndex: number, statement: string): void {
    this.#omitted.add(extension)
    this.#creations.push({file, statementIndex, statement, needs: [extension]})
  }

  /**
   * Whether a failed statement is taken to need skipped work, and why: it uses what a skipped statement would
   * have created, or (once an extension was left out) an object that does not exist and that no later statement
   * creates. undefined: a failure like any other.
   */
  reason(
    error: {code?: string; message: string},
    createdLater: (missing: MissingObject) => boolean,
  ): SkipReason | undefined {
    if (this.#omitted.size === 0) return undefined
    const missing = parseMissingObject(error)
    if (missing) {
      const creator = this.creatorOf(missing)
      if (creator) return {needs: creator.needs, through: missing.name}
      if (missing.kind === 'schema' && this.#omitted.has(missing.name)) return {needs: [missing.name]}
    }
    if (!dependsOnSkippedWork(error, missing !== undefined && createdLater(missing))) return undefined
    return {needs: [...this.#omitted]}
  }

  /** A statement stepped over for `reason`: what it would have created is skipped work too. */
  stepped(file: string, statementIndex: number, statement: string, reason: SkipReason): void {
    if (parseCreation(statement)) this.#creations.push({file, statementIndex, statement, needs: reason.needs})
  }

  /** The skipped statement that would have created `missing`, if any (the latest, as a redefinition wins). */
  creatorOf(missing: MissingObject): {file: string; statementIndex: number; needs: string[]} | undefined {
    const found = this.#creations.findLast((creation) => createsObject(creation.statement, missing))
    return found && {file: found.file, statementIndex: found.statementIndex, needs: found.needs}
  }
}
