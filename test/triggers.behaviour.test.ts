// Behaviour 7: when a flush happens.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, ENDPOINT, freshName, profilesOf, recordingEndpoint, sleep, until } from './helpers'

const { received } = recordingEndpoint()

const setVisibility = (value: DocumentVisibilityState) =>
  Object.defineProperty(document, 'visibilityState', { value, configurable: true })
const setOnline = (value: boolean) => Object.defineProperty(navigator, 'onLine', { get: () => value, configurable: true })

afterEach(() => {
  setVisibility('visible')
  setOnline(true)
})

describe('flush triggers', () => {
  it('sends flushInterval after the first pending update, not before', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 300 })
    await c.flush() // storage loaded
    const start = Date.now()
    c.user.push({ a: 1 })
    await sleep(100)
    c.user.push({ b: 2 }) // a later update does not push the deadline back
    await until(() => received.length === 1, 2000)
    const waited = received[0].at - start
    expect(waited).toBeGreaterThanOrEqual(290)
    expect(waited).toBeLessThan(600)
    expect(attrs(profilesOf(received)[0])).toEqual({ a: 1, b: 2 })
    c.close()
  })

  it('sends at once when maxBatchSize profiles are pending', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 60_000, maxBatchSize: 3 })
    c.user.identify('a', { n: 1 })
    c.user.identify('b', { n: 2 })
    await sleep(50)
    expect(received).toHaveLength(0)
    c.user.identify('c', { n: 3 })
    await until(() => received.length > 0)
    expect(profilesOf(received).length).toBeGreaterThanOrEqual(3)
    c.close()
  })

  it('sends when the page becomes hidden', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await sleep(30)
    expect(received).toHaveLength(0)
    setVisibility('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    await until(() => received.length === 1)
    expect(attrs(profilesOf(received)[0])).toEqual({ a: 1 })
    c.close()
  })

  it('sends on pagehide with keepalive, synchronously, including what is not stored yet', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 60_000 })
    await c.flush()
    const calls: RequestInit[] = []
    const realFetch = globalThis.fetch
    vi.stubGlobal('fetch', (input: any, init: RequestInit) => {
      calls.push(init)
      return realFetch(input, init)
    })
    try {
      c.user.push({ leaving: true })
      window.dispatchEvent(new Event('pagehide'))
      expect(calls).toHaveLength(1) // the request left inside the event handler
      expect(calls[0].keepalive).toBe(true)
      expect(attrs(JSON.parse(calls[0].body as string).profiles[0])).toEqual({ leaving: true })
    } finally {
      vi.unstubAllGlobals()
    }
    await until(() => received.length === 1)
    c.close()
  })

  it('waits while offline and sends on the online event', async () => {
    setOnline(false)
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    await sleep(80)
    expect(received).toHaveLength(0)
    setOnline(true)
    window.dispatchEvent(new Event('online'))
    await until(() => received.length === 1)
    c.close()
  })

  it('flush() resolves once what was queued before it is delivered', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    c.close()
  })
})
