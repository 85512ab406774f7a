/**
 * Reading a vendor's refusal: its own message goes into the verdict's reason. What only the
 * HTTP status decides (2xx, 408, 413, 429, 5xx) is left to the generic rules in ../classify.
 */
import type { Answer, Verdict } from '../types.js'

/** What a vendor says about a refusal: its error type, if it has one, and its message. */
export interface Said {
  label?: string
  message?: string
}

/** Statuses the generic rules handle whatever the body says: retry (408, 429) and split (413). */
const GENERIC = [408, 413, 429]

/**
 * A JSON answer body, or undefined when the body is not JSON.
 * @example
 * readBody('{"status":"fail"}')?.status // 'fail'
 */
export function readBody(text: string): any {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * `<vendor> <label>: <message>`: the vendor's error type (else the HTTP status), then its message,
 * else a relay's `reason`, else the raw body, shortened.
 * @example
 * explain('MoEngage', answer, { label: 'Bad Request', message: 'customer_id is blocked' })
 * // 'MoEngage Bad Request: customer_id is blocked'
 */
export function explain(vendor: string, answer: Answer, said: Said = {}): string {
  const relay = readBody(answer.body)?.reason
  const message = said.message || (typeof relay === 'string' ? relay : answer.body.trim().slice(0, 500)) || 'no details'
  return `${vendor} ${said.label || `HTTP ${answer.status}`}: ${message}`
}

/**
 * The verdict on a vendor's 4xx answer, naming what the vendor said: 401 and 403 are refused
 * credentials, any other 4xx drops the data for good. Undefined for everything else, and for a
 * relay's identity refusal (a 403 `{ error: 'signature' }` concerns one profile, not the site's
 * credentials) or its 404 `{ error: 'path' }` (the page's endpoint misses the relay's mount), so
 * the generic rules decide.
 * @example
 * refusal('Haptik', { status: 401, body: '{"error_message":"invalid authorization details"}', retryAfter: null },
 *   { message: 'invalid authorization details' }) // { kind: 'auth', reason: 'Haptik HTTP 401: invalid ...' }
 */
export function refusal(vendor: string, answer: Answer, said: Said = {}): Verdict | undefined {
  const { status } = answer
  if (status < 400 || status >= 500 || GENERIC.includes(status)) return
  const relay = readBody(answer.body)?.error
  if ((status === 403 && relay === 'signature') || (status === 404 && relay === 'path')) return
  const reason = explain(vendor, answer, said)
  return status === 401 || status === 403
    ? { kind: 'auth', reason: `${reason.replace(/\.+$/, '')}. The credentials were refused: queued updates are kept and sending pauses; check the credential your relay adds.` }
    : { kind: 'drop', reason }
}
