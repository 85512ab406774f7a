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
  const timer = setTimeout(() => controller.abort(), timeout)
  try {
    const response = await fetcher(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      keepalive,
      signal: controller.signal,
    })
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') }
  } catch (error) {
    return controller.signal.aborted ? `no answer within ${timeout} ms` : `network error (${String(error)})`
  } finally {
    clearTimeout(timer)
  }
}
