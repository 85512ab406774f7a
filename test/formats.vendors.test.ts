// Each vendor through the real client: the exact method, path, headers and body of vendors.md.
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../src/client'
import { moengage } from '../src/formats/moengage'
import type { ProfileRecord } from '../src/types'
import { collect, freshName, stored } from './helpers'

interface Seen { method: string; path: string; headers: Record<string, string>; body: any }
const seen: Seen[] = []
const record = async (request: Request) => {
  const url = new URL(request.url)
  const headers = Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v]))
  seen.push({ method: request.method, path: url.pathname, headers, body: await request.json() })
}
let answer: (seen: Seen) => Response | undefined = () => undefined
const reply = (fallback: unknown) => async ({ request }: { request: Request }) => {
  await record(request)
  return answer(seen.at(-1)!) ?? HttpResponse.json(fallback)
}
const server = setupServer(
  http.post('https://dcqs-india.growlytics.in/rest-api/customer', reply({ success: true })),
  http.post('https://acme.user.com/api/public/users/update_or_create/', reply({ created: true, id: 5577 })),
  http.post('https://acme.user.com/api/public/users-by-id/:id/set_multiple_attributes/', reply({})),
  http.post('https://api-03.moengage.com/v1/customer/WS1', reply({ status: 'success', request_id: 'r1' })),
  http.post('https://api-03.moengage.com/v1/transition/WS1', reply({ status: 'success', request_id: 'r2' })),
  http.post('https://staging-messenger.haptikapi.com/v1.0/user/', reply({ auth_id: 'x' })),
  http.put('https://staging-messenger.haptikapi.com/v1.0/user/', reply({ auth_id: 'x' })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  seen.length = 0
  answer = () => undefined
})
afterAll(() => server.close())

const DATE = new Date('2026-11-23T10:00:00.000Z')

describe('growlytics', () => {
  it('holds anonymous updates, folds them in at identify, one typed profile per request', async () => {
    const c = createClient({ destination: 'growlytics', endpoint: 'https://dcqs-india.growlytics.in/rest-api/customer', headers: { 'x-growlytics-key': 'public-key' }, allowPublicKey: true, storageName: freshName(), flushInterval: 10 })
    c.user.push({ city: 'Mumbai' })
    await c.flush()
    expect(seen).toEqual([]) // anonymous: held in the browser
    c.user.identify('u-42', { name: 'Asha', email: 'asha@example.com', 'Total Orders': 1, 'Is First Time Purchaser': true, 'Last Order Date': DATE })
    await c.flush()
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/rest-api/customer',
        headers: expect.objectContaining({ 'x-growlytics-key': 'public-key', 'content-type': 'application/json', accept: 'application/json' }),
        body: {
          id: 'u-42',
          attributes: [
            { name: 'city', type: 'string', value: 'Mumbai' },
            { name: 'name', type: 'string', value: 'Asha' },
            { name: 'email', type: 'string', value: 'asha@example.com' },
            { name: 'Total Orders', type: 'number', value: 1 },
            { name: 'Is First Time Purchaser', type: 'boolean', value: true },
            { name: 'Last Order Date', type: 'date', value: '2026-11-23 10:00:00' },
          ],
        },
      },
    ])
    c.close()
  })

  it('refuses a Date with milliseconds instead of rounding it, naming the destination', async () => {
    const c = createClient({ destination: 'growlytics', endpoint: 'https://dcqs-india.growlytics.in/rest-api/customer', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('u-1', { at: new Date('2026-11-23T10:00:00.123Z'), ok: 1 })
    await c.flush()
    expect(events.error[0]).toMatchObject({ code: 'attribute', attribute: 'at' })
    expect(events.error[0].message).toContain('growlytics rules')
    expect(seen[0].body.attributes).toEqual([{ name: 'ok', type: 'number', value: 1 }])
    c.close()
  })

  it('422 drops with the vendor body in the drop event', async () => {
    answer = () => HttpResponse.json({ errors: ['attributes[0].value invalid'] }, { status: 422 })
    const c = createClient({ destination: 'growlytics', endpoint: 'https://dcqs-india.growlytics.in/rest-api/customer', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('u-1', { a: 1 })
    await c.flush()
    expect(events.drop[0].status).toBe(422)
    expect(events.drop[0].reason).toContain('attributes[0].value invalid')
    c.close()
  })
})

describe('usercom', () => {
  it('update_or_create with the standard fields, then set_multiple_attributes after it succeeded', async () => {
    const c = createClient({ destination: 'usercom', endpoint: 'https://acme.user.com/api/public/', storageName: freshName(), flushInterval: 10 })
    c.user.identify('my_custom_id', { email: 'john@example.com', first_name: 'John', mobile: '+919876543210', plan: 'pro', seats: 3 })
    await c.flush()
    expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['POST', '/api/public/users/update_or_create/', { user_id: 'my_custom_id', email: 'john@example.com', first_name: 'John', phone_number: '+919876543210' }],
      ['POST', '/api/public/users-by-id/my_custom_id/set_multiple_attributes/', { plan: 'pro', seats: 3 }],
    ])
    expect(seen[0].headers).toMatchObject({ 'content-type': 'application/json', accept: '*/*; version=2' })
    c.close()
  })

  it('does not send the custom attributes when the first call failed, and keeps them for the retry', async () => {
    answer = (s) => (s.path.endsWith('update_or_create/') && seen.length === 1 ? new HttpResponse(null, { status: 503, headers: { 'Retry-After': '0' } }) : undefined)
    const storageName = freshName()
    const c = createClient({ destination: 'usercom', endpoint: 'https://acme.user.com/api/public/', storageName, flushInterval: 10 })
    c.user.identify('u1', { plan: 'pro' })
    await c.flush()
    expect(seen.map((s) => s.path)).toEqual(['/api/public/users/update_or_create/', '/api/public/users/update_or_create/', '/api/public/users-by-id/u1/set_multiple_attributes/'])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('a chain refused at its second step: the drop says the first step was delivered', async () => {
    answer = (s) => (s.path.endsWith('set_multiple_attributes/') ? HttpResponse.json({ detail: 'Invalid attribute' }, { status: 400 }) : undefined)
    const c = createClient({ destination: 'usercom', endpoint: 'https://acme.user.com/api/public/', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('u1', { email: 'john@example.com', plan: 'pro' })
    await c.flush()
    expect(events.drop.map((e) => e.reason)).toEqual(['user.com HTTP 400: Invalid attribute (step 2 of a chain: the steps before it were delivered)'])
    c.close()
  })

  it('applies its limits: first_name at most 40 characters, phone numbers in E.164', async () => {
    const c = createClient({ destination: 'usercom', endpoint: 'https://acme.user.com/api/public/', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('u1', { first_name: 'x'.repeat(41), phone_number: '98765', city: 'Pune' })
    await c.flush()
    expect(events.error.map((e) => e.attribute)).toEqual(['first_name', 'phone_number'])
    expect(seen[0].body).toEqual({ user_id: 'u1', city: 'Pune' })
    c.close()
  })
})

describe('moengage', () => {
  it('one customer body for one profile; the bulk transition endpoint for several', async () => {
    const c = createClient({ destination: 'moengage', endpoint: 'https://api-03.moengage.com/v1/customer/WS1', headers: {}, storageName: freshName(), flushInterval: 10 })
    c.user.identify('cust-1', { name: 'John', points: 20, expiry_date: DATE, tags: ['a', 'b'] })
    await c.flush()
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/v1/customer/WS1',
      body: { type: 'customer', customer_id: 'cust-1', attributes: { name: 'John', points: 20, expiry_date: '2026-11-23T10:00:00Z', tags: ['a', 'b'] } },
    })
    seen.length = 0
    c.user.identify('cust-2', { a: 1 })
    c.user.identify('cust-3', { b: 2 })
    await c.flush()
    expect(seen).toHaveLength(1)
    expect(seen[0].path).toBe('/v1/transition/WS1')
    expect(seen[0].body.type).toBe('transition')
    expect(seen[0].body.elements.map((e: any) => [e.type, e.customer_id])).toEqual([['customer', 'cust-2'], ['customer', 'cust-3']])
    c.close()
  })

  it('keeps every bulk call under 100 KB', () => {
    const records: ProfileRecord[] = Array.from({ length: 100 }, (_, i) => ({
      key: `k${i}`, userId: `cust-${i}`, anonymousId: 'a', rid: 'r', seq: 1, messageId: 'm', created: i,
      attributes: { bio: { type: 'string', value: 'x'.repeat(500), seq: 1, at: 1 }, more: { type: 'string', value: 'y'.repeat(500), seq: 1, at: 1 }, notes: { type: 'array', value: Array(50).fill('z'.repeat(40)), seq: 1, at: 1 } },
    }))
    const requests = moengage.build(records, { endpoint: 'https://api-03.moengage.com/v1/customer/WS1', headers: {}, now: 0, created: () => false })
    expect(requests.length).toBeGreaterThan(1)
    for (const r of requests) expect(new TextEncoder().encode(r.body).length).toBeLessThan(100_000)
    expect(requests.flatMap((r) => r.records)).toHaveLength(100)
  })

  it('applies its rules: blocked ids, moe_ prefix, reserved names, arrays of one type', async () => {
    const c = createClient({ destination: 'moengage', endpoint: 'https://api-03.moengage.com/v1/customer/WS1', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('guest')
    c.user.identify('real-1', { moe_x: 1, id: 2, status: 'x', USER_ATTRIBUTE_UNIQUE_ID: 3, mixed: [1, 'a'], many: Array(51).fill(1), ok: [1, 2] })
    await c.flush()
    expect(events.error[0]).toMatchObject({ code: 'identity' })
    expect(events.error.slice(1).map((e) => e.attribute)).toEqual(['moe_x', 'id', 'status', 'USER_ATTRIBUTE_UNIQUE_ID', 'mixed', 'many'])
    expect(seen[0].body.attributes).toEqual({ ok: [1, 2] })
    c.close()
  })

  it('a 200 with status fail, or a 400, drops with MoEngage\'s own message', async () => {
    answer = () => HttpResponse.json({ status: 'fail', error: { type: 'Bad Request', message: 'customer_id is blocked', attribute: 'customer_id' } }, { status: 400 })
    const c = createClient({ destination: 'moengage', endpoint: 'https://api-03.moengage.com/v1/customer/WS1', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('cust-9', { a: 1 })
    await c.flush()
    expect(events.drop[0].reason).toBe('MoEngage Bad Request: customer_id is blocked (attribute customer_id)')
    c.close()
  })
})

describe('haptik', () => {
  it('POST the first time an id is sent, PUT afterwards, even after a reload; mapped fields and flat custom_data', async () => {
    const storageName = freshName()
    const endpoint = 'https://staging-messenger.haptikapi.com/v1.0/user/'
    const c = createClient({ destination: 'haptik', endpoint, storageName, flushInterval: 10 })
    c.user.identify('user42', { name: 'Asha', email: 'asha@example.com', mobile: '9876543210', language_code: 'hi', city: 'Mumbai', vip: true })
    await c.flush()
    c.close()
    const again = createClient({ destination: 'haptik', endpoint, storageName, flushInterval: 10 })
    again.user.push({ city: 'Pune' })
    await again.flush()
    expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['POST', '/v1.0/user/', { auth_id: 'user42', name: 'Asha', email: 'asha@example.com', mobile_no: '9876543210', language_code: 'hi', custom_data: { city: 'Mumbai', vip: true } }],
      ['PUT', '/v1.0/user/', { auth_id: 'user42', custom_data: { city: 'Pune' } }],
    ])
    again.close()
  })

  it('a refused POST is not followed by a PUT for the same user in that send: the later record registers (POST) instead', async () => {
    answer = (s) => (s.method === 'POST' && s.body.email === 'bad' ? HttpResponse.json({ error_message: 'invalid email' }, { status: 400 }) : undefined)
    const c = createClient({ destination: 'haptik', endpoint: 'https://staging-messenger.haptikapi.com/v1.0/user/', storageName: freshName(), flushInterval: 60_000 })
    const events = collect(c)
    c.user.identify('u1', { email: 'bad' })
    c.user.logout()
    c.user.identify('u1', { plan: 'gold' }) // a second record of u1 in the same send
    await c.flush()
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', { auth_id: 'u1', email: 'bad' }],
      ['POST', { auth_id: 'u1', custom_data: { plan: 'gold' } }],
    ])
    expect(events.drop.map((e) => e.reason)).toEqual(['Haptik HTTP 400: invalid email'])
    expect(events.sent.map((e) => e.profiles[0].attributes)).toEqual([{ plan: 'gold' }])
    c.close()
  })

  it('refuses a non-alphanumeric auth_id, a bad language code, and nested custom data', async () => {
    const c = createClient({ destination: 'haptik', endpoint: 'https://staging-messenger.haptikapi.com/v1.0/user/', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('user-42')
    c.user.identify('user42', { language_code: 'english', address: { city: 'x' }, ok: 1 })
    await c.flush()
    expect(events.error[0].message).toContain('alphanumeric')
    expect(events.error.slice(1).map((e) => e.attribute)).toEqual(['language_code', 'address'])
    expect(seen[0].body).toEqual({ auth_id: 'user42', custom_data: { ok: 1 } })
    c.close()
  })

  it('401 is refused credentials with Haptik\'s message', async () => {
    answer = () => HttpResponse.json({ error_message: 'invalid authorization details' }, { status: 401 })
    const c = createClient({ destination: 'haptik', endpoint: 'https://staging-messenger.haptikapi.com/v1.0/user/', storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.identify('user42', { a: 1 })
    await c.flush()
    expect(events.error[0]).toMatchObject({ code: 'auth', status: 401 })
    expect(events.error[0].message).toContain('invalid authorization details')
    c.close()
  })
})
