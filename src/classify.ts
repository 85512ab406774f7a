/**
 * One pure function from an HTTP answer to what happens to the data it carried. A format may
 * look at its vendor's bodies first (a 200 that says "fail"); this is what every answer falls
 * back to.
 */
import { parseRetryAfter } from './backoff.js'
import type { Answer, Verdict } from './types.js'

export function classify(answer: Answer, now = Date.now()): Verdict {
  const { status } = answer
  if (status >= 200 && status < 300) return { kind: 'ok' }
  if (status === 408 || status === 429 || status >= 500 || status < 200) {
    return { kind: 'retry', after: parseRetryAfter(answer.retryAfter, now), reason: `HTTP ${status}` }
  }
  if (status === 413) return { kind: 'split', reason: 'HTTP 413: the request was too large' }
  // A relay's own words: `{ error, reason }`.
  let said: { error?: unknown; reason?: unknown } = {}
  try {
    said = Object(JSON.parse(answer.body))
  } catch {}
  const reason = typeof said.reason == 'string' ? said.reason : answer.body
  // A relay with identity verification refuses a profile, not the site's credentials: drop it.
  if (status === 403 && said.error === 'signature') return { kind: 'drop', reason: `HTTP 403: the relay refused the identity signature: ${reason}` }
  const kept = 'Queued updates are kept; sending pauses until the next page load (or 30 minutes).'
  // A relay that refused this page's origin, or that the endpoint misses (its mount): the site's
  // settings are wrong, not the data, which is kept for when they are fixed.
  if ((said.error === 'origin' && status === 403) || (said.error === 'path' && status === 404)) return { kind: 'auth', reason: `HTTP ${status}: ${reason}. ${kept}` }
  if (status === 401 || status === 403) {
    return { kind: 'auth', reason: `HTTP ${status}: the endpoint refused the credentials. ${kept} Check the headers option, or the credential your relay adds.` }
  }
  return { kind: 'drop', reason: `HTTP ${status}: the endpoint rejected the data as invalid` }
}
