// Growlytics on the wire, as vendors.md §2 gives it: POST /rest-api/customer, one typed profile per
// request, dates `YYYY-MM-DD HH:MM:SS` UTC, and its rules.
import { describe, expect, it } from 'vitest'
import { applyProfileLimits, checkAttributes, idProblem, type Typed } from '../src/attributes'
import { growlytics } from '../src/formats/growlytics'
import type { AttributeType, BuildContext, ProfileRecord } from '../src/types'
import { recordFor } from './formats.fixtures'

const ENDPOINT = 'https://dcqs-india.growlytics.in/rest-api/customer'
const context: BuildContext = { endpoint: ENDPOINT, headers: { 'x-growlytics-key': 'KEY' }, now: 0, created: () => false }
const rules = growlytics.rules
const reason = (input: Record<string, unknown>) => checkAttributes(input, rules).rejected.map((r) => `${r.attribute}: ${r.reason}`)

const record = (userId: string, input: Record<string, unknown>) => recordFor(rules, userId, input)

describe('growlytics requests', () => {
  it('POSTs one customer with typed attributes and the key header, exactly as documented', () => {
    const r = record('your-system-uniqe-id', {
      name: 'Customer Name',
      email: 'customer_email@gmail.com',
      mobile: '9919211112',
      City: 'Mumbai',
      'Total Orders': 1,
      'Is First Time Purchaser': true,
      'Last Order Date': new Date('2026-11-23T18:05:09.000Z'),
    })
    expect(growlytics.build([r], context)).toEqual([
      {
        url: ENDPOINT,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'x-growlytics-key': 'KEY' },
        body: JSON.stringify({
          id: 'your-system-uniqe-id',
          attributes: [
            { name: 'name', type: 'string', value: 'Customer Name' },
            { name: 'email', type: 'string', value: 'customer_email@gmail.com' },
            { name: 'mobile', type: 'string', value: '9919211112' },
            { name: 'City', type: 'string', value: 'Mumbai' },
            { name: 'Total Orders', type: 'number', value: 1 },
            { name: 'Is First Time Purchaser', type: 'boolean', value: true },
            { name: 'Last Order Date', type: 'date', value: '2026-11-23 18:05:09' },
          ],
        }),
        records: [r],
      },
    ])
  })

  it('sends one request per profile, in order, each carrying its own record', () => {
    const records = ['a1', 'b2', 'c3'].map((id) => record(id, { n: 1 }))
    const requests = growlytics.build(records, context)
    expect(requests.map((q) => [q.url, JSON.parse(q.body).id, q.records])).toEqual([
      [ENDPOINT, 'a1', [records[0]]],
      [ENDPOINT, 'b2', [records[1]]],
      [ENDPOINT, 'c3', [records[2]]],
    ])
  })

  it('writes dates in UTC to the second, whatever the edge of the day or year', () => {
    const dates = { midnight: '2026-01-01T00:00:00.000Z', late: '1999-12-31T23:59:59.000Z', early: '0999-03-04T05:06:07.000Z' }
    const r = record('u1', Object.fromEntries(Object.entries(dates).map(([k, v]) => [k, new Date(v)])))
    expect(JSON.parse(growlytics.build([r], context)[0].body).attributes).toEqual([
      { name: 'midnight', type: 'date', value: '2026-01-01 00:00:00' },
      { name: 'late', type: 'date', value: '1999-12-31 23:59:59' },
      { name: 'early', type: 'date', value: '0999-03-04 05:06:07' },
    ])
  })

  it("lets the site's own content headers replace the defaults instead of doubling them", () => {
    const [q] = growlytics.build([record('u1', { n: 1 })], { ...context, headers: { accept: 'application/json; v=2' } })
    expect(q.headers).toEqual({ 'Content-Type': 'application/json', accept: 'application/json; v=2' })
  })
})

describe('growlytics rules', () => {
  it('refuses a Date with milliseconds or beyond year 9999 and says how to fix it', () => {
    expect(reason({ at: new Date('2026-11-23T10:00:00.123Z') })).toEqual([
      'at: this destination stores dates to the second and this Date has milliseconds; round it first: new Date(Math.floor(date.getTime() / 1000) * 1000)',
    ])
    expect(reason({ far: new Date(Date.UTC(12000, 0, 1)) })).toEqual(['far: the year is outside 0000-9999, which this destination cannot store'])
  })

  it('limits ids to 40 characters, names to 49, strings to 512, and takes no arrays', () => {
    expect(idProblem('i'.repeat(40), rules)).toBeUndefined()
    expect(idProblem('i'.repeat(41), rules)).toBe('the user id has 41 characters; the limit is 40')
    expect(reason({ ['n'.repeat(49)]: 1, ['m'.repeat(50)]: 1 })).toEqual([`${'m'.repeat(50)}: the name has 50 characters; the limit is 49`])
    expect(reason({ ok: 's'.repeat(512), long: 's'.repeat(513) })).toEqual([
      'long: the value has 513 characters; the limit is 512 (Userbeam never truncates: shorten it before sending)',
    ])
    expect(reason({ list: ['a'] })[0]).toMatch(/^list: the value is an array/)
  })

  it('locks each type to its first value and caps custom attributes at 100, standard fields aside', () => {
    const types: Record<string, AttributeType> = {}
    const first: Record<string, Typed> = { name: { type: 'string', value: 'A' }, email: { type: 'string', value: 'e' }, mobile: { type: 'string', value: '1' } }
    for (let i = 0; i < 100; i++) first[`c${i}`] = { type: 'number', value: i }
    const rejected: unknown[] = []
    applyProfileLimits(first, types, rules, (r) => rejected.push(r))
    expect(rejected).toEqual([])
    const later: Record<string, Typed> = { c0: { type: 'string', value: 'x' }, c101: { type: 'number', value: 1 } }
    applyProfileLimits(later, types, rules, (r) => rejected.push(r))
    expect(rejected).toEqual([
      { attribute: 'c0', reason: 'its type is locked to number by its first value; got string' },
      { attribute: 'c101', reason: 'the profile already has 100 custom attributes, the limit' },
    ])
  })
})

describe('growlytics answers', () => {
  const [request] = growlytics.build([record('u1', { n: 1 })], context)
  const answer = (status: number, body: string) => growlytics.classify!({ status, body, retryAfter: null }, request)

  it('leaves success and transient failures to the HTTP rules', () => {
    expect(answer(200, '{"success":true}')).toBeUndefined()
    expect(answer(429, '')).toBeUndefined()
    expect(answer(500, 'oops')).toBeUndefined()
  })

  it('drops a 422 or a 200 that says success: false, quoting the body', () => {
    expect(answer(422, '{"errors":["attributes[0].value invalid"]}')).toEqual({ kind: 'drop', reason: 'Growlytics HTTP 422: {"errors":["attributes[0].value invalid"]}' })
    expect(answer(200, '{"success":false,"message":"bad id"}')).toEqual({ kind: 'drop', reason: 'Growlytics HTTP 200: {"success":false,"message":"bad id"}' })
  })

  it('treats 401 as refused credentials', () => {
    expect(answer(401, 'Unauthorized')).toMatchObject({ kind: 'auth', reason: expect.stringMatching(/^Growlytics HTTP 401: Unauthorized\. The credentials were refused/) })
  })
})
