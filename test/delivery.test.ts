// Behaviours 5 and 7: never lose, never go back in time (in-flight safety, ack-if-unchanged,
// messageId, one request per profile in flight); when a flush happens.
import { HttpResponse } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDelivery } from '../src/delivery'
import type { Client } from '../src/client'
import { json } from '../src/formats/json'
import type { ProfileRecord } from '../src/types'
import {
  attrs,
  clientFactory,
  countTransactions,
  ENDPOINT,
  deferred,
  freshName,
  profilesOf,
  recordFetch,
  recordingEndpoint,
  resetPage,
  setOnline,
  setVisibility,
  settle,
  sleep,
  stored,
  until,
} from './helpers'

const { received, state } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })
afterEach(resetPage)

/** Holds the answer to request number `n` until `release()`. */
function holdRequest(n = 1, answer = () => HttpResponse.json({ ok: true }) as Response) {
  const gate = deferred()
  state.reply = async (i) => {
    if (i === n) await gate.promise
    return i === n ? answer() : HttpResponse.json({ ok: true })
  }
  return gate.resolve
}

describe('a push made while a request is in flight', () => {
  it('is stored at once, not lost, not overwritten by the older data when the 2xx lands, and sent next', async () => {
    const release = holdRequest(1)
    const storageName = freshName()
    const c = client({ storageName })
    c.user.push({ plan: 'free', city: 'Pune' })
    await until(() => received.length === 1)
    c.user.push({ plan: 'pro' })
    await settle(30)
    // In IndexedDB while the older request is still in flight.
    expect((await stored(storageName)).records[0].attributes.plan.value).toBe('pro')
    release()
    await until(() => received.length === 2)
    await c.flush()
    const [first, second] = profilesOf(received)
    expect(attrs(first)).toEqual({ plan: 'free', city: 'Pune' })
    expect(attrs(second)).toEqual({ plan: 'pro' }) // only what changed since the snapshot
    expect(second.messageId).not.toBe(first.messageId)
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('after the 2xx, only the unchanged part is removed: the newer value stays in IndexedDB until sent', async () => {
    const release = holdRequest(1)
    const hold2 = deferred()
    const base = state.reply
    state.reply = async (i, body) => {
      if (i === 2) await hold2.promise
      return base(i, body)
    }
    const storageName = freshName()
    const c = client({ storageName })
    c.user.push({ plan: 'free', city: 'Pune' })
    await until(() => received.length === 1)
    c.user.push({ plan: 'pro', theme: 'dark' })
    await settle(20)
    release()
    await until(() => received.length === 2) // the second request is held: look at what is left
    const { records } = await stored(storageName)
    expect(records).toHaveLength(1)
    expect(Object.fromEntries(Object.entries(records[0].attributes).map(([k, v]: any) => [k, v.value]))).toEqual({
      plan: 'pro',
      theme: 'dark',
    })
    hold2.resolve()
    await c.flush()
    expect(attrs(profilesOf(received)[1])).toEqual({ plan: 'pro', theme: 'dark' })
    c.close()
  })

  it('when the request in flight fails, the retry carries the newer value with a new messageId', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const release = holdRequest(1, () => new HttpResponse(null, { status: 503 }))
    const c = client()
    c.user.push({ plan: 'free', city: 'Pune' })
    await until(() => received.length === 1)
    c.user.push({ plan: 'pro' })
    await settle(20)
    release()
    await c.flush()
    const profiles = profilesOf(received)
    const last = profiles[profiles.length - 1]
    expect(attrs(last)).toEqual({ plan: 'pro', city: 'Pune' })
    expect(last.messageId).not.toBe(profiles[0].messageId)
    c.close()
  })

  it('the server ends with the newest value whatever the interleaving', async () => {
    const gates = [deferred(), deferred(), deferred()]
    state.reply = async (i) => {
      if (i <= 3) await gates[i - 1].promise
      return HttpResponse.json({ ok: true })
    }
    const c = client()
    c.user.push({ v: 1 })
    await until(() => received.length === 1)
    c.user.push({ v: 2 })
    gates[0].resolve()
    await until(() => received.length === 2)
    c.user.push({ v: 3 })
    c.user.push({ v: 4 })
    gates[1].resolve()
    gates[2].resolve()
    await c.flush()
    const values = profilesOf(received).map((p) => attrs(p).v)
    expect(values[values.length - 1]).toBe(4)
    expect(values).toEqual([...values].sort()) // never an older value after a newer one
    c.close()
  })
})

describe('messageId', () => {
  it('is the same on every retry of the same content (503 then 200)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ ok: true }))
    const c = client()
    c.user.push({ plan: 'pro' })
    await c.flush()
    const [failed, retried] = profilesOf(received)
    expect(received).toHaveLength(2)
    expect(retried.messageId).toBe(failed.messageId)
    expect(attrs(retried)).toEqual(attrs(failed))
    c.close()
  })

  it('changes when the content changes', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.2) // a 200 ms backoff to push into
    state.reply = (n) => (n === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ ok: true }))
    const c = client()
    c.user.push({ plan: 'pro' })
    await until(() => received.length === 1)
    c.user.push({ city: 'Pune' })
    await c.flush()
    const [failed, retried] = profilesOf(received)
    expect(attrs(retried)).toEqual({ plan: 'pro', city: 'Pune' })
    expect(retried.messageId).not.toBe(failed.messageId)
    c.close()
  })

  it('differs between two deliveries of the same profile', async () => {
    const c = client()
    c.user.push({ a: 1 })
    await c.flush()
    c.user.push({ a: 2 })
    await c.flush()
    const [one, two] = profilesOf(received)
    expect(one.messageId).not.toBe(two.messageId)
    c.close()
  })
})

describe('at most one request per profile in flight', () => {
  it('flush(), hidden page, pagehide and new pushes do not start a second request for a profile in flight', async () => {
    const release = holdRequest(1)
    const c = client()
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    c.user.push({ a: 2 })
    const flushed = c.flush()
    setVisibility('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('pagehide'))
    window.dispatchEvent(new Event('online'))
    await sleep(80)
    expect(received).toHaveLength(1)
    release()
    await flushed
    const values = profilesOf(received).map((p) => attrs(p).a)
    expect(values[0]).toBe(1)
    expect(values[values.length - 1]).toBe(2)
    c.close()
  })

  it('other profiles are not held up by another profile in flight beyond the cycle', async () => {
    const release = holdRequest(1)
    const c = client()
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    c.user.identify('u-1', { b: 1 })
    await sleep(50)
    release()
    await c.flush()
    expect(profilesOf(received).map((p) => p.userId)).toEqual([null, 'u-1'])
    c.close()
  })
})

describe('flush triggers', () => {
  it('flushInterval runs from the first pending update, not from client creation, and not before', async () => {
    const c = client({ flushInterval: 200 })
    await c.flush()
    await sleep(250) // longer than the interval, with nothing pending
    const start = Date.now()
    c.user.push({ a: 1 })
    await sleep(120)
    c.user.push({ b: 2 }) // does not push the deadline back
    await sleep(40)
    expect(received).toHaveLength(0)
    await until(() => received.length === 1, 2000)
    const waited = received[0].at - start
    expect(waited).toBeGreaterThanOrEqual(195)
    expect(waited).toBeLessThan(400)
    expect(attrs(profilesOf(received)[0])).toEqual({ a: 1, b: 2 })
    c.close()
  })

  it('maxBatchSize pending profiles send at once', async () => {
    const c = client({ flushInterval: 60_000, maxBatchSize: 3 })
    c.user.identify('a', { n: 1 })
    c.user.identify('b', { n: 2 })
    await sleep(60)
    expect(received).toHaveLength(0)
    c.user.identify('c', { n: 3 })
    await until(() => received.length > 0, 1000)
    expect(profilesOf(received).map((p) => p.userId).sort()).toEqual(['a', 'b', 'c'])
    c.close()
  })

  it('the page becoming hidden sends', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await sleep(40)
    expect(received).toHaveLength(0)
    setVisibility('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    await until(() => received.length === 1, 1000)
    c.close()
  })

  it('the page becoming hidden with nothing to send starts no cycle: no lock, no read, answered while the page sits in the back/forward cache', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await c.flush()
    await settle(30)
    const transactions = countTransactions()
    setVisibility('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    await settle(50)
    expect(transactions()).toBe(0)
    expect(received).toHaveLength(1)
    c.close()
  })

  it('a page rewritten with document.open() (every listener of window and document removed) sends at page-hide again once a call was made', async () => {
    const added = vi.spyOn(window, 'addEventListener')
    const c = client({ flushInterval: 60_000 })
    await c.flush()
    const [, beacon] = added.mock.calls.find(([type]) => type === 'pagehide')!
    window.removeEventListener('pagehide', beacon) // what document.open() does to every listener
    c.user.push({ a: 1 })
    await settle(30)
    window.dispatchEvent(new Event('pagehide'))
    await until(() => received.length === 1, 1000)
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    c.close()
  })

  it('becoming visible does not send', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await sleep(40)
    document.dispatchEvent(new Event('visibilitychange'))
    await sleep(60)
    expect(received).toHaveLength(0)
    c.close()
  })

  it('offline: nothing is sent (not even by flush()) until the online event', async () => {
    setOnline(false)
    const c = client({ flushInterval: 10 })
    c.user.push({ a: 1 })
    void c.flush()
    await sleep(100)
    expect(received).toHaveLength(0)
    setOnline(true)
    window.dispatchEvent(new Event('online'))
    await until(() => received.length === 1, 1000)
    c.close()
  })

  it('the online event sends what is pending', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await sleep(40)
    window.dispatchEvent(new Event('online'))
    await until(() => received.length === 1, 1000)
    c.close()
  })

  it('flush() sends at once and resolves when delivered', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    c.close()
  })

  it('pagehide sends synchronously with keepalive, including calls not committed yet', async () => {
    const c = client({ flushInterval: 60_000 })
    await c.flush()
    c.user.push({ stored: true })
    await settle(30)
    const calls = recordFetch()
    c.user.push({ leaving: true }) // not committed yet
    window.dispatchEvent(new Event('pagehide'))
    expect(calls).toHaveLength(1) // left inside the event handler
    expect(calls[0].init.keepalive).toBe(true)
    expect(attrs(calls[0].body.profiles[0])).toEqual({ stored: true, leaving: true })
    await until(() => received.length === 1, 1000)
    c.close()
  })

  it('pagehide: a profile too big for keepalive stays for the next visit, and the smaller ones after it still go', async () => {
    const c = client({ flushInterval: 60_000 })
    await c.flush()
    c.user.identify('big', Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, '€'.repeat(512)])))
    c.user.logout()
    c.user.identify('small', { plan: 'pro' })
    await settle(30)
    const calls = recordFetch()
    window.dispatchEvent(new Event('pagehide'))
    expect(calls.map((call) => call.body.profiles.map((p: any) => p.userId))).toEqual([['small']])
    await until(() => received.length === 1, 1000)
    c.close()
  })

  /**
   * A page kept through its pagehide (back/forward cache): `{ fresh: 1 }` pushed and not committed
   * yet when the beacon goes, then `after` (calls made after the beacon); returns every profile
   * the endpoint received once everything was sent.
   */
  async function keptThroughPagehide(after = (_c: Client) => {}) {
    const c = client({ flushInterval: 30 })
    await c.flush()
    await settle(30)
    c.user.push({ fresh: 1 }) // a new profile record, not committed yet: the beacon sends it
    window.dispatchEvent(new Event('pagehide'))
    after(c)
    await until(() => received.length >= 1, 1000)
    await sleep(150) // the page stays: the scheduler runs again
    await c.flush()
    c.close()
    return profilesOf(received)
  }

  it('pagehide for a profile not stored yet, page kept (back/forward cache): the content is not delivered twice under two messageIds', async () => {
    const copies = (await keptThroughPagehide()).filter((p) => attrs(p).fresh === 1)
    // At least once is fine, but a second copy must be recognisable as the same message.
    expect(new Set(copies.map((p) => p.messageId)).size).toBe(1)
  })

  it("pagehide: what the page's own pagehide handler pushes after the SDK's beacon goes in a keepalive request of its own", async () => {
    const c = client({ flushInterval: 60_000 })
    await c.flush()
    const late = () => c.user.push({ late: true })
    window.addEventListener('pagehide', late) // added after the SDK's listener: runs after its beacon
    const calls = recordFetch()
    c.user.push({ leaving: true })
    window.dispatchEvent(new Event('pagehide'))
    window.removeEventListener('pagehide', late)
    await Promise.resolve() // the microtask checkpoint a browser runs after each listener
    expect(calls.map((call) => [call.init.keepalive, attrs(call.body.profiles[0])])).toEqual([
      [true, { leaving: true }],
      [true, { leaving: true, late: true }],
    ])
    expect(calls[1].body.profiles[0].messageId).not.toBe(calls[0].body.profiles[0].messageId)
    await until(() => received.length === 2, 1000)
    c.close()
  })

  it('a call made after the beacon (a later pagehide handler, a page kept in the back/forward cache) is delivered, under its own messageId', async () => {
    const profiles = await keptThroughPagehide((c) => c.user.push({ after: 2 })) // the site's own pagehide handler, after the SDK's
    expect(Object.assign({}, ...profiles.map(attrs))).toEqual({ fresh: 1, after: 2 })
    // One messageId, one content: a server that drops repeated ids loses nothing.
    const contents = new Map<string, Set<string>>()
    for (const p of profiles) contents.set(p.messageId, (contents.get(p.messageId) ?? new Set()).add(JSON.stringify(attrs(p))))
    for (const seen of contents.values()) expect(seen.size).toBe(1)
  })

  it('a cycle that read the queue before the page went into the back/forward cache does not send again what the beacon sent meanwhile', async () => {
    const snapshot = deferred<ProfileRecord[]>()
    const record: ProfileRecord = { key: 'k', userId: 'u1', anonymousId: 'a', rid: 'r', seq: 1, messageId: 'm', created: 1, attributes: { plan: { type: 'string', value: 'pro', seq: 1, at: 1 } } }
    const queue = { snapshot: () => snapshot.promise, settle: async () => {}, created: new Set<string>(), remember: async () => {} }
    const delivery = createDelivery(queue, { endpoint: ENDPOINT, headers: {}, format: json, batch: 100, timeout: 10_000, anonymous: true }, () => {})
    const cycle = delivery.cycle() // started as the page was hidden: its read is answered late
    delivery.beacon([record]) // page-hide
    await until(() => received.length === 1)
    await settle(20) // the beacon's answer is in; the page's settle would come after the cycle's read
    snapshot.resolve([record])
    expect(await cycle).toEqual({ kind: 'done' })
    await settle(30)
    expect(received).toHaveLength(1)
  })

  it('maxBatchSize caps the profiles per request', async () => {
    const c = client({ flushInterval: 60_000, maxBatchSize: 2 })
    for (const id of ['a', 'b', 'c', 'd', 'e']) c.user.identify(id, { n: id })
    await c.flush()
    expect(received.map((r) => r.body.profiles.length).every((n) => n <= 2)).toBe(true)
    expect(profilesOf(received).map((p) => p.userId).sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
    c.close()
  })

  it('concurrent flush() calls all resolve once delivered; close() resolves a pending one', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    await Promise.all([c.flush(), c.flush(), c.flush()])
    expect(received).toHaveLength(1)
    const release = holdRequest(2)
    c.user.push({ b: 2 })
    const pending = c.flush()
    await until(() => received.length === 2)
    c.close()
    await expect(Promise.race([pending.then(() => 'resolved'), sleep(300).then(() => 'hung')])).resolves.toBe('resolved')
    release()
  })
})

describe('close()', () => {
  it('a send under way stops before its next request; a flush() made just before settles; calls after it store and send nothing', async () => {
    const release = holdRequest(1)
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000, maxBatchSize: 1 })
    for (const id of ['a', 'b', 'c']) c.user.identify(id, { n: id })
    const before = c.flush()
    await until(() => received.length === 1) // a's request is out; b and c would follow
    c.close()
    release()
    await expect(Promise.race([before.then(() => 'settled'), sleep(300).then(() => 'hung')])).resolves.toBe('settled')
    c.user.push({ after: 1 })
    c.consent(true) // does not bring it back
    c.user.identify('z', { after: 2 })
    await c.flush()
    await sleep(100)
    expect(received).toHaveLength(1)
    const { records } = await stored(storageName)
    // Kept for the next client: b and c, and a, whose answer came after close() (sent again, same messageId).
    expect(records.map((r) => r.userId).sort()).toEqual(['a', 'b', 'c'])
  })

  it('a flush() made right before close() settles, though the endpoint keeps failing', async () => {
    state.reply = () => new HttpResponse(null, { status: 503 })
    const c = client()
    c.user.push({ a: 1 })
    const pending = c.flush()
    c.close()
    await expect(Promise.race([pending.then(() => 'settled'), sleep(500).then(() => 'hung')])).resolves.toBe('settled')
  })

  it('lets the IndexedDB connection go once its last write is stored', async () => {
    const closes = vi.spyOn(IDBDatabase.prototype, 'close')
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    c.user.push({ kept: true })
    c.close() // in the same task as the push: the write still lands
    await until(() => closes.mock.calls.length === 2) // the queue's database and the journals'
    expect((await stored(storageName)).records.map((r) => r.attributes.kept.value)).toEqual([true])
    closes.mockRestore()
  })
})
