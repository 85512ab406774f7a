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
