// Calls are written ahead of their commit: a blind write in the calls' own task lands even when
// the page is torn down before its commit (a read, then a write) can; the next page merges it.
import { describe, expect, it, vi } from 'vitest'
import { createQueue } from '../src/queue'
import { memoryKV } from '../src/store'
import type { Delta } from '../src/types'
import { attrs, clientFactory, collect, freshName, profilesOf, putRaw, recordingEndpoint, settle, stored } from './helpers'

const { received } = recordingEndpoint()
const client = clientFactory({ flushInterval: 60_000 })
const journals = (raw: Map<string, unknown>) => [...raw.keys()].filter((key) => String(key).startsWith('j:'))

/** Waits (up to 3 s) until what is stored passes `check`: a loaded machine may take longer than a fixed wait. */
async function storedWhen(storageName: string, check: (s: Awaited<ReturnType<typeof stored>>) => boolean) {
  for (let i = 0; i < 300 && !check(await stored(storageName)); i++) await settle(10)
}

/** From now on, no commit of this page lands: its reads never answer (the page is being torn down). */
const tearDown = () => vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(() => ({}) as IDBRequest)

describe('written ahead', () => {
  it('a call whose commit died with its page reaches the server from the next page, over the older stored value', async () => {
    const storageName = freshName()
    const page1 = client({ storageName })
    page1.user.identify('u1', { city: 'A' })
    // A is stored, not sent (the interval is a minute).
    await storedWhen(storageName, (s) => s.records[0]?.attributes.city?.value === 'A')
    const dying = tearDown()
    page1.user.push({ city: 'B' })
    await storedWhen(storageName, (s) => journals(s.raw).length === 1)
    await settle(30)
    dying.mockRestore()
    page1.close()
    expect((await stored(storageName)).records[0].attributes.city.value).toBe('A') // the commit of B never landed
    expect(journals((await stored(storageName)).raw)).toHaveLength(1)

    const page2 = client({ storageName })
    await page2.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u1', { city: 'B' }]])
    const after = await stored(storageName)
    expect(journals(after.raw)).toEqual([])
    expect(after.records).toEqual([])
  })

  it("a page that left before its identity was stored: the next page takes the new attribute's type lock from its stored value", async () => {
    const storageName = freshName()
    const page1 = client({ storageName })
    page1.user.identify('u1')
    await storedWhen(storageName, (s) => !!s.records[0])
    const before = (await stored(storageName)).identity
    page1.user.push({ score: 'high' })
    await storedWhen(storageName, (s) => s.records[0]?.attributes.score?.value === 'high')
    page1.close()
    await putRaw(storageName, 'identity', before) // its lock on score never landed
    const page2 = client({ storageName })
    const events = collect(page2)
    page2.user.push({ score: 5 })
    await page2.flush()
    expect(events.error.map((e) => [e.attribute, e.message])).toEqual([['score', expect.stringContaining('locked to string')]])
    expect(profilesOf(received).map(attrs)).toEqual([{ score: 'high' }])
    expect((await stored(storageName)).identity.types).toEqual({ score: 'string' })
    page2.close()
  })

  it('a commit that lands removes its copy: nothing is merged or sent twice', async () => {
    const storageName = freshName()
    const page1 = client({ storageName })
    page1.user.push({ plan: 'pro' })
    await settle(50)
    expect(journals((await stored(storageName)).raw)).toEqual([])
    await page1.flush()
    page1.close()
    const page2 = client({ storageName })
    await page2.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'pro' }])
  })

  it('a journal is merged once: whoever merges it first deletes it, so a later merge of the same copy adds nothing', async () => {
    const kv = memoryKV()
    const queue = createQueue(kv, () => {})
    const delta: Delta = { key: 'k', userId: 'u1', anonymousId: 'a', attributes: { city: { type: 'string', value: 'B', at: 1 } } }
    expect(queue.journal('dead-page', [delta])).toBe(true)
    await queue.commit([], undefined, [{ key: 'dead-page', deltas: [delta] }]) // the next page
    const [record] = queue.pending.values()
    expect(record.attributes.city.value).toBe('B')
    await queue.settle([record]) // delivered
    await queue.commit([], undefined, [{ key: 'dead-page', deltas: [delta] }]) // another tab told of it late
    expect([...queue.pending.values()]).toEqual([])
    expect(await kv.all('')).toEqual([['floors', expect.any(Object)]])
  })

  it('journals live in a store of their own: written there, read back by the next page, deleted once merged', async () => {
    const kv = memoryKV()
    const ahead = memoryKV()
    const queue = createQueue(kv, () => {}, undefined, undefined, undefined, ahead)
    const delta: Delta = { key: 'k', userId: 'u1', anonymousId: 'a', attributes: { city: { type: 'string', value: 'B', at: 1 } } }
    expect(queue.journal('page', [delta])).toBe(true)
    expect(await kv.all('j:')).toEqual([])
    const next = createQueue(kv, () => {}, undefined, undefined, undefined, ahead) // the next page
    const [, , , , journals] = await next.load()
    expect(journals).toEqual([{ key: 'page', deltas: [delta] }])
    await next.commit([], undefined, journals)
    expect([...next.pending.values()].map((r) => r.attributes.city.value)).toEqual(['B'])
    expect(await ahead.all('')).toEqual([])
  })

  it('a withdrawn consent erases what was written ahead, also when a page left it behind', async () => {
    const storageName = freshName()
    const page1 = client({ storageName })
    page1.user.push({ plan: 'pro' })
    await settle(50)
    const dying = tearDown()
    page1.user.push({ city: 'Pune' })
    await settle(50)
    dying.mockRestore()
    page1.consent(false)
    await settle(50)
    expect(journals((await stored(storageName)).raw)).toEqual([])
    page1.close()

    // A page killed after storing its withdrawal, before erasing: the next page finishes the erasing.
    await putRaw(storageName, 'j:left', [{ key: 'k', userId: null, anonymousId: 'a', attributes: { city: { type: 'string', value: 'Pune', at: 1 } } }])
    const page2 = client({ storageName })
    await page2.flush()
    await settle(50)
    expect(journals((await stored(storageName)).raw)).toEqual([])
    expect(received).toEqual([])
  })

  it('a damaged journal is deleted at the next load, and the rest is still sent', async () => {
    const storageName = freshName()
    await putRaw(storageName, 'j:damaged', 'not a list of deltas')
    await putRaw(storageName, 'j:half', [{ key: 'k' }, { key: 'k2', userId: null, anonymousId: 'a2', attributes: { plan: { type: 'string', value: 'pro', at: 1 } } }])
    const page = client({ storageName })
    await page.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'pro' }])
    expect(journals((await stored(storageName)).raw)).toEqual([])
  })
})
