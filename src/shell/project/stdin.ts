/**
 * What `migration new` reads as the new file's content: stdin, unless it is a terminal, /dev/null or closed.
 * /dev/null is told from fd 0 itself: touching `process.stdin` builds a stream, and with it Node's stream
 * modules (about 2 ms of the fast path's start-up, measured), for the common case of an agent or a CI step
 * whose stdin is /dev/null and whose file starts empty.
 */
import {fstatSync, statSync} from 'node:fs'

export function stdinContent(): NodeJS.ReadableStream | undefined {
  try {
    const stdin = fstatSync(0)
    if (stdin.isCharacterDevice() && stdin.rdev === statSync('/dev/null').rdev) return undefined
  } catch {
    // fd 0 closed: nothing to read.
    return undefined
  }
  return process.stdin.isTTY ? undefined : process.stdin
}
