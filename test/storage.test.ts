// Behaviour 9: storage trouble never throws and never stops delivery; one warning, one `error`
// event (code 'storage'); corrupted entries are removed; the byte budget drops the oldest
// anonymous data first.
import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import {
  attrs,
  clientFactory,
  collect,
  ENDPOINT,
  freshName,
  profilesOf,
  putRaw,
  recordingEndpoint,
  settle,
  sleep,
  stored,
} from './helpers'

const { received, state } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })
const quiet = () => vi.spyOn(console, 'warn').mockImplementation(() => {})
const storageWarnings = (warn: ReturnType<typeof quiet>) =>
  warn.mock.calls.filter(([m]) => /IndexedDB|storage/i.test(String(m)))

describe('IndexedDB missing or failing: memory, one warning, one error event, still delivered', () => {
  it('indexedDB undefined', async () => {
    const warn = quiet()
    vi.stubGlobal('indexedDB', undefined)
    try {
      let c!: ReturnType<typeof client>
      expect(() => (c = client())).not.toThrow()
      const events = collect(c) // subscribed right after createClient, as a page would
      c.user.push({ a: 1 })
      c.user.push({ b: 2 })
      await c.flush()
      expect(profilesOf(received).map(attrs)).toEqual([{ a: 1, b: 2 }])
      expect(storageWarnings(warn)).toHaveLength(1)
      expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
      c.close()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('indexedDB.open throws', async () => {
    const warn = quiet()
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    })
    const c = client()
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    c.user.identify('u-1', { b: 2 })
    await c.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { a: 1 }],
      ['u-1', { b: 2 }],
    ])
    expect(storageWarnings(warn)).toHaveLength(1)
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    c.close()
  })

  it('indexedDB.open answers with an error event', async () => {
    const warn = quiet()
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      const request: any = { error: new DOMException('Internal error opening backing store', 'UnknownError') }
      setTimeout(() => request.onerror?.(new Event('error')), 1)
      return request
    })
    const c = client()
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    expect(storageWarnings(warn)).toHaveLength(1)
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    c.close()
  })

  it('a write fails (quota) after storage worked', async () => {
    const warn = quiet()
    const c = client()
    const events = collect(c)
    c.user.push({ before: 1 })
    await c.flush()
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota exceeded', 'QuotaExceededError')
    })
    c.user.push({ big: 'x' })
    await c.flush()
    c.user.push({ after: 2 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ before: 1 }, { big: 'x' }, { after: 2 }])
    expect(storageWarnings(warn)).toHaveLength(1)
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    c.close()
  })

  describe('after IndexedDB failed in the middle of a visit, it is kept from lying to the next visit', () => {
    /** IndexedDB refuses every put while `full` (a quota): deletes still go through. */
    const quota = () => {
      const box = { full: true }
      const put = IDBObjectStore.prototype.put
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
        if (box.full) throw new DOMException('quota exceeded', 'QuotaExceededError')
        return put.apply(this, args)
      })
      return box
    }

    /** u1's plan 'a' stored (the endpoint is down), then IndexedDB full and plan 'b' pushed. */
    const storedThenFull = async (storageName: string) => {
      quiet()
      state.reply = () => new HttpResponse(null, { status: 503 })
      const c = client({ storageName })
      c.user.identify('u1', { plan: 'a' })
      await sleep(100)
      expect((await stored(storageName)).records.map((r) => r.userId)).toEqual(['u1'])
      const box = quota()
      c.user.push({ plan: 'b' })
      return { c, box }
    }

    it('what memory delivers is deleted from IndexedDB, and a logout made meanwhile is stored once there is room', async () => {
      const storageName = freshName()
      const { c, box } = await storedThenFull(storageName)
      c.user.logout()
      await sleep(50)
      // Still full: the delivery's deletes go through, its other writes (and the logout) cannot.
      state.reply = () => HttpResponse.json({ ok: true })
      await c.flush()
      expect(profilesOf(received).filter((p) => p.userId === 'u1').map(attrs).pop()).toEqual({ plan: 'b' })
      await sleep(50)
      expect((await stored(storageName)).records).toEqual([])
      expect((await stored(storageName)).identity.userId).toBe('u1')
      // Room again: the next change that reaches IndexedDB brings the logout with it.
      box.full = false
      c.user.push({ later: 1 })
      await c.flush()
      await sleep(50)
      expect((await stored(storageName)).identity.userId).toBe(null)
      c.close()
      vi.restoreAllMocks()
      quiet()
      // The next visit: nothing delivered is sent again, and the visitor is anonymous.
      const before = received.length
      const next = client({ storageName })
      next.user.push({ visitor: 'next' })
      await next.flush()
      expect(profilesOf(received.slice(before)).map((p) => [p.userId, attrs(p)])).toEqual([[null, { visitor: 'next' }]])
    })

    it('consent(false) erases IndexedDB too', async () => {
      const storageName = freshName()
      const { c } = await storedThenFull(storageName)
      await sleep(50)
      c.consent(false)
      await c.flush()
      await sleep(50)
      expect((await stored(storageName)).records).toEqual([])
      c.close()
    })
  })

  it('opening a transaction throws after storage worked', async () => {
    const warn = quiet()
    const c = client()
    const events = collect(c)
    await c.flush()
    await settle(30)
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError')
    })
    c.user.push({ a: 1 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    expect(storageWarnings(warn)).toHaveLength(1)
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    c.close()
  })

  it('reading window.indexedDB throws (sandboxed iframe): createClient does not throw and still delivers', async () => {
    quiet()
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!
    Object.defineProperty(globalThis, 'indexedDB', {
      configurable: true,
      get() {
        throw new DOMException('access to the Indexed Database API is denied in this context.', 'SecurityError')
      },
    })
    try {
      let c: ReturnType<typeof createClient> | undefined
      expect(() => (c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 }))).not.toThrow()
      c!.user.push({ a: 1 })
      await c!.flush()
      expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
      c!.close()
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', descriptor)
    }
  })
})

describe('corrupted entries', () => {
  it.each([
    ['a string', 'garbage'],
    ['a number', 42],
    ['null', null],
    ['an object of another shape', { nonsense: true }],
  ])('r:x holding %s is removed with an error event and the rest still delivers', async (_, garbage) => {
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.push({ good: 1 })
    await settle(50)
    first.close()
    await putRaw(storageName, 'r:x', garbage)
    const second = client({ storageName })
    const events = collect(second)
    await second.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ good: 1 }])
    expect(events.error.filter((e) => e.code === 'storage')).toHaveLength(1)
    expect((await stored(storageName)).raw.has('r:x')).toBe(false)
    second.close()
  })

  it('a record of the right shape whose attribute entry is garbage does not block the queue', async () => {
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.push({ good: 1 })
    await settle(50)
    first.close()
    await putRaw(storageName, 'r:x', {
      key: 'x', userId: null, anonymousId: 'x', rid: 'x', seq: 1, messageId: 'x', created: 0,
      attributes: { broken: null },
    })
    const second = client({ storageName })
    const events = collect(second)
    await Promise.race([second.flush(), sleep(800)])
    expect(profilesOf(received).flatMap((p) => Object.keys(attrs(p)))).toContain('good')
    expect(events.error.some((e) => e.code === 'storage')).toBe(true)
    expect((await stored(storageName)).raw.has('r:x')).toBe(false)
    second.close()
  })

  it('a garbage identity entry: a fresh anonymous identity is used and stored, delivery goes on', async () => {
    const storageName = freshName()
    await putRaw(storageName, 'identity', 'garbage')
    const c = client({ storageName })
    c.user.push({ a: 1 })
    await c.flush()
    const [profile] = profilesOf(received)
    expect(profile.userId).toBe(null)
    expect((await stored(storageName)).identity).toMatchObject({ anonymousId: profile.anonymousId })
    c.close()
  })

  it('a garbage retry entry does not disable the backoff (no request storm against a failing endpoint)', async () => {
    const storageName = freshName()
    await putRaw(storageName, 'retry', 'garbage')
    state.reply = () => new HttpResponse(null, { status: 503 })
    const c = client({ storageName })
    c.user.push({ a: 1 })
    void c.flush()
    await sleep(300)
    // Full jitter from a 1 s base: a few attempts at most in 300 ms, never hundreds.
    expect(received.length).toBeLessThan(10)
    c.close()
  })
})

describe('byte budget (maxQueueBytes)', () => {
  it('past the budget the oldest anonymous data is dropped first, with a drop event', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000, maxQueueBytes: 1500 })
    const events = collect(c)
    c.user.push({ note: 'a'.repeat(400) }) // anonymous, oldest
    await settle(30)
    c.user.identify('u-1', { note: 'b'.repeat(400) }) // identified, older than the next anonymous
    await settle(30)
    c.user.logout()
    c.user.push({ note: 'c'.repeat(400) }) // anonymous, newest: the queue is now past 1500
    await settle(50)
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0].reason).toContain('maxQueueBytes')
    const dropped = events.drop[0].profiles
    expect(dropped).toHaveLength(1)
    expect(dropped[0]).toMatchObject({ userId: null, attributes: { note: 'a'.repeat(400) } })
    const left = (await stored(storageName)).records
    expect(left.map((r: any) => r.attributes.note.value[0]).sort()).toEqual(['b', 'c'])
    await c.flush()
    expect(profilesOf(received).map((p) => String(attrs(p).note)[0]).sort()).toEqual(['b', 'c'])
    c.close()
  })

  it('identified data is dropped only when no anonymous data is left, oldest first', async () => {
    const storageName = freshName()
    // Each record below is about 650 bytes as stored: two fit in 1500, three do not.
    const c = client({ storageName, flushInterval: 60_000, maxQueueBytes: 1500 })
    const events = collect(c)
    c.user.identify('u-1', { note: 'a'.repeat(400) })
    await settle(30)
    c.user.identify('u-2', { note: 'b'.repeat(400) })
    await settle(30)
    c.user.identify('u-3', { note: 'c'.repeat(400) })
    await settle(50)
    const dropped = events.drop.flatMap((e) => e.profiles)
    expect(dropped.map((p) => p.userId)).toEqual(['u-1'])
    await c.flush()
    expect(profilesOf(received).map((p) => p.userId).sort()).toEqual(['u-2', 'u-3'])
    c.close()
  })
})

describe('never throws', () => {
  it('storage failing at every step: calls still never throw', async () => {
    quiet()
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new Error('boom')
    })
    const c = client()
    expect(() => {
      c.user.push({ a: 1 })
      c.user.identify('u-1', { b: 2 })
      c.user.logout()
      c.consent(false)
      c.consent(true)
      c.user.push({ c: 3 })
    }).not.toThrow()
    await c.flush()
    // consent(false) erased what came before it; what came after is delivered from memory.
    expect(profilesOf(received).map(attrs)).toEqual([{ c: 3 }])
    c.close()
  })
})
