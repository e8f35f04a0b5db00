/** An HTTP POST of one JSON body, bounded by a timeout (node's fetch; the socket is dropped when it expires). */

/** Resolves when the server answered 2xx; otherwise rejects with a message that never contains the URL's path. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const e = error as Error
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new Error(`no answer within ${timeoutMs / 1000} s`)
    const cause = (e.cause as Error | undefined)?.message
    throw new Error(cause ?? e.message)
  }
  await response.body?.cancel().catch(() => undefined)
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
}

/** How messages name a webhook: its origin only (Slack-style URLs hold their secret in the path). */
export function webhookLabel(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'the webhook'
  }
}
