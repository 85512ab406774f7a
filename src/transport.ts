/**
 * One request on the wire: fetch with a timeout, keepalive when the body is small enough to
 * outlive the page. Never rejects: a network failure or a timeout comes back as a reason.
 */
import type { Answer, OutgoingRequest } from './types.js'

/** Browsers refuse keepalive bodies past 64 KiB in flight; stay clear of it. */
export const KEEPALIVE_MAX = 60_000

const encoder = /* @__PURE__ */ new TextEncoder()

/** Byte length of a body as it goes on the wire (UTF-8). */
export function byteLength(text: string): number {
  return encoder.encode(text).length
}

export async function transmit(
  request: OutgoingRequest,
  timeout: number,
  keepalive: boolean,
  fetcher: typeof fetch = globalThis.fetch,
): Promise<Answer | string> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      // The timer settles the send by itself: a fetch wrapper of the page's may not pass the signal
      // on, and an unanswered request would then hold this tab's sending (and the other tabs') for ever.
      // Once it fired the race is settled: the abort's error, after it, is not read.
      new Promise<string>((resolve) => (timer = setTimeout(() => (controller.abort(), resolve(`no answer within ${timeout} ms`)), timeout))),
      (async () => {
        const response = await fetcher(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          keepalive,
          signal: controller.signal,
        })
        // The status is the server's word. A body another script has read already (a fetch wrapper
        // that logs answers) cannot be read again: it is then empty, not a failure to retry.
        return { status: response.status, body: await response.text().catch(() => ''), retryAfter: response.headers.get('retry-after') }
      })().catch((error) => `network error (${String(error)})`),
    ])
  } finally {
    clearTimeout(timer)
  }
}
