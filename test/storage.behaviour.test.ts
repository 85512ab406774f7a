// Behaviour 9: storage trouble never throws and never stops delivery; the byte budget.
import { createStore, set } from 'idb-keyval'
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordingEndpoint, stored } from './helpers'

const { received } = recordingEndpoint()

describe('storage trouble', () => {
  it('without IndexedDB: memory, one warning, an error event, still delivered', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.stubGlobal('indexedDB', undefined)
    try {
      const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
      c.user.push({ a: 1 })
      c.user.push({ b: 2 })
      await c.flush()
      expect(profilesOf(received).map(attrs)).toEqual([{ a: 1, b: 2 }])
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0][0])).toContain('IndexedDB is unavailable')
      c.close()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('when opening fails: falls back to memory once and keeps delivering', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('blocked by the browser', 'SecurityError')
    })
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    c.user.push({ b: 2 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { b: 2 }])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    c.close()
  })

  it('a reopen that waits for ever (another connection blocks an upgrade) moves to memory and keeps delivering', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const events = collect(c)
    c.user.identify('u1', { a: 1 })
    await c.flush()
    // A connection that ignores versionchange, and an upgrade it blocks: the SDK closes its own
    // connection (versionchange), and its reopen waits behind the blocked upgrade.
    const other = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open(storageName)
      r.onsuccess = () => resolve(r.result)
    })
    await new Promise<void>((resolve) => {
      const upgrade = indexedDB.open(storageName, other.version + 1)
      upgrade.onblocked = () => resolve()
    })
    c.user.push({ b: 2 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { b: 2 }])
    expect(events.error.map((e) => [e.code, e.message])).toEqual([['storage', expect.stringContaining('IndexedDB did not answer within 3000 ms')]])
    other.close()
    c.close()
  }, 10_000)

  it('when a write fails (quota): the update is kept in memory and delivered', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    await c.flush()
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota exceeded', 'QuotaExceededError')
    })
    c.user.push({ big: 'x' })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ big: 'x' }])
    c.close()
  })

  it('removes an unreadable record with an error event and delivers the rest', async () => {
    const storageName = freshName()
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    first.user.push({ good: 1 })
    await new Promise((r) => setTimeout(r, 50))
    first.close()
    await set('r:garbage', { nonsense: true }, createStore(storageName, 'queue'))
    const second = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const events = collect(second)
    await second.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ good: 1 }])
    expect(events.error.some((e) => e.code === 'storage' && /unreadable/.test(e.message))).toBe(true)
    expect((await stored(storageName)).raw.has('r:garbage')).toBe(false)
    second.close()
  })

  it('past the byte budget drops the oldest anonymous data first, and says so', async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 60_000, maxQueueBytes: 1200 })
    const events = collect(c)
    c.user.push({ note: 'a'.repeat(400) }) // anonymous, oldest
    c.user.identify('u-1', { note: 'b'.repeat(400) })
    await c.flush().catch(() => {})
    c.user.push({ more: 'c'.repeat(300) })
    await c.flush()
    const dropped = events.drop.flatMap((e) => e.profiles)
    expect(dropped.length).toBeGreaterThan(0)
    expect(dropped[0].userId).toBe(null)
    expect(events.drop[0].reason).toContain('maxQueueBytes')
    c.close()
  })
})

describe('what delivery leaves behind', () => {
  const floors = async (storageName: string) => (await stored(storageName)).raw.get('floors')

  it('the delivery floors (one entry) hold the last minute of deliveries, not every profile ever sent', async () => {
    const storageName = freshName()
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    first.user.push({ city: 'Pune' })
    await first.flush()
    first.user.identify('u-0', { city: 'Goa' })
    await first.flush()
    first.close()
    // Both profiles delivered: each attribute's stamp is remembered against late calls from other tabs.
    const early = await floors(storageName)
    expect(Object.keys(early)).toHaveLength(2)
    expect(Object.values(early).map((floor: any) => Object.keys(floor))).toEqual([['city'], ['city']])

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 })
    try {
      const later = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
      later.user.identify('u-1', { plan: 'pro' })
      await later.flush()
      later.close()
    } finally {
      vi.useRealTimers()
    }
    const swept = await floors(storageName)
    expect(Object.keys(swept)).toHaveLength(1) // only the profile delivered in the last minute
    expect(Object.keys(Object.values(swept)[0] as object)).toEqual(['plan'])
  })

  it('and at most 200 profiles, the latest: every commit reads the entry, so its size is a cost on every push', async () => {
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    for (let i = 0; i < 250; i++) {
      c.user.identify(`u${i}`, { n: i })
      c.user.logout()
    }
    await c.flush()
    c.close()
    const keys = Object.keys(await floors(storageName))
    expect(keys).toHaveLength(200)
    expect(keys.some((key) => key.endsWith(':u249'))).toBe(true)
    expect(keys.some((key) => key.endsWith(':u0'))).toBe(false)
  })

  it('a damaged floors entry does not block delivery and is replaced at the next one', async () => {
    const storageName = freshName()
    await set('floors', 'not floors', createStore(storageName, 'queue'))
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    c.user.push({ a: 1 })
    await c.flush()
    c.close()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    expect(Object.values(await floors(storageName)).map((floor: any) => Object.keys(floor))).toEqual([['a']])
  })
})
