// Scenario 12: the built relay (dist/relay.mjs) on the page's own origin, in front of a fake
// vendor, and the built SDK (dist/userbeam.min.js) in Chromium: for every destination, what the
// browser sends passes the relay's checks and reaches the vendor with the credential; the
// page-hide beacon goes through it too.
import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events, flush, open, useBrowser } from './harness'
import { DIST } from './server'

const env = useBrowser()
const { createRelay, toNodeListener } = await import(join(DIST, 'relay.mjs'))

interface Hit { method: string; path: string; headers: IncomingHttpHeaders; body: any }
const hits: Hit[] = []
const servers: Server[] = []
let vendorUrl = ''
/** The site: its pages, the SDK file, and one relay per destination under /relay/<destination>. */
let site = ''
const relays = new Map<string, (req: any, res: any) => void>()
let page = ''

const listen = (server: Server) => {
  servers.push(server)
  return new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)))
}

const CREDENTIALS: Record<string, Record<string, string>> = {
  json: {},
  growlytics: { 'x-growlytics-key': 'gk-live-secret' },
  usercom: { Authorization: 'Token uc-live-secret' },
  moengage: { Authorization: `Basic ${btoa('WS1:moe-live-secret')}` },
  haptik: { Authorization: 'Bearer hp-live-secret', 'client-id': 'client-1' },
}

beforeAll(async () => {
  vendorUrl = await listen(
    createServer((req, res) => {
      let raw = ''
      req.on('data', (chunk) => (raw += chunk))
      req.on('end', () => {
        hits.push({ method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(raw) })
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: 'success', id: 1 }))
      })
    }),
  )
  for (const destination of Object.keys(CREDENTIALS)) {
    const relay = createRelay({ destination, vendorUrl: `${vendorUrl}/${destination}`, mount: `/relay/${destination}`, credential: CREDENTIALS[destination] })
    relays.set(destination, toNodeListener(relay))
  }
  site = await listen(
    createServer((req, res) => {
      const destination = /^\/relay\/(\w+)/.exec(req.url!)?.[1]
      if (destination) return relays.get(destination)!(req, res)
      if (req.url === '/userbeam.min.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' })
        return res.end(readFileSync(join(DIST, 'userbeam.min.js')))
      }
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(page)
    }),
  )
})
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A page of the site whose client sends `destination` through the relay, then runs `then`. */
async function sitePage(destination: string, endpoint: string, then: string) {
  page = `<!doctype html><meta charset="utf-8"><script src="/userbeam.min.js"></script><script>
    window.events = { sent: [], error: [], drop: [] }
    userbeam.init({ destination: '${destination}', endpoint: '${endpoint}', flushInterval: 20 })
    for (const type of ['sent', 'error', 'drop']) userbeam.on(type, (e) => window.events[type].push(e))
    ${then}
  </script>`
  return open(await env.context(), `${site}/${destination}.html`)
}

describe('the relay, with the built SDK in Chromium', () => {
  const login = "userbeam.user.identify('user42', { email: 'a@example.com', plan: 'pro', seats: 3, trial: true, renewal: new Date('2026-12-01T10:00:00Z') })"
  const cases: [string, string, (hit: Hit[]) => unknown][] = [
    ['json', '/relay/json', (h) => h[0].body.profiles[0].attributes.map((a: any) => a.value)],
    ['growlytics', '/relay/growlytics', (h) => h[0].body.attributes.map((a: any) => a.value)],
    ['usercom', '/relay/usercom/', (h) => h.map((x) => Object.values(x.body).filter((v) => v !== 'user42')).flat()],
    ['moengage', '/relay/moengage/v1/customer/WS1', (h) => Object.values(h[0].body.attributes)],
    ['haptik', '/relay/haptik', (h) => [h[0].body.email, ...Object.values(h[0].body.custom_data)]],
  ]
  for (const [destination, endpoint, values] of cases) {
    it(`12: ${destination}: a login with every value type reaches the vendor through the relay, with the credential`, async () => {
      hits.length = 0
      const tab = await sitePage(destination, endpoint, login)
      await flush(tab.page)
      const seen = await events(tab.page)
      expect([seen.error, seen.drop]).toEqual([[], []])
      expect(hits.length).toBeGreaterThan(0)
      const dates = destination === 'json' ? '2026-12-01T10:00:00.000Z' : destination === 'growlytics' ? '2026-12-01 10:00:00' : destination === 'moengage' ? '2026-12-01T10:00:00Z' : '2026-12-01T10:00:00.000Z'
      expect(new Set(values(hits))).toEqual(new Set(['a@example.com', 'pro', 3, true, dates]))
      for (const hit of hits) for (const [name, value] of Object.entries(CREDENTIALS[destination])) expect(hit.headers[name.toLowerCase()]).toBe(value)
    })
  }

  it('12b: a push made just before the page goes away reaches the vendor through the relay (page-hide beacon)', async () => {
    hits.length = 0
    const tab = await sitePage('growlytics', '/relay/growlytics', "userbeam.user.identify('user42'); userbeam.flush()")
    await flush(tab.page)
    hits.length = 0
    await tab.page.evaluate(() => {
      window.userbeam.user.push({ plan: 'team' })
      location.href = 'about:blank'
    })
    for (let i = 0; i < 100 && !hits.length; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hits.map((h) => h.body)).toEqual([{ id: 'user42', attributes: [{ name: 'plan', type: 'string', value: 'team' }] }])
  })
})
