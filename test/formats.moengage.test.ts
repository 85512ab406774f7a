// MoEngage on the wire, as vendors.md §4 gives it: one customer body, or the bulk transition
// endpoint for several, under 100 KB a call (128 KB alone), dates to the second, and its rules.
import { describe, expect, it } from 'vitest'
import { checkAttributes, idProblem } from '../src/attributes'
import { MOENGAGE_BLOCKED_IDS, moengage } from '../src/formats/moengage'
import type { BuildContext, OutgoingRequest, ProfileRecord } from '../src/types'
import { recordFor } from './formats.fixtures'

const CUSTOMER = 'https://api-03.moengage.com/v1/customer/WS1'
const TRANSITION = 'https://api-03.moengage.com/v1/transition/WS1'
const HEADERS = { 'Content-Type': 'application/json', Authorization: 'Basic V1MxOmtleQ==' }
const context: BuildContext = { endpoint: CUSTOMER, headers: { Authorization: 'Basic V1MxOmtleQ==' }, now: 0, created: () => false }
const rules = moengage.rules
const reason = (input: Record<string, unknown>) => checkAttributes(input, rules).rejected.map((r) => `${r.attribute}: ${r.reason}`)
const bytes = (text: string) => new TextEncoder().encode(text).length

const record = (userId: string, input: Record<string, unknown>) => recordFor(rules, userId, input)
const profileIdOf = (r: ProfileRecord) => r.userId
/** `count` attributes of 500 copies of `char` each. */
const filler = (count: number, char: string) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, char.repeat(500)]))

describe('moengage requests', () => {
  it('POSTs one profile as a lowercase customer body, dates to the second', () => {
    const r = record('cust-1', { name: 'John', points: 20, expiry_date: new Date('2020-05-31T03:47:35.000Z'), super_user: true, tags: ['a', 'b'] })
    expect(moengage.build([r], context)).toEqual([
      {
        url: CUSTOMER,
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ type: 'customer', customer_id: 'cust-1', attributes: { name: 'John', points: 20, expiry_date: '2020-05-31T03:47:35Z', super_user: true, tags: ['a', 'b'] } }),
        records: [r],
      },
    ])
  })

  it('sends several profiles in one transition call to the sibling bulk URL', () => {
    const records = [record('cust-2', { a: 1 }), record('cust-3', { b: 'x' })]
    expect(moengage.build(records, context)).toEqual([
      {
        url: TRANSITION,
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          type: 'transition',
          elements: [
            { type: 'customer', customer_id: 'cust-2', attributes: { a: 1 } },
            { type: 'customer', customer_id: 'cust-3', attributes: { b: 'x' } },
          ],
        }),
        records,
      },
    ])
  })

  it('puts a second record of one customer in a later call: MoEngage does not order the elements of one call', () => {
    const records = [record('u1', { plan: 'a' }), record('u2', { b: 1 }), record('u1', { plan: 'b' }), record('u3', { c: 1 })]
    const requests = moengage.build(records, context)
    expect(requests.map((q) => [q.url, q.records.map(profileIdOf)])).toEqual([
      [TRANSITION, ['u1', 'u2']],
      [TRANSITION, ['u1', 'u3']],
    ])
    expect(JSON.parse(requests[1].body).elements[0]).toEqual({ type: 'customer', customer_id: 'u1', attributes: { plan: 'b' } })
  })

  it('finds the bulk URL behind a relay; without a /customer/<id> path it sends one call per profile', () => {
    const two = [record('c1', { a: 1 }), record('c2', { a: 2 })]
    const urls = (endpoint: string) => moengage.build(two, { ...context, endpoint }).map((q) => q.url)
    expect(urls('/relay/moengage/v1/customer/WS1')).toEqual(['/relay/moengage/v1/transition/WS1'])
    expect(urls('/relay/v1/customer/WS1/')).toEqual(['/relay/v1/transition/WS1/'])
    expect(urls('/customer/x/v1/customer/WS1?debug=1')).toEqual(['/customer/x/v1/transition/WS1?debug=1'])
    expect(urls('/profiles/moengage')).toEqual(['/profiles/moengage', '/profiles/moengage'])
  })

  it('splits a bulk batch into calls under 100 KB, counting UTF-8 bytes, every profile once and in order', () => {
    // 30,000 characters but about 60 KB each: two fit by length, not by bytes.
    const records = Array.from({ length: 5 }, (_, i) => record(`cust-${i}`, filler(60, 'é')))
    const requests = moengage.build(records, context)
    expect(requests.flatMap((q) => q.records)).toEqual(records)
    expect(requests.map((q) => q.url)).toEqual([CUSTOMER, CUSTOMER, CUSTOMER, CUSTOMER, CUSTOMER])
    const small = Array.from({ length: 100 }, (_, i) => record(`cust-${i}`, filler(6, 'x')))
    const bulk = moengage.build(small, context)
    expect(bulk.length).toBe(4)
    // Packed tight: each full call is within one profile (about 3.1 KB) of the limit.
    for (const q of bulk.slice(0, -1)) expect(bytes(q.body)).toBeGreaterThan(100_000 - 3_200)
    for (const q of bulk) {
      expect(q.url).toBe(TRANSITION)
      expect(bytes(q.body)).toBeLessThan(100_000)
      expect(JSON.parse(q.body).elements.map((e: any) => e.customer_id)).toEqual(q.records.map((r) => r.userId))
    }
    expect(bulk.flatMap((q) => q.records)).toEqual(small)
  })

  it('sends a profile between 100 KB and 128 KB alone to the customer URL', () => {
    const records = [record('c1', { a: 1 }), record('c2', filler(220, 'x')), record('c3', { b: 2 })]
    const requests = moengage.build(records, context)
    expect(requests.map((q) => [q.url, q.records.map((r) => r.userId)])).toEqual([
      [CUSTOMER, ['c1']],
      [CUSTOMER, ['c2']],
      [CUSTOMER, ['c3']],
    ])
    expect(bytes(requests[1].body)).toBeGreaterThan(100_000)
    expect(bytes(requests[1].body)).toBeLessThan(128_000)
  })

  it('spreads a profile over 128 KB across chained customer calls that settle together', () => {
    const r = record('big', filler(300, 'x'))
    const [first, ...more] = moengage.build([r], context)
    expect(more).toEqual([])
    const chain: OutgoingRequest[] = []
    for (let s: OutgoingRequest | undefined = first; s; s = s.then) chain.push(s)
    expect(chain.length).toBe(2)
    const sent: Record<string, unknown> = {}
    for (const step of chain) {
      expect(step).toMatchObject({ url: CUSTOMER, method: 'POST', headers: HEADERS, records: [r] })
      expect(bytes(step.body)).toBeLessThan(128_000)
      const body = JSON.parse(step.body)
      expect([body.type, body.customer_id]).toEqual(['customer', 'big'])
      Object.assign(sent, body.attributes)
    }
    expect(sent).toEqual(filler(300, 'x'))
  })
})

describe('moengage rules', () => {
  it('refuses every blocked customer_id in any case, and ids shorter than 2 characters', () => {
    for (const id of MOENGAGE_BLOCKED_IDS.filter(Boolean)) expect(idProblem(id.toUpperCase(), rules), id).toMatch(/customer_id/)
    expect(idProblem(' Guest ', rules)).toBe('MoEngage refuses " Guest " as a customer_id (a placeholder value)')
    expect(idProblem('x', rules)).toBe('MoEngage needs a customer_id of at least 2 characters')
    expect(idProblem('ab', rules)).toBeUndefined()
  })

  it('refuses id, _id, the moe_ and USER_ATTRIBUTE_ prefixes, reserved names, and names over 200', () => {
    const names = ['id', '_id', 'moe_mobile', 'MOE_GAID', 'USER_ATTRIBUTE_UNIQUE_ID', 'MOE_TIME_FORMAT', 'INSTALL', 'UPDATE', 'status', 'user_id', 'source', 'n'.repeat(201)]
    expect(reason(Object.fromEntries([...names, 'n'.repeat(200), 'Status', 'identity'].map((n) => [n, 1])))).toEqual([
      'id: "id" is blocked as an attribute name by MoEngage',
      '_id: "_id" is blocked as an attribute name by MoEngage',
      'moe_mobile: the name starts with the reserved prefix moe_',
      'MOE_GAID: the name starts with the reserved prefix moe_',
      'USER_ATTRIBUTE_UNIQUE_ID: the name starts with the reserved prefix USER_ATTRIBUTE_',
      'MOE_TIME_FORMAT: the name starts with the reserved prefix moe_',
      'INSTALL: "INSTALL" is a name MoEngage reserves',
      'UPDATE: "UPDATE" is a name MoEngage reserves',
      'status: "status" is a name MoEngage reserves',
      'user_id: "user_id" is a name MoEngage reserves',
      'source: "source" is a name MoEngage reserves',
      `${'n'.repeat(201)}: the name has 201 characters; the limit is 200`,
    ])
  })

  it('strings up to 512; arrays of one type, at most 50 items of at most 512 characters', () => {
    expect(reason({ s: 'x'.repeat(512), a: Array(50).fill('y'.repeat(512)), b: [true, false], e: [] })).toEqual([])
    expect(reason({ s: 'x'.repeat(513), many: Array(51).fill(1), mixed: [1, 'a'], long: ['y'.repeat(513)], nested: [[1]], dates: [new Date(0)], objects: [{}] })).toEqual([
      's: the value has 513 characters; the limit is 512 (Userbeam never truncates: shorten it before sending)',
      'many: the array has 51 items; the limit is 50',
      'mixed: item 1 is a string but item 0 is a number; arrays hold one type',
      'long: item 0: the value has 513 characters; the limit is 512 (Userbeam never truncates: shorten it before sending)',
      'nested: item 0 is an array; arrays hold strings, numbers or booleans',
      'dates: item 0 is a Date; arrays hold strings, numbers or booleans',
      'objects: item 0 is an object; arrays hold strings, numbers or booleans',
    ])
  })

  it('refuses an array that would not fit one call as JSON (escaped control characters), with its size', () => {
    expect(reason({ ok: Array(50).fill('😀'.repeat(512)) })).toEqual([])
    expect(reason({ big: Array(50).fill('\u0001'.repeat(512)), plan: 'pro' })).toEqual([
      'big: the array takes 153751 bytes as JSON; one value may take at most 120,000 (a MoEngage call carries 128,000)',
    ])
  })

  it('refuses a Date with milliseconds rather than sending it as a string', () => {
    expect(reason({ at: new Date('2026-11-23T10:00:00.001Z') })[0]).toMatch(/^at: this destination stores dates to the second/)
  })
})

describe('moengage answers', () => {
  const [request] = moengage.build([record('c1', { a: 1 })], context)
  const answer = (status: number, body: unknown) => moengage.classify!({ status, body: JSON.stringify(body), retryAfter: null }, request)
  const fail = (type: string, message: string, attribute?: string) => ({ status: 'fail', error: { type, message, ...(attribute ? { attribute } : {}) } })

  it('a success body is left to the HTTP rules; a 200 that says fail drops', () => {
    expect(answer(200, { status: 'success', request_id: 'r1' })).toBeUndefined()
    expect(answer(200, fail('Bad Request', 'type must be lowercase'))).toEqual({ kind: 'drop', reason: 'MoEngage Bad Request: type must be lowercase' })
  })

  it("drops 400, 409 and 415 with MoEngage's own message", () => {
    expect(answer(400, fail('Bad Request', 'customer_id is blocked', 'customer_id'))).toEqual({ kind: 'drop', reason: 'MoEngage Bad Request: customer_id is blocked (attribute customer_id)' })
    expect(answer(409, fail('Conflict', 'duplicate request'))).toEqual({ kind: 'drop', reason: 'MoEngage Conflict: duplicate request' })
    expect(answer(415, fail('Unsupported Media Type', 'send JSON'))).toEqual({ kind: 'drop', reason: 'MoEngage Unsupported Media Type: send JSON' })
  })

  it('401 and 403 are refused credentials; 413, 429 and 5xx go to the HTTP rules', () => {
    expect(answer(401, fail('Authentication required', 'invalid credentials'))).toMatchObject({ kind: 'auth', reason: expect.stringContaining('MoEngage Authentication required: invalid credentials. The credentials were refused') })
    expect(answer(403, fail('Forbidden', 'IP not allowed'))).toMatchObject({ kind: 'auth' })
    for (const status of [413, 429, 500, 503]) expect(answer(status, fail('Error', 'x'))).toBeUndefined()
  })
})
