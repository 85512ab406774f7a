// @vitest-environment node
// The `npm start` demo: the server (pages, builds, the demo endpoint and its offline switch), the
// SDK delivering to it, and the command itself. Needs `npm run build` (npm test builds first).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module without declarations
import { startDemo } from '../examples/server.mjs'
import { createClient } from '../src/client'

const root = join(import.meta.dirname, '..')
let demo: { url: string; close: () => Promise<void> }
beforeAll(async () => {
  demo = await startDemo({ port: 0 })
})
afterAll(() => demo.close())
beforeEach(async () => {
  await post('/demo/online')
  await post('/demo/reset')
})

const post = (path: string, body?: unknown) =>
  fetch(demo.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
const held = async () => (await fetch(demo.url + '/profiles')).json()
const batch = (...profiles: unknown[]) => ({ sentAt: new Date().toISOString(), profiles })
const profile = (userId: string | null, anonymousId: string, attributes: Record<string, unknown>) => ({
  userId,
  anonymousId,
  messageId: crypto.randomUUID(),
  attributes: Object.entries(attributes).map(([name, value]) => ({ name, type: typeof value, value })),
})
/** A GET with the path exactly as written (fetch would normalise `..`). */
const rawGet = (path: string) =>
  new Promise<number>((resolve, reject) => request(demo.url + '/', { path }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject).end())

describe('demo server', () => {
  it('listens on 127.0.0.1 and serves the pages, the script-tag build and the ESM build', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    for (const path of ['/', '/spa.html', '/demo.js', '/demo.css', '/userbeam.min.js', '/dist/userbeam.mjs']) {
      const res = await fetch(demo.url + path)
      expect([path, res.status]).toEqual([path, 200])
    }
    expect((await fetch(demo.url + '/userbeam.min.js')).headers.get('content-type')).toBe('text/javascript')
    expect(await (await fetch(demo.url + '/userbeam.min.js')).text()).toBe(readFileSync(join(root, 'dist/userbeam.min.js'), 'utf8'))
  })

  it('serves nothing outside examples/ and dist/', async () => {
    for (const path of ['/../package.json', '/dist/../package.json', '/%2e%2e/package.json', '/dist/..%2f..%2fpackage.json', '/nope.html']) {
      expect([path, await rawGet(path)]).toEqual([path, 404])
    }
  })

  it('the demo page carries the built snippet, as a site would paste it, and initialises the SDK for /profiles', () => {
    const html = readFileSync(join(root, 'examples/index.html'), 'utf8')
    expect(html).toContain(`<script>${readFileSync(join(root, 'dist/snippet.min.js'), 'utf8').trim()}</script>`)
    expect(html).toContain("userbeam.init({ endpoint: '/profiles'")
    expect(readFileSync(join(root, 'examples/spa.html'), 'utf8')).toContain('"userbeam": "/dist/userbeam.mjs"')
  })

  it('POST /profiles keeps the profiles; GET /profiles shows them merged per user, the anonymous visit linked', async () => {
    expect((await post('/profiles', batch(profile(null, 'anon-1', { city: 'Pune', plan: 'free' })))).status).toBe(200)
    await post('/profiles', batch(profile('u-1', 'anon-1', { plan: 'pro' }), profile(null, 'anon-2', { city: 'Goa' })))
    await post('/profiles', batch(profile(null, 'anon-1', { late: true }))) // sent late, under the linked anonymous id
    const { profiles, requests, offline } = await held()
    expect(profiles).toEqual([
      expect.objectContaining({ userId: 'u-1', anonymousIds: ['anon-1'], attributes: { city: 'Pune', plan: 'pro', late: true }, updates: 3 }),
      expect.objectContaining({ userId: null, anonymousIds: ['anon-2'], attributes: { city: 'Goa' }, updates: 1 }),
    ])
    expect(requests.map((r: { status: number; profiles: number }) => [r.status, r.profiles])).toEqual([
      [200, 1],
      [200, 2],
      [200, 1],
    ])
    expect(offline).toBe(false)
  })

  it('answers 400 to a body that is not a json-format batch', async () => {
    const res = await fetch(demo.url + '/profiles', { method: 'POST', body: 'not json' })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toContain('expected a json-format batch')
    expect((await post('/profiles', { profiles: 'none' })).status).toBe(400)
  })

  it('switched off, it answers 503 (or drops the connection with ?mode=drop) and keeps nothing; switched on, 200 again', async () => {
    expect(await (await post('/demo/offline')).json()).toEqual({ offline: '503' })
    const refused = await post('/profiles', batch(profile(null, 'a', { x: 1 })))
    expect(refused.status).toBe(503)
    expect((await refused.json()).error).toContain('switched off')
    expect((await held()).offline).toBe('503')

    await post('/demo/offline?mode=drop')
    await expect(post('/profiles', batch(profile(null, 'a', { x: 2 })))).rejects.toThrow()

    expect(await (await post('/demo/online')).json()).toEqual({ offline: false })
    expect((await post('/profiles', batch(profile(null, 'a', { x: 3 })))).status).toBe(200)
    const { profiles, requests } = await held()
    expect(profiles.map((p: { attributes: unknown }) => p.attributes)).toEqual([{ x: 3 }])
    expect(requests.map((r: { status: unknown }) => r.status)).toEqual([503, 'dropped', 200])
  })

  it('the SDK delivers to it: merged per profile, and nothing is lost while it is off', async () => {
    const client = createClient({ endpoint: demo.url + '/profiles', storageName: 'demo-test', flushInterval: 10 })
    try {
      client.user.push({ city: 'Mumbai' })
      client.user.identify('u-42', { email: 'asha@example.com' })
      await client.flush()
      await post('/demo/offline')
      for (let i = 1; i <= 100; i++) client.user.push({ clicks: i })
      const waiting = client.flush() // first attempt answered 503: retried later
      await new Promise((r) => setTimeout(r, 100))
      await post('/demo/online')
      await client.flush()
      await waiting
      const { profiles, requests } = await held()
      expect(profiles).toEqual([expect.objectContaining({ userId: 'u-42', attributes: { city: 'Mumbai', email: 'asha@example.com', clicks: 100 } })])
      expect(requests.filter((r: { status: unknown }) => r.status === 200)).toHaveLength(2) // 100 pushes, one request
    } finally {
      client.close()
    }
  })
})

describe('npm start', () => {
  it('node examples/server.mjs prints its URL (PORT from the environment) and serves the demo', async () => {
    const child = spawn(process.execPath, [join(root, 'examples/server.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk) => {
          out += chunk
          const found = out.match(/Userbeam demo: (http:\/\/127\.0\.0\.1:\d+)\//)
          if (found) resolve(found[1])
        })
        child.once('exit', (code) => reject(new Error(`the demo exited (${code}): ${out}`)))
      })
      expect((await fetch(url + '/')).status).toBe(200)
    } finally {
      const exited = new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))
      child.kill()
      await exited
    }
  })
})
