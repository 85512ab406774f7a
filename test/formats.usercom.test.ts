// user.com on the wire, as vendors.md §3 gives it: update_or_create with the standard fields, then
// set_multiple_attributes chained after it, every path ending in `/`, and its rules.
import { describe, expect, it } from 'vitest'
import { checkAttributes } from '../src/attributes'
import { usercom } from '../src/formats/usercom'
import type { BuildContext, ProfileRecord } from '../src/types'
import { recordFor } from './formats.fixtures'

const BASE = 'https://acme.user.com/api/public/'
const HEADERS = { 'Content-Type': 'application/json', Accept: '*/*; version=2', Authorization: 'Token T' }
const context: BuildContext = { endpoint: BASE, headers: { Authorization: 'Token T' }, now: 0, created: () => false }
const reason = (input: Record<string, unknown>) => checkAttributes(input, usercom.rules).rejected.map((r) => `${r.attribute}: ${r.reason}`)

const record = (userId: string, input: Record<string, unknown>, at: Record<string, number> = {}) =>
  recordFor(usercom.rules, userId, input, { at })

describe('usercom requests', () => {
  it('creates or updates the user with its standard fields, then sets the custom ones in a chained step', () => {
    const r = record('my_custom_id', {
      first_name: 'John',
      last_name: 'Doe',
      email: 'john@example.com',
      mobile: '+919876543210',
      score: 7,
      unsubscribed: false,
      plan: 'pro',
      seats: 3,
      renewsAt: new Date('2026-11-23T10:00:00.250Z'),
    })
    const [request, ...more] = usercom.build([r], context)
    expect(more).toEqual([])
    expect(request).toEqual({
      url: `${BASE}users/update_or_create/`,
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ user_id: 'my_custom_id', first_name: 'John', last_name: 'Doe', email: 'john@example.com', phone_number: '+919876543210', score: 7, unsubscribed: false }),
      records: [r],
      then: {
        url: `${BASE}users-by-id/my_custom_id/set_multiple_attributes/`,
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ plan: 'pro', seats: 3, renewsAt: '2026-11-23T10:00:00.250Z' }),
        records: [r],
      },
    })
    // The chain settles as one: both steps carry the very same records.
    expect(request.then!.records).toBe(request.records)
  })

  it('sends update_or_create alone when there is nothing custom', () => {
    const [request] = usercom.build([record('u1', { email: 'a@b.co' })], context)
    expect(request.then).toBeUndefined()
    expect(JSON.parse(request.body)).toEqual({ user_id: 'u1', email: 'a@b.co' })
  })

  it('appends paths to a relay base with or without its final slash, and encodes the id', () => {
    for (const endpoint of ['/relay/usercom', '/relay/usercom/']) {
      const [request] = usercom.build([record('a/b c', { plan: 'x' })], { ...context, endpoint })
      expect([request.url, request.then!.url]).toEqual(['/relay/usercom/users/update_or_create/', '/relay/usercom/users-by-id/a%2Fb%20c/set_multiple_attributes/'])
    }
  })

  it("puts the paths before a relay endpoint's query string", () => {
    const [request] = usercom.build([record('u1', { plan: 'x' })], { ...context, endpoint: '/relay/usercom/?site=1' })
    expect([request.url, request.then!.url]).toEqual(['/relay/usercom/users/update_or_create/?site=1', '/relay/usercom/users-by-id/u1/set_multiple_attributes/?site=1'])
  })

  it('one chain per profile, in order', () => {
    const requests = usercom.build([record('u1', { a: 1 }), record('u2', { b: 2 })], context)
    expect(requests.map((q) => [JSON.parse(q.body).user_id, q.then!.url])).toEqual([
      ['u1', `${BASE}users-by-id/u1/set_multiple_attributes/`],
      ['u2', `${BASE}users-by-id/u2/set_multiple_attributes/`],
    ])
  })

  it('when both mobile and phone_number are set, the later call wins the phone_number field', () => {
    const later = record('u1', { mobile: '+911111111111', phone_number: '+922222222222' }, { mobile: 5, phone_number: 3 })
    expect(JSON.parse(usercom.build([later], context)[0].body).phone_number).toBe('+911111111111')
    const earlier = record('u1', { mobile: '+911111111111', phone_number: '+922222222222' }, { mobile: 2, phone_number: 3 })
    expect(JSON.parse(usercom.build([earlier], context)[0].body).phone_number).toBe('+922222222222')
  })
})

describe('usercom rules', () => {
  it('refuses the ids "." and "..": in the set_multiple_attributes URL they would name another path', () => {
    expect(usercom.rules.id!('.')).toBe('user.com ids cannot be ".": in the request\'s URL it would name another path')
    expect(usercom.rules.id!('..')).toContain('cannot be ".."')
    expect(usercom.rules.id!('a.b')).toBeUndefined()
  })

  it('first_name and last_name: strings of at most 40 characters', () => {
    expect(reason({ first_name: 'f'.repeat(40), last_name: 'l'.repeat(40) })).toEqual([])
    expect(reason({ first_name: '😀'.repeat(40) })).toEqual([])
    expect(reason({ first_name: 'f'.repeat(41), last_name: 42 })).toEqual([
      'first_name: first_name has 41 characters; user.com allows at most 40',
      'last_name: last_name must be a string',
    ])
    expect(reason({ first_name: new Date(0) })).toEqual(['first_name: first_name must be a string'])
  })

  it('phone_number and mobile in E.164', () => {
    expect(reason({ phone_number: '+14155552671', mobile: '+919876543210' })).toEqual([])
    const e164 = 'the phone number must be a string in E.164 form, like "+919876543210"'
    expect(reason({ phone_number: '9876543210', mobile: '+0123', x: 1 })).toEqual([`phone_number: ${e164}`, `mobile: ${e164}`])
    expect(reason({ mobile: 919876543210 })).toEqual([`mobile: ${e164}`])
    expect(reason({ phone_number: '+1234567890123456' })).toEqual([`phone_number: ${e164}`])
  })

  it('names 1-255 characters, and user_id is the id, not an attribute', () => {
    expect(reason({ ['n'.repeat(255)]: 1 })).toEqual([])
    expect(reason({ ['n'.repeat(256)]: 1 })).toEqual([`${'n'.repeat(256)}: the name has 256 characters; the limit is 255`])
    expect(reason({ user_id: 'x' })).toEqual(["user_id: user_id is the profile's id: pass it to identify(userId)"])
  })

  it('keeps milliseconds (ISO 8601 with offset) but refuses years beyond 9999', () => {
    expect(reason({ at: new Date('2026-11-23T10:00:00.123Z') })).toEqual([])
    expect(reason({ far: new Date(Date.UTC(10000, 0, 1)) })).toEqual(['far: the year is outside 0000-9999, which this destination cannot store'])
  })
})

describe('usercom answers', () => {
  const [request] = usercom.build([record('u1', { a: 1 })], context)
  const answer = (status: number, body: string) => usercom.classify!({ status, body, retryAfter: null }, request)

  it('drops 400 and 404 with the detail or the field errors', () => {
    expect(answer(400, '{"detail":"Invalid data."}')).toEqual({ kind: 'drop', reason: 'user.com HTTP 400: Invalid data.' })
    expect(answer(400, '{"email":["Enter a valid email address."]}')).toEqual({ kind: 'drop', reason: 'user.com HTTP 400: {"email":["Enter a valid email address."]}' })
    expect(answer(404, '{"detail":"Not found."}')).toEqual({ kind: 'drop', reason: 'user.com HTTP 404: Not found.' })
  })

  it('401 and 403 are refused credentials; 2xx, 429 and 5xx go to the HTTP rules', () => {
    expect(answer(401, '{"detail":"Invalid token."}')).toMatchObject({ kind: 'auth', reason: expect.stringContaining('user.com HTTP 401: Invalid token. The credentials were refused') })
    expect(answer(403, '{"detail":"You do not have permission."}')).toMatchObject({ kind: 'auth' })
    for (const status of [200, 201, 429, 500, 502, 504]) expect(answer(status, '{}')).toBeUndefined()
  })
})
