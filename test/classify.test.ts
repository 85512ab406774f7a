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
})
