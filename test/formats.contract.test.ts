// One contract every destination passes (klona-style shared suite): what goes in comes out on the
// wire with its type and instant, batches carry every record once within the vendor's limits,
// answers map onto ok / retry / split / drop / auth with the vendor's own words, rules explain
// each refusal, and building is pure.
import { describe, expect, it, vi } from 'vitest'
import { checkAttributes, idProblem } from '../src/attributes'
import { classify } from '../src/classify'
import { formats } from '../src/formats/index'
import { carriedProfiles } from '../src/relay/profiles'
import type { Answer, BuildContext, Format, OutgoingRequest, ProfileRecord } from '../src/types'
import { recordFor } from './formats.fixtures'

const NOW = Date.parse('2026-11-23T10:00:00.000Z')
const ANON = '5b0c1c9e-3f1a-4c55-9a51-0f3c2d9e7a10'

/** A stored record made the way the client makes it: the input goes through the format's rules. */
const record = (format: Format, userId: string, input: Record<string, unknown>) =>
  recordFor(format.rules, userId, input, { key: `${userId}:${ANON}`, anonymousId: ANON, rid: `r-${userId}`, messageId: `m-${userId}` })
const context = (created: (id: string) => boolean = () => false): BuildContext => ({
  endpoint: 'https://vendor.test/api/v1/customer/WS1/',
  headers: { 'x-site': 'yes' },
  now: NOW,
  created,
})
/** Every request of a build, chained steps included. */
const steps = (requests: OutgoingRequest[]) =>
  requests.flatMap((r) => {
    const all: OutgoingRequest[] = []
    for (let s: OutgoingRequest | undefined = r; s; s = s.then) all.push(s)
    return all
  })
/** What the requests deliver, read back the way the relay reads them: id -> wire name -> value. */
function readBack(format: Format, requests: OutgoingRequest[]) {
  const profiles: Record<string, Record<string, unknown>> = {}
  for (const r of steps(requests)) {
    for (const p of carriedProfiles(format.name, new URL(r.url).pathname, JSON.parse(r.body))) Object.assign((profiles[String(p.id)] ??= {}), p.values, p.custom)
  }
  return profiles
}
/** A vendor date string as an instant: Growlytics' `YYYY-MM-DD HH:MM:SS` is UTC. */
const instant = (text: unknown) => Date.parse(String(text).replace(' ', 'T').replace(/(\d\d:\d\d:\d\d(\.\d+)?)$/, '$1Z'))
const bytes = (text: string) => new TextEncoder().encode(text).length
const verdict = (format: Format, answer: Answer, request: OutgoingRequest) => format.classify?.(answer, request) ?? classify(answer, NOW)
const answer = (status: number, body = '', retryAfter: string | null = null): Answer => ({ status, body, retryAfter })

/** Per destination: profiles per request, largest body, and the vendor's documented answers. */
const expected: Record<string, { perRequest: number; maxBody: (url: string) => number; ok: string; refused: [number, string, string]; auth: string }> = {
  json: { perRequest: Infinity, maxBody: () => Infinity, ok: '', refused: [400, '{"error":"bad"}', 'HTTP 400'], auth: 'HTTP 401' },
  growlytics: { perRequest: 1, maxBody: () => Infinity, ok: '{"success":true}', refused: [422, '{"errors":["attributes[3].value is not a date"]}', 'attributes[3].value is not a date'], auth: 'Growlytics HTTP 401' },
  usercom: { perRequest: 1, maxBody: () => Infinity, ok: '{"created":true,"id":5577}', refused: [400, '{"detail":"Enter a valid email address."}', 'Enter a valid email address.'], auth: 'user.com HTTP 401' },
  moengage: { perRequest: Infinity, maxBody: (url) => (url.includes('/transition/') ? 100_000 : 128_000), ok: '{"status":"success","request_id":"r1"}', refused: [400, '{"status":"fail","error":{"type":"Bad Request","message":"customer_id is blocked","attribute":"customer_id"}}', 'customer_id is blocked'], auth: 'MoEngage HTTP 401' },
  haptik: { perRequest: 1, maxBody: () => Infinity, ok: '{"auth_id":"user42","name":"Asha"}', refused: [400, '{"error_message":"invalid mobile_no"}', 'invalid mobile_no'], auth: 'invalid authorization details' },
}

describe('the formats record', () => {
  it('holds json and the four vendors by name, each under its own name', () => {
    expect(Object.keys(formats)).toEqual(['json', 'growlytics', 'usercom', 'moengage', 'haptik'])
    for (const [name, format] of Object.entries(formats)) expect(format.name).toBe(name)
    expect(Object.values(formats).filter((f) => f.anonymous).map((f) => f.name)).toEqual(['json'])
  })
})

describe.each(Object.values(formats))('the $name destination', (format) => {
  const want = expected[format.name]
  const input = {
    plan: 'pro',
    seats: 3,
    ratio: -0.25,
    active: true,
    trial: false,
    signedUp: new Date('2026-11-23T10:00:00.000Z'),
    email: 'asha@example.com',
    ...(format.rules.arrayMax ? { tags: ['a', 'b'] } : {}),
  }
  const sample = record(format, 'user42', input)

  it('sends every attribute with its JSON type and the exact instant, to the site headers', () => {
    const requests = format.build([sample], context())
    for (const r of steps(requests)) {
      expect(r.headers).toMatchObject({ 'Content-Type': 'application/json', 'x-site': 'yes' })
      expect(['POST', 'PUT']).toContain(r.method)
      expect(r.records).toEqual([sample])
    }
    const { signedUp, ...values } = readBack(format, requests).user42
    expect(values).toEqual({ plan: 'pro', seats: 3, ratio: -0.25, active: true, trial: false, email: 'asha@example.com', ...(format.rules.arrayMax ? { tags: ['a', 'b'] } : {}) })
    expect(instant(signedUp)).toBe(NOW)
  })

  it('sends a date at its exact instant, or refuses it naming what would be lost', () => {
    const cases: [Date, RegExp][] = [[new Date('2026-11-23T10:00:00.123Z'), /milliseconds/], [new Date(Date.UTC(10000, 0, 1)), /year/]]
    for (const [at, lost] of cases) {
      const { rejected } = checkAttributes({ at }, format.rules)
      if (rejected.length) expect(rejected[0].reason).toMatch(lost)
      else expect(instant(readBack(format, format.build([record(format, 'user42', { at })], context())).user42.at)).toBe(at.getTime())
    }
  })

  it('carries a full batch, every record in exactly one request chain, within `batch`', () => {
    const records = Array.from({ length: format.batch }, (_, i) => record(format, `user${i}`, { i }))
    const requests = format.build(records, context())
    expect(requests).toHaveLength(Math.ceil(records.length / Math.min(want.perRequest, format.batch)))
    const carried = requests.flatMap((r) => r.records)
    expect(carried).toEqual(records)
    for (const r of steps(requests)) expect(r.records.length).toBeLessThanOrEqual(format.batch)
    expect(Object.keys(readBack(format, requests))).toHaveLength(records.length)
  })

  it('keeps large batches within the vendor size limits without losing a value', () => {
    const big = (i: number) => Object.fromEntries(Array.from({ length: 90 }, (_, k) => [`field${k}`, `${i}`.padEnd(500, 'x')]))
    const records = Array.from({ length: Math.min(format.batch, 8) }, (_, i) => record(format, `user${i}`, big(i)))
    const requests = format.build(records, context())
    for (const r of steps(requests)) expect(bytes(r.body)).toBeLessThan(want.maxBody(r.url))
    expect(requests.flatMap((r) => r.records)).toEqual(records)
    const sent = readBack(format, requests)
    for (let i = 0; i < records.length; i++) expect(sent[`user${i}`]).toEqual(big(i))
  })

  it('maps answers onto ok, retry, split, drop and refused credentials, quoting the vendor', () => {
    const [request] = format.build([sample], context())
    expect(verdict(format, answer(200, want.ok), request)).toEqual({ kind: 'ok' })
    expect(verdict(format, answer(500, '{"error":"boom"}'), request)).toMatchObject({ kind: 'retry' })
    expect(verdict(format, answer(503, '', '7'), request)).toMatchObject({ kind: 'retry', after: 7000 })
    expect(verdict(format, answer(429, '{}', '3'), request)).toMatchObject({ kind: 'retry', after: 3000 })
    expect(verdict(format, answer(413, '{}'), request)).toMatchObject({ kind: 'split' })
    const [status, body, says] = want.refused
    const refused = verdict(format, answer(status, body), request)
    expect(refused.kind).toBe('drop')
    expect((refused as { reason: string }).reason).toContain(says)
    const auth = verdict(format, answer(401, '{"error_message":"invalid authorization details"}'), request)
    expect(auth.kind).toBe('auth')
    expect((auth as { reason: string }).reason).toContain(want.auth)
  })

  it("drops a profile a verifying relay refused instead of pausing the site's credentials", () => {
    const [request] = format.build([sample], context())
    const refused = verdict(format, answer(403, '{"error":"signature","reason":"the signature does not match"}'), request)
    expect(refused).toMatchObject({ kind: 'drop', reason: expect.stringContaining('the signature does not match') })
  })

  it('explains every refusal of its rules and keeps the rest', () => {
    const rules = format.rules
    const bad: Record<string, unknown> = { ok: 'fine', nested: { a: 1 }, nan: NaN, fn: () => 1, ...JSON.parse('{"__proto__":1,"constructor":2}') }
    if (!rules.arrayMax) bad.list = ['a']
    if (Number.isFinite(rules.stringMax)) bad.long = 'x'.repeat(rules.stringMax + 1)
    if (Number.isFinite(rules.nameMax)) bad['n'.repeat(rules.nameMax + 1)] = 1
    const checked = checkAttributes(bad, rules)
    expect(Object.keys(checked.attributes)).toEqual(['ok'])
    const reasons = Object.fromEntries(checked.rejected.map((r) => [r.attribute, r.reason]))
    expect(reasons.nested).toMatch(/object/)
    expect(reasons.nan).toMatch(/finite number/)
    expect(reasons.fn).toMatch(/function/)
    expect(reasons.__proto__).toMatch(/reserved JavaScript name/)
    expect(reasons.constructor).toMatch(/reserved JavaScript name/)
    if (!rules.arrayMax) expect(reasons.list).toMatch(/array/)
    if (Number.isFinite(rules.stringMax)) expect(reasons.long).toContain(`limit is ${rules.stringMax}`)
    if (Number.isFinite(rules.nameMax)) expect(reasons['n'.repeat(rules.nameMax + 1)]).toContain(`limit is ${rules.nameMax}`)
    expect(idProblem('', rules)).toMatch(/empty/)
    expect(idProblem(42, rules)).toMatch(/string/)
    expect(idProblem('user42', rules)).toBeUndefined()
    if (Number.isFinite(rules.idMax)) expect(idProblem('u'.repeat(rules.idMax + 1), rules)).toContain(`limit is ${rules.idMax}`)
  })

  it('asks the client to remember only ids new to the destination, of its own records', () => {
    const creates = (known: boolean) => steps(format.build([sample], context(() => known))).flatMap((r) => r.creates ?? [])
    expect(creates(true)).toEqual([])
    for (const id of creates(false)) expect(id).toBe('user42')
  })

  it('is pure: no browser API, no clock, no change to its input, the same output twice', () => {
    const freeze = (o: any): any => (Object.values(o).forEach((v) => v && typeof v === 'object' && freeze(v)), Object.freeze(o))
    const frozen = freeze(structuredClone(sample))
    const fail = () => {
      throw new Error('a format reached for a global')
    }
    for (const name of ['fetch', 'indexedDB', 'localStorage', 'window', 'document', 'navigator']) vi.stubGlobal(name, undefined)
    vi.spyOn(Date, 'now').mockImplementation(fail)
    vi.spyOn(Math, 'random').mockImplementation(fail)
    try {
      const once = format.build([frozen], context())
      expect(format.build([frozen], context())).toEqual(once)
      expect(frozen).toEqual(sample)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
