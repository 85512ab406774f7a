/**
 * Retry timing as data: exponential backoff with full jitter, and the server's Retry-After,
 * which always wins over the computed delay.
 */

/** First retry waits up to this long (ms); each later one doubles it. */
export const BACKOFF_BASE = 1000
/** No computed wait is longer than this (ms). */
export const BACKOFF_CAP = 5 * 60 * 1000
/** The longest timer browsers keep (a signed 32-bit count of ms): a longer one fires at once. */
export const MAX_DELAY = 2 ** 31 - 1
/** After the endpoint refused the credentials, wait this long (or for the next page load). */
export const AUTH_PAUSE = 30 * 60 * 1000

/**
 * Full jitter: a uniform wait between 0 and the doubled ceiling, so that thousands of pages
 * that failed together do not come back together.
 */
export function backoffDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt)
  return Math.round(random() * (Number.isFinite(ceiling) ? ceiling : BACKOFF_CAP))
}

/** Retry-After as seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  if (at === at) return Math.max(0, at - now)
}
