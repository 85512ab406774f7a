// @vitest-environment node
// The `npm start` demo server: serves the pages and the SDK, keeps the profiles it receives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module without declarations
import { startDemo } from '../examples/server.mjs'

let demo: { url: string; close: () => Promise<void> }
beforeAll(async () => {
  demo = await startDemo({ port: 0 })
})
afterAll(() => demo.close())

const post = (path: string, body?: unknown) =>
  fetch(demo.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })

describe('demo server', () => {
  it('listens on 127.0.0.1 and serves the demo page and the script-tag build', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const html = await (await fetch(demo.url + '/')).text()
    expect(html).toContain('userbeam.init')
    expect((await fetch(demo.url + '/userbeam.min.js')).status).toBe(200)
    expect((await fetch(demo.url + '/../package.json')).status).not.toBe(200)
  })

  it('accepts a json batch and shows the profiles, anonymous merged into the user', async () => {
    const anonymousId = 'a-1'
    const batch = (profiles: unknown[]) => ({ sentAt: new Date().toISOString(), profiles })
    expect((await post('/profiles', batch([{ userId: null, anonymousId, messageId: 'm1', attributes: [{ name: 'city', type: 'string', value: 'Pune' }] }]))).status).toBe(200)
    await post('/profiles', batch([{ userId: 'u-1', anonymousId, messageId: 'm2', attributes: [{ name: 'plan', type: 'string', value: 'pro' }] }]))
    const { profiles, requests } = await (await fetch(demo.url + '/profiles')).json()
    expect(profiles).toEqual([expect.objectContaining({ userId: 'u-1', attributes: { city: 'Pune', plan: 'pro' } })])
    expect(requests).toHaveLength(2)
  })

  it('answers 503 while switched off, and 200 again when switched on', async () => {
    await post('/demo/offline')
    expect((await post('/profiles', { profiles: [] })).status).toBe(503)
    await post('/demo/online')
    expect((await post('/profiles', { profiles: [] })).status).toBe(200)
  })
})

describe('relay example', () => {
  it('runs for every vendor against the local fake vendor, adding the credential', async () => {
    // @ts-expect-error: plain JavaScript module without declarations
    const { startRelayExample } = await import('../examples/relay/server.mjs')
    const paths: Record<string, [string, unknown]> = {
      json: ['', { profiles: [{ userId: 'u1', anonymousId: 'a', messageId: 'm', attributes: [{ name: 'plan', type: 'string', value: 'pro' }] }] }],
      growlytics: ['', { id: 'u1', attributes: [{ name: 'plan', type: 'string', value: 'pro' }] }],
      usercom: ['/users/update_or_create/', { user_id: 'u1', email: 'a@example.com' }],
      moengage: ['/v1/customer/WS1', { type: 'customer', customer_id: 'cust-1', attributes: { plan: 'pro' } }],
      haptik: ['', { auth_id: 'u1', custom_data: { plan: 'pro' } }],
    }
    for (const [destination, [path, body]] of Object.entries(paths)) {
      const example = await startRelayExample({ destination, port: 0, env: {} })
      const response = await fetch(example.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(response.status, destination).toBe(200)
      expect(example.fake.received[0].body, destination).toEqual(body)
      const headers = example.fake.received[0].headers
      if (destination !== 'json') expect(headers.authorization ?? headers['x-growlytics-key'], destination).toMatch(/^(Basic V1MxOmxvY2FsLWtleQ==|Token local-token|Bearer local-token|local-key)$/)
      await example.close()
    }
  })
})
