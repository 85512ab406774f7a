// One contract every destination passes: mapping, types, dates, batching, answers, rejections, purity.
import { describe, expect, it, vi } from 'vitest'
import { checkAttributes, idProblem } from '../src/attributes'
import { classify } from '../src/classify'
import { formats } from '../src/formats/index'
import type { Answer, Format, OutgoingRequest, ProfileRecord } from '../src/types'

const DATE = '2026-11-23T10:00:00.000Z'
let n = 0
function record(userId: string, attributes: Record<string, [string, unknown]>): ProfileRecord {
  const attrs: ProfileRecord['attributes'] = {}
  for (const [name, [type, value]] of Object.entries(attributes)) attrs[name] = { type, value, seq: 1, at: 1 } as any
  return { key: `u:anon:${userId}`, userId, anonymousId: '5b0c1c9e-3f1a-4c55-9a51-0f3c2d9e7a10', rid: `r${n++}`, seq: 1, messageId: `m${n}`, created: n, attributes: attrs }
}
const context = { endpoint: 'https://vendor.test/v1/customer/WS1/', headers: { 'x-site': 'yes' }, now: Date.parse(DATE), created: () => false }
/** Every request of a build, chained steps included. */
const flatten = (requests: OutgoingRequest[]) => requests.flatMap((r) => (r.then ? [r, r.then] : [r]))
const verdict = (format: Format, answer: Answer, request: OutgoingRequest) => format.classify?.(answer, request) ?? classify(answer, Date.parse(DATE))

describe.each(Object.values(formats))('the $name destination', (format) => {
  const sample = record('user42', {
    plan: ['string', 'pro'],
    seats: ['number', 3],
    active: ['boolean', true],
    signedUp: ['date', DATE],
    email: ['string', 'asha@example.com'],
  })

  it('maps every attribute, with its type, into the request, with the site headers', () => {
    const requests = flatten(format.build([sample], context))
    expect(requests.length).toBeGreaterThan(0)
    const text = requests.map((r) => r.body).join('\n')
    for (const r of requests) {
      expect(r.headers['Content-Type']).toBe('application/json')
      expect(r.headers['x-site']).toBe('yes')
      expect(['POST', 'PUT']).toContain(r.method)
      expect(() => JSON.parse(r.body)).not.toThrow()
      expect(r.records).toContain(sample)
    }
    expect(text).toContain('"pro"')
    expect(text).toMatch(/:\s*3[,}\]]/)
    expect(text).toContain('true')
    expect(text).toContain('asha@example.com')
    expect(text).toContain('user42')
  })

  it('keeps the exact instant of a date', () => {
    const text = flatten(format.build([sample], context)).map((r) => r.body).join('\n')
    const found = text.match(/2026-11-23[T ]10:00:00(\.000)?Z?/)
    expect(found).not.toBeNull()
    const iso = found![0].replace(' ', 'T')
    expect(Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`)).toBe(Date.parse(DATE))
  })

  it('puts every record of a batch in exactly one request', () => {
    const records = Array.from({ length: format.batch }, (_, i) => record(`user${i}`, { i: ['number', i] }))
    const requests = format.build(records, context)
    const carried = requests.flatMap((r) => r.records)
    expect(carried).toHaveLength(records.length)
    expect(new Set(carried).size).toBe(records.length)
  })

  it('maps answers onto delivered, retry, drop and refused credentials', () => {
    const [request] = format.build([sample], context)
    const answer = (status: number, body = '{}', retryAfter: string | null = null) => ({ status, body, retryAfter })
    expect(verdict(format, answer(200, '{"success":true,"status":"success"}'), request).kind).toBe('ok')
    expect(verdict(format, answer(500), request).kind).toBe('retry')
    expect(verdict(format, answer(503), request).kind).toBe('retry')
    expect(verdict(format, answer(429, '{}', '3'), request)).toMatchObject({ kind: 'retry', after: 3000 })
    expect(verdict(format, answer(401, '{"error_message":"invalid authorization details"}'), request).kind).toBe('auth')
    const refused = verdict(format, answer(400, '{"error":{"message":"vendor says no"},"error_message":"vendor says no","detail":"vendor says no"}'), request)
    expect(refused.kind).toBe('drop')
    expect((refused as { reason: string }).reason).toMatch(/vendor says no|HTTP 400/)
  })

  it('reports rejections with a reason, and keeps the rest', () => {
    const checked = checkAttributes({ ok: 'fine', nested: { a: 1 }, nan: NaN }, format.rules)
    expect(Object.keys(checked.attributes)).toEqual(['ok'])
    expect(checked.rejected.map((r) => r.attribute)).toEqual(['nested', 'nan'])
    expect(checked.rejected.every((r) => r.reason.length > 10)).toBe(true)
    expect(idProblem('', format.rules)).toBeTruthy()
    expect(idProblem('user42', format.rules)).toBeUndefined()
  })

  it('is pure: building touches no browser API', () => {
    vi.stubGlobal('fetch', () => {
      throw new Error('fetch called')
    })
    vi.stubGlobal('indexedDB', undefined)
    try {
      expect(() => format.build([sample], context)).not.toThrow()
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
