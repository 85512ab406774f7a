// Behaviours 4 and 6: the durable queue. An update is in IndexedDB before anything is sent;
// pushes to one profile merge into one record (last write per attribute wins); writes are
// grouped; a new client on the same storage delivers what the previous one left.
import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import {
  attrs,
  clientFactory,
  countTransactions,
  freshName,
  profilesOf,
  recordingEndpoint,
  settle,
  stored,
  until,
} from './helpers'

const { received, state } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })

describe('stored before sent', () => {
  it('the record is in IndexedDB (db = storageName, store "queue", key r:<profileKey>) before the request arrives', async () => {
    const storageName = freshName()
    const seenAtRequest: any[] = []
    state.reply = async () => {
      seenAtRequest.push((await stored(storageName)).records)
      return HttpResponse.json({ ok: true })
    }
    const c = client({ storageName })
    c.user.push({ city: 'Mumbai' })
    await c.flush()
    expect(received).toHaveLength(1)
    const [anon] = profilesOf(received)
    expect(seenAtRequest[0]).toEqual([
      expect.objectContaining({
        key: `a:${anon.anonymousId}`,
        userId: null,
        anonymousId: anon.anonymousId,
        messageId: anon.messageId,
        attributes: { city: expect.objectContaining({ type: 'string', value: 'Mumbai' }) },
      }),
    ])
    c.close()
  })

  it('lays out the store as documented: r:a:<anonymousId>, r:u:<anonymousId>:<userId>, identity', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    c.user.push({ city: 'Pune' })
    c.user.identify('u-1', { plan: 'pro' })
    await settle(50)
    expect(received).toHaveLength(0)
    const { raw, identity } = await stored(storageName)
    const anonymousId = identity.anonymousId
    expect(identity).toMatchObject({ userId: 'u-1', consent: true })
    expect([...raw.keys()].filter((k) => k.startsWith('r:')).sort()).toEqual(
      [`r:a:${anonymousId}`, `r:u:${anonymousId}:u-1`].sort(),
    )
    expect(raw.get(`r:u:${anonymousId}:u-1`)).toMatchObject({
      userId: 'u-1',
      anonymousId,
      attributes: { plan: { type: 'string', value: 'pro' } },
    })
    c.close()
  })

  it('once delivered, the record is gone from IndexedDB', async () => {
    const storageName = freshName()
    const c = client({ storageName })
    c.user.push({ a: 1 })
    await c.flush()
    expect((await stored(storageName)).records).toEqual([])
    expect((await stored(storageName)).identity).toBeDefined()
    c.close()
  })
})

describe('merged, grouped writes', () => {
  it('10,000 pushes to one profile: one stored record, one request, last write per attribute wins, a handful of transactions', async () => {
    const storageName = freshName()
    const transactions = countTransactions()
    const c = client({ storageName, flushInterval: 60_000 })
    for (let i = 0; i < 10_000; i++) c.user.push({ visits: i, plan: `p${i % 7}`, active: i % 2 === 0 })
    await settle(50)
    const toStore = transactions() // load (two databases), start-up read, the write-ahead, the commit, its journal deleted
    const { records } = await stored(storageName)
    const ownReads = transactions() - toStore
    expect(records).toHaveLength(1)
    expect(records[0].attributes).toMatchObject({
      visits: { type: 'number', value: 9999 },
      plan: { type: 'string', value: 'p3' },
      active: { type: 'boolean', value: false },
    })
    expect(received).toHaveLength(0)
    await c.flush()
    await settle(50)
    expect(received).toHaveLength(1)
    expect(profilesOf(received)).toHaveLength(1)
    expect(attrs(profilesOf(received)[0])).toEqual({ visits: 9999, plan: 'p3', active: false })
    const total = transactions() - ownReads
    console.info(`[figures] 10,000 pushes (made before load): ${toStore} IndexedDB transactions until stored, ${total} including delivery; ${received.length} request(s)`)
    expect(toStore).toBeLessThanOrEqual(9) // 8 here; a loaded machine can split the commit in two
    expect(total).toBeLessThanOrEqual(14)
    c.close()
  })

  it('10,000 pushes after storage loaded are also one write-ahead and one commit', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    await c.flush() // loaded
    await settle(50) // idle: the cycle flush() started is over
    const transactions = countTransactions()
    for (let i = 0; i < 10_000; i++) c.user.push({ visits: i, plan: `p${i % 7}` })
    await settle(50)
    const commits = transactions()
    await c.flush()
    console.info(`[figures] 10,000 pushes after load: ${commits} IndexedDB transaction(s) to store them; ${received.length} request(s)`)
    expect(commits).toBeLessThanOrEqual(4) // the write-ahead, the commit, its journal deleted, the new types
    expect(received).toHaveLength(1)
    expect(attrs(profilesOf(received)[0])).toEqual({ visits: 9999, plan: 'p3' })
    c.close()
  })

  it('pushes spread over many ticks are still grouped while a commit is in progress (each turn is written ahead)', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    await c.flush()
    await settle(50)
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const puts = vi.spyOn(IDBObjectStore.prototype, 'put')
    for (let i = 0; i < 1000; i++) {
      c.user.push({ n: i })
      if (i % 10 === 0) await Promise.resolve()
    }
    // Each turn's write-ahead is a transaction of its own: on a loaded machine the last commit lands late.
    for (let t = 0; t < 60 && (await stored(storageName)).records[0]?.attributes.n.value !== 999; t++) await settle(50)
    const ahead = puts.mock.calls.filter(([, key]) => String(key).startsWith('j:')).length
    const commits = transactions.mock.calls.filter(([, mode]) => mode === 'readwrite').length - ahead
    console.info(`[figures] 1,000 pushes over 100 microtask turns: ${ahead} write-aheads, ${commits} other writing IndexedDB transaction(s)`)
    expect(ahead).toBeLessThanOrEqual(101)
    expect(commits).toBeLessThan(50)
    expect((await stored(storageName)).records[0].attributes.n.value).toBe(999)
    c.close()
  })

  it('pushes to different profiles are separate records', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    c.user.push({ a: 1 })
    c.user.identify('u-1', { b: 2 })
    c.user.logout()
    c.user.push({ c: 3 })
    await settle(50)
    expect((await stored(storageName)).records).toHaveLength(3)
    c.close()
  })
})

describe('reload', () => {
  it('close() before sending: the next client delivers it, without being asked to flush', async () => {
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.identify('u-5', { plan: 'pro' })
    first.user.push({ city: 'Pune' })
    await settle(50)
    first.close()
    expect(received).toHaveLength(0)
    const second = client({ storageName, flushInterval: 60_000 })
    await until(() => received.length > 0, 2000)
    await second.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u-5', { plan: 'pro', city: 'Pune' }]])
    expect((await stored(storageName)).records).toEqual([])
    second.close()
  })

  it('the endpoint failed for the first client: the second client delivers the same content with the same messageId', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.05) // backoff of 50 ms: the first client fails once, then closes
    state.reply = (n) => (n === 1 ? new HttpResponse(null, { status: 500 }) : HttpResponse.json({ ok: true }))
    const storageName = freshName()
    const first = client({ storageName })
    first.user.push({ plan: 'pro' })
    await until(() => received.length === 1)
    first.close()
    await settle(100)
    expect(received).toHaveLength(1)
    expect((await stored(storageName)).records).toHaveLength(1)
    const second = client({ storageName, flushInterval: 60_000 })
    await second.flush()
    const [failed, delivered] = profilesOf(received)
    expect(received).toHaveLength(2)
    expect(attrs(delivered)).toEqual({ plan: 'pro' })
    expect(delivered.messageId).toBe(failed.messageId)
    expect(delivered.anonymousId).toBe(failed.anonymousId)
    second.close()
  })

  it('what the second page pushes merges over what the first left: the later value wins', async () => {
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.push({ plan: 'free', city: 'Pune' })
    await settle(50)
    first.close()
    const second = client({ storageName, flushInterval: 60_000 })
    second.user.push({ plan: 'pro' })
    await second.flush()
    const view = Object.assign({}, ...profilesOf(received).map(attrs))
    expect(view).toEqual({ plan: 'pro', city: 'Pune' })
    second.close()
  })
})
