// Haptik on the wire, as vendors.md §5 gives it: POST the first time an id is sent, PUT after,
// name/email/mobile/language_code at top level, the rest in a flat custom_data, and its rules.
import { describe, expect, it } from 'vitest'
import { checkAttributes, idProblem } from '../src/attributes'
import { haptik } from '../src/formats/haptik'
import type { BuildContext, ProfileRecord } from '../src/types'
import { recordFor } from './formats.fixtures'

const ENDPOINT = 'https://staging-messenger.haptikapi.com/v1.0/user/'
const SITE = { Authorization: 'Bearer TOKEN', 'client-id': 'CLIENT' }
const HEADERS = { 'Content-Type': 'application/json', ...SITE }
const context = (known: string[] = []): BuildContext => ({ endpoint: ENDPOINT, headers: SITE, now: 0, created: (id) => known.includes(id) })
const reason = (input: Record<string, unknown>) => checkAttributes(input, haptik.rules).rejected.map((r) => `${r.attribute}: ${r.reason}`)

const record = (userId: string | null, input: Record<string, unknown>) =>
  recordFor(haptik.rules, userId, input, { anonymousId: '5b0c1c9e-3f1a-4c55-9a51-0f3c2d9e7a10' })

describe('haptik requests', () => {
  const r = record('user42', {
    name: 'guest user',
    email: 'asha@example.com',
    mobile: '9876543210',
    language_code: 'hi',
    country: 'India',
    vip: true,
    orders: 3,
    date_of_birth: new Date('1985-03-25T00:00:00.000Z'),
  })
  const body = {
    auth_id: 'user42',
    name: 'guest user',
    email: 'asha@example.com',
    mobile_no: '9876543210',
    language_code: 'hi',
    custom_data: { country: 'India', vip: true, orders: 3, date_of_birth: '1985-03-25T00:00:00.000Z' },
  }

  it('attributes named like Object.prototype members (toString, valueOf) are ordinary custom_data', () => {
    const odd = record('user42', { toString: 'x', valueOf: 'v', plan: 'pro' })
    expect(JSON.parse(haptik.build([odd], context())[0].body)).toEqual({ auth_id: 'user42', custom_data: { toString: 'x', valueOf: 'v', plan: 'pro' } })
  })

  it('registers an id it has not created yet with POST, and asks the client to remember it', () => {
    expect(haptik.build([r], context())).toEqual([{ url: ENDPOINT, method: 'POST', headers: HEADERS, body: JSON.stringify(body), records: [r], creates: ['user42'] }])
  })

  it('updates an id created earlier with PUT, the same body, and nothing to remember', () => {
    expect(haptik.build([r], context(['user42']))).toEqual([{ url: ENDPOINT, method: 'PUT', headers: HEADERS, body: JSON.stringify(body), records: [r] }])
  })

  it("a second record of the same user in one build (the page-hide beacon's) waits for the next visit: it would race the first (a PUT before the POST)", () => {
    const again = record('user42', { city: 'Pune' })
    const other = record('user7', { city: 'Goa' })
    const requests = haptik.build([record('user42', { city: 'Mumbai' }), again, other], context())
    expect(requests.map((q) => [q.method, q.creates, JSON.parse(q.body)])).toEqual([
      ['POST', ['user42'], { auth_id: 'user42', custom_data: { city: 'Mumbai' } }],
      ['POST', ['user7'], { auth_id: 'user7', custom_data: { city: 'Goa' } }],
    ])
  })

  it('leaves custom_data out when there is nothing custom', () => {
    const [q] = haptik.build([record('user42', { name: 'Asha' })], context())
    expect(JSON.parse(q.body)).toEqual({ auth_id: 'user42', name: 'Asha' })
  })

  it('an anonymous id (only with holdAnonymous: false) goes without its dashes, the same way each time', () => {
    const anon = record(null, { city: 'Pune' })
    const [q] = haptik.build([anon], context())
    expect(JSON.parse(q.body).auth_id).toBe('5b0c1c9e3f1a4c559a510f3c2d9e7a10')
    expect(q.creates).toEqual(['5b0c1c9e3f1a4c559a510f3c2d9e7a10'])
    expect(haptik.build([anon], context(['5b0c1c9e3f1a4c559a510f3c2d9e7a10']))[0].method).toBe('PUT')
  })
})

describe('haptik rules', () => {
  it('auth_id must be alphanumeric', () => {
    expect(idProblem('User42', haptik.rules)).toBeUndefined()
    for (const id of ['user-42', 'user 42', 'user_42', 'üser42']) expect(idProblem(id, haptik.rules)).toBe("Haptik's auth_id must be alphanumeric (letters and digits only)")
  })

  it('language_code must be a lowercase ISO 639-1 code', () => {
    expect(reason({ language_code: 'hi' })).toEqual([])
    expect(reason({ language_code: 'en' })).toEqual([])
    const iso = (got: string) => `language_code: language_code must be a lowercase ISO 639-1 code such as "en" or "hi"; got "${got}"`
    expect(reason({ language_code: 'xx' })).toEqual([iso('xx')])
    expect(reason({ language_code: 'EN' })).toEqual([iso('EN')])
    expect(reason({ language_code: 'eng' })).toEqual([iso('eng')])
    expect(reason({ language_code: 'en-IN' })).toEqual([iso('en-IN')])
  })

  it('accepts exactly the 184 ISO 639-1 codes of the iso-codes list, no other pair of letters', () => {
    const codes = (
      'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ' +
      'ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln ' +
      'lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si ' +
      'sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
    ).split(' ')
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    const accepted = [...letters].flatMap((a) => [...letters].map((b) => a + b)).filter((code) => !reason({ language_code: code }).length)
    expect(accepted).toEqual(codes)
  })

  it('the top-level fields are strings; custom_data is flat: no objects, no arrays', () => {
    expect(reason({ mobile: 9876543210, language_code: 1, name: true })).toEqual([
      'mobile: Haptik takes mobile as a string; got a number',
      'language_code: Haptik takes language_code as a string; got a number',
      'name: Haptik takes name as a string; got a boolean',
    ])
    expect(reason({ address: { city: 'Goa' }, tags: ['a'] })).toEqual([
      'address: the value is an object; allowed are string, number, boolean, Date and exact BigInt',
      'tags: the value is an array; allowed are string, number, boolean, Date and exact BigInt',
    ])
  })
})

describe('haptik answers', () => {
  const [request] = haptik.build([record('user42', { a: 1 })], context())
  const answer = (status: number, body: string) => haptik.classify!({ status, body, retryAfter: null }, request)

  it("401 is refused credentials, with Haptik's error_message", () => {
    expect(answer(401, '{"error_message":"invalid authorization details"}')).toEqual({
      kind: 'auth',
      reason: 'Haptik HTTP 401: invalid authorization details. The credentials were refused: queued updates are kept and sending pauses; check the credential your relay adds.',
    })
  })

  it('drops another 4xx with its error_message; leaves success and transient failures to the HTTP rules', () => {
    expect(answer(400, '{"error_message":"auth_id is required"}')).toEqual({ kind: 'drop', reason: 'Haptik HTTP 400: auth_id is required' })
    expect(answer(404, 'Not Found')).toEqual({ kind: 'drop', reason: 'Haptik HTTP 404: Not Found' })
    expect(answer(200, '{"auth_id":"user42"}')).toBeUndefined()
    for (const status of [408, 413, 429, 500, 502]) expect(answer(status, '{}')).toBeUndefined()
  })

  it("leaves a verifying relay's signature refusal to the HTTP rules (a drop of that profile)", () => {
    expect(answer(403, '{"error":"signature","reason":"bad signature"}')).toBeUndefined()
  })
})
