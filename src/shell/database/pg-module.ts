/**
 * The `pg` package, loaded once and lazily: commands that never touch a database do not pay for it.
 *
 * pg asks on load whether it runs in a Cloudflare Worker: without a global `navigator` (Node 20 has none) it
 * constructs a fetch Response, which loads undici — measured 28 ms of a 410 ms `migration new`, and about 9 ms of
 * CPU in each of `sbx push`'s two processes (sbx and its deploy guardian). A navigator naming Node answers the
 * question instead; it exists only while pg loads.
 */
let pgModule: Promise<typeof import('pg')> | undefined

export function loadPg(): Promise<typeof import('pg')> {
  pgModule ??= importPg()
  return pgModule
}

async function importPg(): Promise<typeof import('pg')> {
  if ('navigator' in globalThis) return import('pg')
  Object.defineProperty(globalThis, 'navigator', {
    value: {userAgent: `Node.js/${process.version}`},
    configurable: true,
    writable: true,
  })
  try {
    return await import('pg')
  } finally {
    delete (globalThis as {navigator?: unknown}).navigator
  }
}
