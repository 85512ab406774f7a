// Behaviours 4-6: stored before sent, merged, grouped writes; never lose, never go back in time; reload.
import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, deferred, ENDPOINT, freshName, profilesOf, recordingEndpoint, stored, until } from './helpers'

const { received, state } = recordingEndpoint()

describe('durable, merged queue', () => {
  it('holds an update in IndexedDB before anything is sent', async () => {
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    c.user.push({ city: 'Mumbai' })
    await until(() => false, 50).catch(() => {})
    const { records } = await stored(storageName)
    expect(received).toHaveLength(0)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ userId: null, attributes: { city: { type: 'string', value: 'Mumbai' } } })
    c.close()
  })

  it('merges 10,000 pushes into one record, a handful of transactions and one request', async () => {
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    for (let i = 0; i < 10_000; i++) c.user.push({ visits: i, plan: `p${i % 7}`, active: i % 2 === 0 })
    await until(() => received.length > 0)
    await c.flush()
    expect(received).toHaveLength(1)
    expect(attrs(profilesOf(received)[0])).toEqual({ visits: 9999, plan: 'p3', active: false })
    // Load (two databases), start-up read, ONE commit for the 10,000 pushes (written ahead, then
    // its journal deleted), then per send: the lease (taken and freed: happy-dom has no Web
    // Locks), the read and the settle; plus flush()'s read.
    expect(transaction.mock.calls.length).toBeLessThanOrEqual(13)
    expect((await stored(storageName)).records).toHaveLength(0)
    c.close()
  })
})

describe('never lose, never go back in time', () => {
  it('keeps a push made while a request is in flight and sends it after, never overwritten by older data', async () => {
    const hold = deferred()
    state.reply = async (n) => {
      if (n === 1) await hold.promise
      return HttpResponse.json({ ok: true })
    }
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    c.user.push({ plan: 'free', city: 'Pune' })
    await until(() => received.length === 1)
    c.user.push({ plan: 'pro' })
    await until(async () => false, 30).catch(() => {})
    expect(received).toHaveLength(1) // one request per profile in flight
    hold.resolve()
    await c.flush()
    const [first, second] = profilesOf(received)
    expect(attrs(first)).toEqual({ plan: 'free', city: 'Pune' })
    expect(attrs(second)).toEqual({ plan: 'pro' }) // only what changed since the snapshot
    expect(second.messageId).not.toBe(first.messageId)
    expect((await stored(storageName)).records).toHaveLength(0)
    c.close()
  })

  it('keeps the messageId across retries of the same content', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0) // backoff with full jitter: a zero wait
    state.reply = (n) => (n === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ plan: 'pro' })
    await c.flush()
    const [failed, retried] = profilesOf(received)
    expect(received).toHaveLength(2)
    expect(retried.messageId).toBe(failed.messageId)
    expect(attrs(retried)).toEqual({ plan: 'pro' })
    c.close()
  })
})

describe('reload', () => {
  it('a new client on the same storageName delivers what the previous one left pending', async () => {
    const storageName = freshName()
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    first.user.identify('u-5', { plan: 'pro' })
    await until(() => false, 50).catch(() => {})
    first.close() // the page goes away before sending
    expect(received).toHaveLength(0)
    const second = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    await second.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u-5', { plan: 'pro' }]])
    second.close()
  })
})

describe('an older call from another tab that commits late', () => {
  it('cannot overwrite at the endpoint a newer value already delivered', async () => {
    const { createQueue } = await import('../src/queue')
    const { memoryKV } = await import('../src/store')
    const queue = createQueue(memoryKV(), () => {})
    const delta = (value: string, at: number) => ({
      key: 'u:a:u1', userId: 'u1', anonymousId: 'a', attributes: { shared: { type: 'string' as const, value, at } },
    })
    await queue.commit([delta('newer', 200)]) // tab B's later call lands first...
    const [sent] = await queue.snapshot()
    await queue.settle([sent]) // ...and is delivered: the record is gone
    expect(await queue.snapshot()).toEqual([])
    await queue.commit([delta('older', 100)]) // tab A's earlier call commits only now
    expect(await queue.snapshot()).toEqual([]) // nothing to send: the endpoint keeps 'newer'
    await queue.commit([delta('latest', 300)])
    expect((await queue.snapshot()).map((r) => r.attributes.shared.value)).toEqual(['latest'])
  })
})
