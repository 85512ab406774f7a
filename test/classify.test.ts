// classify.ts: one HTTP answer to one verdict (pure).
import { describe, expect, it } from 'vitest'
import { classify } from '../src/classify'

const answer = (status: number, body = '', retryAfter: string | null = null) => ({ status, body, retryAfter })

describe('classify', () => {
  it.each([200, 201, 202, 204, 299])('%i is ok', (status) => {
    expect(classify(answer(status))).toEqual({ kind: 'ok' })
  })

  it.each([408, 429, 500, 502, 503, 504, 599])('%i is retried', (status) => {
    expect(classify(answer(status))).toMatchObject({ kind: 'retry', after: undefined })
  })

  it('Retry-After sets the wait of a retry', () => {
    expect(classify(answer(429, '', '2'))).toMatchObject({ kind: 'retry', after: 2000 })
    expect(classify(answer(503, '', '7'))).toMatchObject({ kind: 'retry', after: 7000 })
  })

  it('413 splits', () => {
    expect(classify(answer(413)).kind).toBe('split')
  })

  it.each([400, 404, 409, 410, 415, 422])('%i drops, with a reason naming the status', (status) => {
    const verdict = classify(answer(status, '{"error":"bad"}'))
    expect(verdict.kind).toBe('drop')
    expect((verdict as any).reason).toContain(String(status))
  })

  it.each([401, 403])('%i is an auth problem: the data is kept', (status) => {
    const verdict = classify(answer(status))
    expect(verdict.kind).toBe('auth')
    expect((verdict as any).reason).toContain('credentials')
  })

  it("a relay's 404 for an endpoint that misses its mount pauses sending and keeps the data (the site's setting, not the data)", () => {
    const reason = 'POST /relay/x is not a json upsert this relay forwards (mounted at /relay/; see the README\'s relay table for the page\'s endpoint)'
    expect(classify(answer(404, JSON.stringify({ error: 'path', reason })))).toEqual({
      kind: 'auth',
      reason: `HTTP 404: ${reason}. Queued updates are kept; sending pauses until the next page load (or 30 minutes).`,
    })
    // Any other 404, or those words with another status: the data was refused.
    expect(classify(answer(404, 'no such user')).kind).toBe('drop')
    expect(classify(answer(422, JSON.stringify({ error: 'path', reason: 'the path attribute is invalid' }))).kind).toBe('drop')
    expect(classify(answer(400, JSON.stringify({ error: 'origin', reason: 'origin is not a valid country' }))).kind).toBe('drop')
  })

  it("a relay's 403 for this page's origin says so (allowedOrigins), not that the credentials were refused", () => {
    const verdict = classify(answer(403, JSON.stringify({ error: 'origin', reason: "origin https://shop.example is not allowed: add it to the relay's allowedOrigins" })))
    expect(verdict).toEqual({
      kind: 'auth',
      reason: "HTTP 403: origin https://shop.example is not allowed: add it to the relay's allowedOrigins. Queued updates are kept; sending pauses until the next page load (or 30 minutes).",
    })
  })

  it("a relay's 403 for an identity signature drops that profile with the relay's reason; a body that is not an object is no reason", () => {
    expect(classify(answer(403, JSON.stringify({ error: 'signature', reason: 'the signature for user "u1" is wrong' })))).toEqual({
      kind: 'drop',
      reason: 'HTTP 403: the relay refused the identity signature: the signature for user "u1" is wrong',
    })
    expect(classify(answer(403, 'null')).kind).toBe('auth')
  })
})
