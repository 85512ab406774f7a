// @vitest-environment node
// The relay on 127.0.0.1 in front of a fake vendor: credentials, CORS, limits, signatures, and
// for every destination the whole path SDK -> relay -> vendor.
import { Agent, createServer, request as httpRequest, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { createRelay, memoryRateStore, signUserId, toNodeListener, type RelayOptions } from '../src/relay/index'
import { addressKey } from '../src/relay/rate-limit'
import { collect, freshName } from './helpers'

const SECRET = 'Basic c2VjcmV0LXdvcmtzcGFjZTpzZWNyZXQta2V5'
const PAGE_ORIGIN = 'https://shop.example'

interface VendorHit { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: any; raw: string }
const vendorHits: VendorHit[] = []
let vendorAnswer: (hit: VendorHit) => { status: number; body: unknown; headers?: Record<string, string> } = () => ({ status: 200, body: { status: 'success', success: true } })

const listen = (server: Server) => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as any).port}`)))
let vendor: Server
let vendorUrl: string
const relays: Server[] = []

beforeAll(async () => {
  vendor = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString()
      const hit = { method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(raw || 'null'), raw }
      vendorHits.push(hit)
      const answer = vendorAnswer(hit)
      // A careless vendor that echoes the request headers: the relay must not pass the credential on.
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(JSON.stringify({ ...(answer.body as object), echo: req.headers.authorization }))
    })
  })
  vendorUrl = await listen(vendor)
})
afterEach(() => {
  vendorHits.length = 0
  vendorAnswer = () => ({ status: 200, body: { status: 'success', success: true } })
})
afterAll(async () => {
  for (const s of [vendor, ...relays]) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

/** Starts a relay on 127.0.0.1 in front of the fake vendor; returns its origin. */
async function relay(options: Partial<RelayOptions> & { destination: string; vendorPath?: string }) {
  const { vendorPath = '', ...rest } = options
  const server = createServer(toNodeListener(createRelay({ vendorUrl: vendorUrl + vendorPath, credential: { Authorization: SECRET }, allowedOrigins: [PAGE_ORIGIN], mount: '/relay', ...rest })))
  relays.push(server)
  return listen(server)
}

describe('the relay', () => {
  it('adds the credential, forwards, and never echoes the credential back', async () => {
    const origin = await relay({ destination: 'json' })
    const response = await fetch(`${origin}/relay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sentAt: '', profiles: [{ userId: 'u1', anonymousId: 'a', messageId: 'm', attributes: [{ name: 'plan', type: 'string', value: 'pro' }] }] }),
    })
    expect(response.status).toBe(200)
    expect(vendorHits[0].headers.authorization).toBe(SECRET)
    const text = await response.text()
    expect(text).not.toContain('c2VjcmV0')
    expect(text).toContain('[credential]')
  })

  it('serves CORS to an allowed origin and refuses others', async () => {
    const origin = await relay({ destination: 'json' })
    const preflight = await createRelay({ destination: 'json', vendorUrl, credential: {}, allowedOrigins: ['https://shop.example'] })(
      new Request(`${origin}/relay`, { method: 'OPTIONS', headers: { origin: 'https://shop.example' } }),
    )
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-userbeam-signature')
    const refused = await createRelay({ destination: 'json', vendorUrl, credential: {}, allowedOrigins: ['https://shop.example'] })(
      new Request(`${origin}/relay`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' }),
    )
    expect(refused.status).toBe(403)
    expect(vendorHits).toHaveLength(0)
  })

  it('same origin is judged by host: an https page behind a TLS-ending proxy, or a proxy that says the host', async () => {
    const direct = createRelay({ destination: 'json', vendorUrl, credential: {}, mount: '/relay' })
    const post = (handler: (r: Request) => Promise<Response>, url: string, headers: Record<string, string>) =>
      handler(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"profiles":[]}' }))
    // The relay sees http://shop.example (TLS ended in front of it); the page is https://shop.example.
    expect((await post(direct, 'http://shop.example/relay', { origin: 'https://shop.example' })).status).toBe(200)
    // A proxy that rewrote Host to the upstream address, and says the browser's host.
    const proxied = createRelay({ destination: 'json', vendorUrl, credential: {}, mount: '/relay', behindProxy: true })
    expect((await post(proxied, 'http://127.0.0.1:8787/relay', { origin: 'https://shop.example', 'x-forwarded-host': 'shop.example' })).status).toBe(200)
    // Or the browser says so itself (Sec-Fetch-Site), whatever Host the proxy passed on.
    expect((await post(direct, 'http://127.0.0.1:8787/relay', { origin: 'https://shop.example', 'sec-fetch-site': 'same-origin' })).status).toBe(200)
    const refused = await post(direct, 'http://127.0.0.1:8787/relay', { origin: 'https://shop.example', 'x-forwarded-host': 'shop.example', 'sec-fetch-site': 'cross-site' })
    expect(refused.status).toBe(403)
    expect((await refused.json()).reason).toBe("origin https://shop.example is not allowed: add it to the relay's allowedOrigins")
  })

  it("a preflight allows the headers the page asked for (the SDK's headers option)", async () => {
    const preflight = await createRelay({ destination: 'json', vendorUrl, credential: {}, allowedOrigins: [PAGE_ORIGIN] })(
      new Request('http://relay.example/relay', { method: 'OPTIONS', headers: { origin: PAGE_ORIGIN, 'access-control-request-headers': 'content-type,x-site' } }),
    )
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-site')
  })

  it('never hands back the credential, whole or in part: the token alone, a Basic pair decoded', async () => {
    const origin = await relay({ destination: 'json', credential: { Authorization: SECRET, 'x-api-key': 'Bearer tok-123456' } })
    vendorAnswer = () => ({ status: 401, body: { said: 'bad token tok-123456 and key c2VjcmV0LXdvcmtzcGFjZTpzZWNyZXQta2V5 for secret-workspace:secret-key (user secret-workspace)' } })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    const text = await response.text()
    for (const part of ['tok-123456', 'c2VjcmV0', 'secret-workspace', 'secret-key']) expect(text).not.toContain(part)
    expect(JSON.parse(text).said).toBe('bad token [credential] and key [credential] for [credential] (user [credential])')
  })

  it('a signature header that is not strings is a refused signature (403), not a relay error (500)', async () => {
    const origin = await relay({ destination: 'json', verify: { secret: 's3cret' } })
    const body = JSON.stringify({ sentAt: '', profiles: [{ userId: 'u1', anonymousId: 'a', messageId: 'm', attributes: [] }] })
    for (const header of ['{"u1":123}', 'null', '7']) {
      const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-userbeam-signature': header }, body })
      expect(response.status).toBe(403)
      expect((await response.json()).error).toBe('signature')
    }
  })

  it("forwards the request's query string to the vendor", async () => {
    const origin = await relay({ destination: 'json' })
    await fetch(`${origin}/relay?site=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    expect(vendorHits.map((h) => h.path)).toEqual(['/?site=1'])
  })

  it('by default takes a body as big as the SDK queue may hold (a 310 KB user.com profile, which the page accepted)', async () => {
    const origin = await relay({ destination: 'usercom' })
    const custom = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`c${i}`, 'x'.repeat(500)]))
    const response = await fetch(`${origin}/relay/users-by-id/u1/set_multiple_attributes/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(custom) })
    expect(response.status).toBe(200)
    expect(vendorHits).toHaveLength(1)
  })

  it('under toNodeListener, a maxBodyBytes above 1 MB is the limit (the adapter reads it from the relay)', async () => {
    const origin = await relay({ destination: 'json', maxBodyBytes: 3_000_000 })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles: [], pad: 'x'.repeat(1_600_000) }) })
    expect(response.status).toBe(200)
    expect(vendorHits).toHaveLength(1)
  })

  it('refuses at creation a credential or a verify secret whose environment variable is not set, naming it', () => {
    const make = (extra: Partial<RelayOptions>) => () => createRelay({ destination: 'json', vendorUrl, credential: {}, ...extra })
    const unset = undefined as unknown as string
    expect(make({ credential: { 'x-growlytics-key': unset } })).toThrow('userbeam relay: the credential header "x-growlytics-key" is empty, holds "undefined" or does not decode: is its environment variable set?')
    expect(make({ credential: { Authorization: `Token ${unset}` } })).toThrow('"Authorization" is empty')
    expect(make({ credential: { Authorization: `Basic ${btoa(`${unset}:${unset}`)}` } })).toThrow('"Authorization" is empty')
    expect(make({ credential: { Authorization: `Basic ${btoa(`workspace:${unset}`)}` } })).toThrow('"Authorization" is empty')
    expect(make({ verify: { secret: unset } })).toThrow('userbeam relay: verify.secret must be a non-empty string: is its environment variable (USERBEAM_SECRET) set?')
    expect(make({ credential: { Authorization: `Basic ${btoa('workspace:key')}`, 'x-growlytics-key': 'k-1' }, verify: { secret: 's' } })).not.toThrow()
  })

  it('hides the whole credential a vendor quotes, URL-encoded too, and tells nobody which text shares a part with it', async () => {
    const key = 'gk_live_8f2a9c4e7b1d6a3f'
    const origin = await relay({ destination: 'json', credential: { 'x-growlytics-key': key } })
    // A vendor that quotes the key, and the request's own text, in its answer.
    vendorAnswer = (hit) => ({ status: 400, body: { said: `key ${key} refused; see /keys?k=${encodeURIComponent(key + '&')}; got ${hit.body.profiles[0].attributes[0].value}` } })
    const answerTo = async (guess: string) => {
      const body = { profiles: [{ userId: 'u1', anonymousId: 'a', messageId: 'm', attributes: [{ name: 'plan', type: 'string', value: guess }] }] }
      const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return JSON.parse(await response.text()).said
    }
    expect(await answerTo('nothing')).toBe('key [credential] refused; see /keys?k=[credential]%26; got nothing')
    // Hiding parts of the key showed an attacker, one guess at a time, which of their texts the key holds.
    expect(await answerTo(key.slice(0, 12))).toBe(`key [credential] refused; see /keys?k=[credential]%26; got ${key.slice(0, 12)}`)
  })

  it('answers 400 (not 502, "the vendor could not be reached") for a value nested too deep to write again', async () => {
    const origin = await relay({ destination: 'json' })
    const deep = '{"profiles":[],"extra":' + '['.repeat(400_000) + ']'.repeat(400_000) + '}'
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('format')
    expect(vendorHits).toEqual([])
  })

  it("passes on at most 64,000 bytes of a vendor's answer, however large it is", async () => {
    const origin = await relay({ destination: 'json' })
    vendorAnswer = () => ({ status: 400, body: { said: 'x'.repeat(5_000_000) } })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    expect(response.status).toBe(400)
    const text = await response.text()
    expect(text.length).toBe(64_000)
    expect(text.startsWith('{"said":"xxx')).toBe(true)
  })

  it('a cut that falls inside a credential the vendor echoes leaves none of it (a caller pads the request to place the cut)', async () => {
    const origin = await relay({ destination: 'json' })
    const token = SECRET.replace('Basic ', '')
    // The fake vendor's answer: {"said":"<padding>","echo":"<the Authorization header>"}; the cut falls 20 characters into the token.
    vendorAnswer = () => ({ status: 400, body: { said: 'p'.repeat(64_000 - '{"said":"'.length - '","echo":"Basic '.length - 20) } })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    const text = await response.text()
    expect(text.endsWith('","echo":"Basic ')).toBe(true)
    expect(text).not.toContain(token.slice(0, 4))
  })

  it('refuses a vendorUrl with a user name or password at creation, without quoting it', () => {
    expect(() => createRelay({ destination: 'json', vendorUrl: 'https://relayuser:S3cretPassw0rd@vendor.example/profiles', credential: {} })).toThrow(
      'userbeam relay: vendorUrl must not hold a user name or password (user:password@host): put the credential in the credential option, e.g. { Authorization: `Basic ${btoa(user + ":" + password)}` }',
    )
  })

  it('hides a key the vendorUrl carries in its query when the vendor quotes it', async () => {
    const origin = await relay({ destination: 'json', credential: {}, vendorPath: '/profiles?format=json&api_key=qk_4d8e1f0a9b7c' })
    vendorAnswer = (hit) => ({ status: 400, body: { said: `bad call ${hit.path}` } })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    expect(JSON.parse(await response.text()).said).toBe('bad call /profiles?format=json&api_key=[credential]')
  })

  it.each([
    ['json', '/relay', { profiles: [{ userId: 'u1', anonymousId: 'a', messageId: 'm', attributes: [{ name: '__proto__', type: 'string', value: { isAdmin: true } }] }] }, 'attribute "__proto__": "__proto__" is a reserved JavaScript name'],
    ['growlytics', '/relay', { id: 'u1', attributes: [{ name: '__proto__', type: 'string', value: 'x' }] }, 'attribute "__proto__": "__proto__" is a reserved JavaScript name'],
    ['growlytics', '/relay', { id: null, attributes: [{ name: 'email', type: 'string', value: 'victim@example.com' }] }, 'id null: the user id must be a string, got null'],
    ['usercom', '/relay/users/update_or_create/', { user_id: null, email: 'victim@example.com' }, 'id null: the user id must be a string, got null'],
    ['moengage', '/relay/v1/customer/ws1', { type: 'customer', customer_id: null, attributes: { email: 'victim@example.com' } }, 'id null: the user id must be a string, got null'],
    ['haptik', '/relay', { auth_id: null, email: 'victim@example.com' }, 'id null: the user id must be a string, got null'],
  ])('%s: refuses what the SDK never sends and a vendor must not get (%s %j)', async (destination, path, body, reason) => {
    const origin = await relay({ destination, credential: { Authorization: SECRET } })
    const response = await fetch(origin + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(response.status).toBe(422)
    expect((await response.json()).reason).toContain(reason)
    expect(vendorHits).toEqual([])
  })

  it('forwards only the paths and methods the SDK uses: no other vendor API is open with the credential', async () => {
    const usercom = await relay({ destination: 'usercom' })
    const json = await relay({ destination: 'json' })
    const attempts: [string, string][] = [
      [`${usercom}/relay/users/42/delete/`, 'POST'],
      [`${usercom}/relay/users-by-id/42/set_multiple_attributes/`, 'PUT'],
      [`${json}/relay/admin/users`, 'POST'],
      [`${json}/relay`, 'PUT'],
    ]
    for (const [url, method] of attempts) {
      const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: '{"user_id":"42","profiles":[]}' })
      expect([url, response.status, (await response.json()).error]).toEqual([url, 404, 'path'])
    }
    expect(vendorHits).toEqual([])
    const allowed = await fetch(`${usercom}/relay/users/update_or_create/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"42"}' })
    expect(allowed.status).toBe(200)
    expect(vendorHits.map((h) => h.path)).toEqual(['/users/update_or_create/'])
  })

  it('answers 413 to an oversized body', async () => {
    const origin = await relay({ destination: 'json', maxBodyBytes: 1000 })
    const response = await fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles: [], pad: 'x'.repeat(2000) }) })
    expect(response.status).toBe(413)
    expect(vendorHits).toHaveLength(0)
  })

  it('answers 429 with Retry-After past the rate limit', async () => {
    const origin = await relay({ destination: 'json', rateLimit: { limit: 2, windowMs: 60_000 } })
    const post = () => fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' })
    expect((await post()).status).toBe(200)
    expect((await post()).status).toBe(200)
    const third = await post()
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('applies the rules again: a tampered request is refused with 422', async () => {
    const origin = await relay({ destination: 'moengage', vendorPath: '' })
    const response = await fetch(`${origin}/relay/v1/customer/WS1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'customer', customer_id: 'guest', attributes: { moe_hack: 1, nested: { a: 1 } } }),
    })
    expect(response.status).toBe(422)
    const { reason } = await response.json()
    expect(reason).toContain('guest')
    expect(reason).toContain('moe_')
    expect(reason).toContain('nested')
    expect(vendorHits).toHaveLength(0)
  })

  it('checks declared types and the custom cap of the typed formats: a hostile page cannot bypass them', async () => {
    const origin = await relay({ destination: 'growlytics' })
    const send = (attributes: unknown[]) =>
      fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'u1', attributes }) })
    const response = await send([
      { name: 'o', type: 'object', value: 'x' },
      { name: 'n', type: 'number', value: 'abc' },
      { name: 'd', type: 'date', value: 'tomorrow' },
      { name: 'm', type: 'date', value: '2026-13-01 10:00:00' },
      { name: 'ok', type: 'date', value: '2026-11-23 10:00:00' },
    ])
    expect(response.status).toBe(422)
    expect((await response.json()).reason).toBe(
      'growlytics rules: attribute "o": declared type "object", but the value is a string; attribute "n": declared type "number", but the value is a string; ' +
        'attribute "d": declared a date, but "tomorrow" is not one as growlytics writes dates; attribute "m": declared a date, but "2026-13-01 10:00:00" is not one as growlytics writes dates',
    )
    const over = await send(Array.from({ length: 101 }, (_, i) => ({ name: `c${i}`, type: 'number', value: i })))
    expect(over.status).toBe(422)
    expect((await over.json()).reason).toBe('growlytics rules: the profile carries 101 custom attributes; the limit is 100')
    expect(vendorHits).toHaveLength(0)
    expect((await send([{ name: 'ok', type: 'date', value: '2026-11-23 10:00:00' }, { name: 'n', type: 'number', value: 1 }])).status).toBe(200)
  })

  it('a made-up X-Forwarded-For does not escape the limit: the TCP peer counts, or behind a proxy the address it appended', async () => {
    const origin = await relay({ destination: 'json', rateLimit: { limit: 2, windowMs: 60_000 } })
    let n = 0
    const post = (xff: string) => fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: '{"profiles":[]}' })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await post(`10.0.0.${++n}`)).status)
    expect(statuses).toEqual([200, 200, 429, 429])
    const proxied = await relay({ destination: 'json', rateLimit: { limit: 1, windowMs: 60_000 }, behindProxy: true })
    const viaProxy = (xff: string) => fetch(`${proxied}/relay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: '{"profiles":[]}' })
    expect((await viaProxy('6.6.6.6, 203.0.113.7')).status).toBe(200)
    expect((await viaProxy('7.7.7.7, 203.0.113.7')).status).toBe(429) // the same client, another made-up first address
    expect((await viaProxy('203.0.113.8')).status).toBe(200)
  })

  it('on a runtime that gives no client address, requests are not limited as one shared client; one warning says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const handler = createRelay({ destination: 'json', vendorUrl, credential: {}, rateLimit: { limit: 1, windowMs: 60_000 } })
    const post = () => handler(new Request('http://relay.example/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"profiles":[]}' }))
    expect([(await post()).status, (await post()).status, (await post()).status]).toEqual([200, 200, 200])
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('is not rate limited: pass clientKey')])
    const keyed = createRelay({ destination: 'json', vendorUrl, credential: {}, rateLimit: { limit: 1, windowMs: 60_000 }, clientKey: (r) => r.headers.get('cf-connecting-ip') })
    const fromIp = (ip: string) => keyed(new Request('http://relay.example/', { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: '{"profiles":[]}' }))
    expect([(await fromIp('1.1.1.1')).status, (await fromIp('1.1.1.1')).status, (await fromIp('2.2.2.2')).status]).toEqual([200, 429, 200])
    warn.mockRestore()
  })

  it('passes a vendor 5xx back as retryable, with its Retry-After', async () => {
    vendorAnswer = () => ({ status: 503, body: { error: 'busy' }, headers: { 'retry-after': '1' } })
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const origin = await relay({ destination: 'json' })
    const client = createClient({ endpoint: `${origin}/relay`, storageName: freshName(), flushInterval: 10 })
    client.user.push({ a: 1 })
    await vi.waitUntil(() => vendorHits.length === 1, { timeout: 3000 })
    vendorAnswer = () => ({ status: 200, body: {} })
    await client.flush()
    expect(vendorHits).toHaveLength(2)
    client.close()
  })
})

describe('the relay against hostile pages and vendors', () => {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

  it('never follows a vendor redirect: the credential goes to vendorUrl only', async () => {
    const elsewhereHits: string[] = []
    const elsewhere = createServer((req, res) => {
      elsewhereHits.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`)
      res.end('<html>not the vendor</html>')
    })
    relays.push(elsewhere)
    const target = await listen(elsewhere)
    vendorAnswer = () => ({ status: 307, body: {}, headers: { location: `${target}/collect` } })
    const origin = await relay({ destination: 'growlytics', credential: { 'x-growlytics-key': 'gk_live_redirected_key' } })
    const response = await post(`${origin}/relay`, { id: 'u1', attributes: [] })
    expect(response.status).toBe(502)
    expect((await response.json()).reason).toContain('redirect (307)')
    expect(elsewhereHits).toEqual([])
  })

  it('refuses at creation what no request could work with, without quoting a credential', () => {
    const make = (extra: Partial<RelayOptions>) => () => createRelay({ destination: 'usercom', vendorUrl, credential: { Authorization: 'Token k-1' }, ...extra })
    expect(make({ credential: { Authorization: 'Token secret-value\r\nX-Injected: 1' } })).toThrow('the credential header "Authorization" is not a valid HTTP header')
    expect(make({ credential: { Authorization: 'Token secret-value\r\nX-Injected: 1' } })).not.toThrow('secret-value')
    expect(make({ credential: {} })).toThrow('usercom needs its credential')
    expect(make({ vendorUrl: 'https://api-undefined.moengage.com' })).toThrow('vendorUrl must be the vendor\'s http(s) URL')
    expect(make({ vendorUrl: 'api.example.com/users' })).toThrow('vendorUrl must be')
    expect(make({ mount: 'relay' })).toThrow('mount is a path on your origin starting with "/"')
    expect(make({ mount: '/relay' })).not.toThrow()
  })

  it('opens no other part of the MoEngage API: customers only, workspace ids without encoded slashes', async () => {
    const origin = await relay({ destination: 'moengage' })
    const event = await post(`${origin}/relay/v1/transition/WS1`, { type: 'transition', elements: [{ type: 'event', customer_id: 'c-1', actions: [] }] })
    expect([event.status, (await event.json()).reason]).toEqual([400, 'not a moengage request: Error: only customers are forwarded, not type "event"'])
    const traversal = await post(`${origin}/relay/v1/customer/..%2F..%2Fv1%2Fevent%2FWS1`, { type: 'customer', customer_id: 'c-1', attributes: {} })
    expect(traversal.status).toBe(404)
    expect(vendorHits).toEqual([])
    const customer = await post(`${origin}/relay/v1/customer/WS_1-a`, { type: 'customer', customer_id: 'c-1', attributes: { plan: 'pro' } })
    expect(customer.status).toBe(200)
    expect(vendorHits.map((h) => h.path)).toEqual(['/v1/customer/WS_1-a'])
  })

  it('reads dates as each typed format writes them: a json Date past 9999 goes, a Growlytics date with milliseconds or a 31 February does not', async () => {
    const json = await relay({ destination: 'json' })
    const far = new Date(Date.UTC(10000, 0, 1)).toISOString()
    expect((await post(`${json}/relay`, { profiles: [{ userId: 'u1', attributes: [{ name: 'd', type: 'date', value: far }] }] })).status).toBe(200)
    expect(vendorHits[0].body.profiles[0].attributes[0].value).toBe('+010000-01-01T00:00:00.000Z')
    const bad = await post(`${json}/relay`, { profiles: [{ userId: 'u1', attributes: [{ name: 'd', type: 'date', value: '2026-02-31T10:00:00.000Z' }, { name: 'z', type: 'date', value: '2026-11-23 10:00:00' }] }] })
    expect((await bad.json()).reason).toBe('json rules: attribute "d": declared a date, but "2026-02-31T10:00:00.000Z" is not one as json writes dates; attribute "z": declared a date, but "2026-11-23 10:00:00" is not one as json writes dates')
    const growlytics = await relay({ destination: 'growlytics' })
    const ms = await post(`${growlytics}/relay`, { id: 'u1', attributes: [{ name: 'd', type: 'date', value: '2026-11-23T10:00:00.123Z' }] })
    expect(ms.status).toBe(422)
    expect(vendorHits).toHaveLength(1)
  })

  it('passes a vendor 204 back as delivered, not as a relay failure', async () => {
    const origin = await relay({ destination: 'json' })
    vendorAnswer = () => ({ status: 204, body: {} })
    const response = await post(`${origin}/relay`, { profiles: [] })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
  })

  it('a path such as //other.example/relay is a path on this host: the page of other.example is still refused', async () => {
    const origin = await relay({ destination: 'json' })
    const response = await post(`${origin}//evil.example/relay`, { profiles: [] }, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(vendorHits).toEqual([])
  })

  it('checks what it forwards: attribute lists with a repeated or non-string name, and ids that are not strings, are refused', async () => {
    const origin = await relay({ destination: 'growlytics' })
    const refused: [unknown, number, string][] = [
      [{ id: 'u1', attributes: [{ name: 'bio', type: 'string', value: { html: 1 } }, { name: 'bio', type: 'string', value: 'ok' }] }, 400, 'the attribute "bio" is given twice'],
      [{ id: 'u1', attributes: { bio: { type: 'string', value: 'ok' } } }, 400, 'attributes is not a list'],
      [{ id: 'u1', attributes: [{ name: 5, type: 'string', value: 'ok' }] }, 400, 'an attribute name is 5, not a string'],
      [{ attributes: [] }, 422, 'id (missing): the user id must be a string, got undefined'],
      [{ id: 42, attributes: [] }, 422, 'id 42: the user id must be a string, got number 42'],
    ]
    for (const [body, status, reason] of refused) {
      const response = await post(`${origin}/relay`, body)
      expect([response.status, (await response.json()).reason]).toEqual([status, expect.stringContaining(reason)])
    }
    expect(vendorHits).toEqual([])
  })

  it('Haptik: custom_data is checked on its own and must be an object; top-level fields the SDK never sends are refused', async () => {
    const origin = await relay({ destination: 'haptik' })
    const shadowed = await post(`${origin}/relay`, { auth_id: 'a1', name: 'Ann', custom_data: { name: { first: 'x' } } })
    expect([shadowed.status, (await shadowed.json()).reason]).toEqual([422, expect.stringContaining('attribute "name"')])
    const list = await post(`${origin}/relay`, { auth_id: 'a1', custom_data: ['x'] })
    expect(list.status).toBe(400)
    const extra = await post(`${origin}/relay`, { auth_id: 'a1', auth_code: 'client-token' })
    expect([extra.status, (await extra.json()).reason]).toEqual([400, expect.stringContaining('Haptik fields the SDK never sends: auth_code')])
    expect(vendorHits).toEqual([])
  })

  it('forwards the body it checked: a repeated key reaches the vendor once, as checked', async () => {
    const origin = await relay({ destination: 'haptik' })
    const response = await post(`${origin}/relay`, '{"auth_id":"victim","auth_id":"alice1","email":"a@example.com"}')
    expect(response.status).toBe(200)
    expect(vendorHits.map((h) => h.raw)).toEqual(['{"auth_id":"alice1","email":"a@example.com"}'])
  })

  it('lets a page on an allowed origin read Retry-After and the 413 (the SDK then waits, or splits)', async () => {
    const origin = await relay({ destination: 'json', rateLimit: { limit: 1, windowMs: 60_000 }, maxBodyBytes: 100 })
    const big = await post(`${origin}/relay`, { profiles: [], pad: 'x'.repeat(200) }, { origin: PAGE_ORIGIN })
    expect([big.status, big.headers.get('access-control-allow-origin')]).toEqual([413, PAGE_ORIGIN])
    const limited = await post(`${origin}/relay`, { profiles: [] }, { origin: PAGE_ORIGIN })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('access-control-expose-headers')).toBe('retry-after')
  })

  it('after a 413 answered before the body was read, the next request on the same connection is answered', async () => {
    const origin = await relay({ destination: 'json', maxBodyBytes: 5000 })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (size: number) =>
      new Promise<number | string>((resolve) => {
        const request = httpRequest(`${origin}/relay`, { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: 3000 }, (response) => {
          response.resume()
          response.on('end', () => resolve(response.statusCode!))
        })
        request.on('timeout', () => (request.destroy(), resolve('no answer in 3 s')))
        request.on('error', (error) => resolve(error.message))
        request.end(JSON.stringify({ profiles: [], pad: 'x'.repeat(size) }))
      })
    try {
      expect(await send(2_000_000)).toBe(413)
      expect(await send(100)).toBe(200)
    } finally {
      agent.destroy()
    }
  })

  it('on an edge runtime, stops reading a body at the limit instead of holding it whole', async () => {
    const handler = createRelay({ destination: 'json', vendorUrl, credential: {}, maxBodyBytes: 1000, clientKey: () => 'edge-client' })
    let pulled = 0
    const body = new ReadableStream({
      pull(controller) {
        pulled++
        controller.enqueue(new TextEncoder().encode('x'.repeat(400)))
      },
    })
    const response = await handler(new Request('http://shop.example/', { method: 'POST', body, duplex: 'half' } as RequestInit))
    expect(response.status).toBe(413)
    expect(pulled).toBeLessThan(10)
  })

  it('answers 504 when the vendor does not answer within vendorTimeoutMs (the SDK retries)', async () => {
    const silent = createServer(() => {})
    relays.push(silent)
    const silentUrl = await listen(silent)
    const server = createServer(toNodeListener(createRelay({ destination: 'json', vendorUrl: silentUrl, credential: {}, mount: '/relay', vendorTimeoutMs: 200 })))
    relays.push(server)
    const origin = await listen(server)
    const response = await post(`${origin}/relay`, { profiles: [] })
    expect([response.status, (await response.json()).reason]).toEqual([504, 'the vendor did not answer within 200 ms'])
  })

  it('counts an IPv6 client by its /64: one network cannot escape the limit with fresh addresses', async () => {
    const origin = await relay({ destination: 'json', behindProxy: true, rateLimit: { limit: 1, windowMs: 60_000 } })
    const from = (address: string) => post(`${origin}/relay`, { profiles: [] }, { 'x-forwarded-for': address })
    expect((await from('2001:db8:1:2::1')).status).toBe(200)
    expect((await from('2001:0db8:0001:0002:ffff:1:2:3')).status).toBe(429)
    expect((await from('2001:db8:1:3::1')).status).toBe(200)
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })

  it('the in-memory rate store holds at most 100,000 clients: a flood of new ones costs bounded memory', async () => {
    const store = memoryRateStore()
    expect((await store.hit('first', 60_000, 0)).count).toBe(1)
    expect((await store.hit('first', 60_000, 1)).count).toBe(2)
    for (let i = 0; i < 100_000; i++) await store.hit(`flood-${i}`, 60_000, 2)
    // The oldest window was forgotten to make room: that client starts again at 1.
    expect((await store.hit('first', 60_000, 3)).count).toBe(1)
    expect((await store.hit('flood-99999', 60_000, 3)).count).toBe(2)
  })
})

describe('identity verification', () => {
  it('forwards a correctly signed user, refuses a forged signature with 403, and the SDK drops it with the reason', async () => {
    const origin = await relay({ destination: 'json', verify: { secret: 'site-secret', allowAnonymous: false } })
    const client = createClient({ endpoint: `${origin}/relay`, storageName: freshName(), flushInterval: 10 })
    const events = collect(client)
    client.user.identify('alice', { plan: 'pro' }, { signature: await signUserId('site-secret', 'alice') })
    await client.flush()
    expect(vendorHits.map((h) => h.body.profiles[0].userId)).toEqual(['alice'])
    client.user.identify('bob', { email: 'takeover@example.com' }, { signature: 'f'.repeat(64) })
    await client.flush()
    expect(vendorHits).toHaveLength(1)
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0].status).toBe(403)
    expect(events.drop[0].reason).toContain('signature for user "bob" is wrong')
    expect(events.error.filter((e) => e.code === 'auth')).toEqual([]) // not mistaken for refused credentials
    client.close()
  })

  it('refuses anonymous profiles unless allowed', async () => {
    const strict = await relay({ destination: 'json', verify: { secret: 's' } })
    const lenient = await relay({ destination: 'json', verify: { secret: 's', allowAnonymous: true } })
    const body = JSON.stringify({ profiles: [{ userId: null, anonymousId: 'a', messageId: 'm', attributes: [] }] })
    const post = (origin: string) => fetch(`${origin}/relay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect((await post(strict)).status).toBe(403)
    expect((await post(lenient)).status).toBe(200)
  })

  it('never verifies an id with a lone surrogate: "a\\ud800" would carry the signature of "a\\ufffd"', async () => {
    const origin = await relay({ destination: 'json', verify: { secret: 's' } })
    const signature = await signUserId('s', 'a\ufffd')
    expect(await signUserId('s', 'a\ud800')).toBe(signature) // why: UTF-8 writes both the same
    const response = await fetch(`${origin}/relay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profiles: [{ userId: 'a\ud800', anonymousId: 'a', messageId: 'm', attributes: [], signature }] }),
    })
    expect([response.status, (await response.json()).reason]).toEqual([403, 'the user id "a\\ud800" holds a lone UTF-16 surrogate, which a signature cannot tell apart'])
    expect(vendorHits).toEqual([])
  })
})

describe('SDK -> relay -> vendor, for every destination', () => {
  it("a page endpoint that misses the relay's mount (its 404 path): kept and paused, not dropped; delivered once the endpoint is right", async () => {
    const origin = await relay({ destination: 'haptik', vendorPath: '/v1.0/user/', credential: { Authorization: 'Bearer haptik-token', 'client-id': 'c1' } })
    const storageName = freshName()
    const wrong = createClient({ destination: 'haptik', endpoint: `${origin}/relay/haptik/v1.0/user/`, storageName, flushInterval: 10 })
    const events = collect(wrong)
    wrong.user.identify('user42', { name: 'Asha' })
    await wrong.flush() // settles once sending pauses
    expect(events.drop).toEqual([])
    expect(events.error.map((e) => [e.code, e.message])).toEqual([
      ['auth', expect.stringMatching(/^userbeam: .*HTTP 404: POST \/relay\/haptik\/v1\.0\/user\/ is not a haptik upsert this relay forwards \(mounted at \/relay\/; .*\)\. Queued updates are kept; sending pauses until the next page load \(or 30 minutes\)\./)],
    ])
    expect(vendorHits).toEqual([])
    wrong.close()
    const right = createClient({ destination: 'haptik', endpoint: `${origin}/relay`, storageName, flushInterval: 10 })
    await right.flush()
    expect(vendorHits.map((h) => [h.method, h.body])).toEqual([['POST', { auth_id: 'user42', name: 'Asha' }]])
    right.close()
  })

  it('json', async () => {
    const origin = await relay({ destination: 'json', vendorPath: '/profiles' })
    const client = createClient({ endpoint: `${origin}/relay`, storageName: freshName(), flushInterval: 10 })
    client.user.identify('u1', { plan: 'pro' })
    await client.flush()
    expect(vendorHits.map((h) => [h.method, h.path])).toEqual([['POST', '/profiles']])
    expect(vendorHits[0].body.profiles[0]).toMatchObject({ userId: 'u1', attributes: [{ name: 'plan', type: 'string', value: 'pro' }] })
    client.close()
  })

  it('growlytics', async () => {
    const origin = await relay({ destination: 'growlytics', vendorPath: '/rest-api/customer', credential: { 'x-growlytics-key': 'gk-secret' } })
    const client = createClient({ destination: 'growlytics', endpoint: `${origin}/relay`, storageName: freshName(), flushInterval: 10 })
    client.user.identify('u1', { City: 'Mumbai', at: new Date('2026-11-23T10:00:00Z') })
    await client.flush()
    expect(vendorHits).toEqual([expect.objectContaining({ method: 'POST', path: '/rest-api/customer' })])
    expect(vendorHits[0].headers['x-growlytics-key']).toBe('gk-secret')
    expect(vendorHits[0].body).toEqual({ id: 'u1', attributes: [{ name: 'City', type: 'string', value: 'Mumbai' }, { name: 'at', type: 'date', value: '2026-11-23 10:00:00' }] })
    client.close()
  })

  it('usercom', async () => {
    vendorAnswer = () => ({ status: 200, body: { created: true, id: 5577 } })
    const origin = await relay({ destination: 'usercom', vendorPath: '/api/public/' })
    const client = createClient({ destination: 'usercom', endpoint: `${origin}/relay/`, storageName: freshName(), flushInterval: 10 })
    client.user.identify('my_custom_id', { email: 'j@example.com', plan: 'pro' })
    await client.flush()
    expect(vendorHits.map((h) => [h.method, h.path, h.body])).toEqual([
      ['POST', '/api/public/users/update_or_create/', { user_id: 'my_custom_id', email: 'j@example.com' }],
      ['POST', '/api/public/users-by-id/my_custom_id/set_multiple_attributes/', { plan: 'pro' }],
    ])
    expect(vendorHits.every((h) => h.headers.authorization === SECRET)).toBe(true)
    client.close()
  })

  it('moengage', async () => {
    const origin = await relay({ destination: 'moengage' })
    const client = createClient({ destination: 'moengage', endpoint: `${origin}/relay/v1/customer/WS1`, storageName: freshName(), flushInterval: 10 })
    client.user.identify('cust-1', { points: 20 })
    client.user.identify('cust-2', { points: 30 })
    await client.flush()
    expect(vendorHits.map((h) => [h.method, h.path])).toEqual([['POST', '/v1/transition/WS1']])
    expect(vendorHits[0].body.elements.map((e: any) => [e.customer_id, e.attributes.points])).toEqual([['cust-1', 20], ['cust-2', 30]])
    client.close()
  })

  it('haptik', async () => {
    const origin = await relay({ destination: 'haptik', vendorPath: '/v1.0/user/', credential: { Authorization: 'Bearer haptik-token', 'client-id': 'c1' } })
    const client = createClient({ destination: 'haptik', endpoint: `${origin}/relay`, storageName: freshName(), flushInterval: 10 })
    client.user.identify('user42', { name: 'Asha', city: 'Pune' })
    await client.flush()
    client.user.push({ city: 'Mumbai' })
    await client.flush()
    expect(vendorHits.map((h) => [h.method, h.path, h.body])).toEqual([
      ['POST', '/v1.0/user/', { auth_id: 'user42', name: 'Asha', custom_data: { city: 'Pune' } }],
      ['PUT', '/v1.0/user/', { auth_id: 'user42', custom_data: { city: 'Mumbai' } }],
    ])
    expect(vendorHits[0].headers['client-id']).toBe('c1')
    client.close()
  })
})
