// consent(false) stops sending and erases the queue; consent(true) resumes; the decision
// survives a reload.
import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import {
  attrs,
  clientFactory,
  collect,
  deferred,
  freshName,
  profilesOf,
  recordFetch,
  recordingEndpoint,
  settle,
  sleep,
  stored,
  until,
} from './helpers'

const { received, state } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })

describe('consent(false)', () => {
  it('erases the queue (no r: records left in IndexedDB) and sends nothing', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    c.user.push({ before: 1 })
    c.user.identify('u-1', { also: 2 })
    await settle(50)
    expect((await stored(storageName)).records).toHaveLength(2)
    c.consent(false)
    await c.flush()
    await settle(30)
    const { raw } = await stored(storageName)
    expect([...raw.keys()].filter((k) => k.startsWith('r:'))).toEqual([])
    expect(received).toHaveLength(0)
    c.close()
  })

  it('stores the decision and no id: no user id, no earlier users, no registered ids, not even the anonymous id', async () => {
    const storageName = freshName()
    const c = client({ storageName, destination: 'haptik' })
    c.user.identify('asha42', { plan: 'pro' })
    c.user.logout()
    c.user.identify('ravi7', { plan: 'max' })
    await c.flush() // Haptik: both ids registered (POST)
    await settle(30)
    const before = (await stored(storageName)).raw
    expect(before.get('created')).toEqual(['asha42', 'ravi7'])
    expect(before.get('identity').users.map(([id]: [string]) => id)).toEqual(['asha42'])
    const anonymousId = before.get('identity').anonymousId
    c.consent(false)
    c.user.identify('later9') // made while withdrawn: kept in memory only
    await settle(50)
    const { raw } = await stored(storageName)
    const text = JSON.stringify([...raw])
    for (const id of ['asha42', 'ravi7', 'later9', anonymousId]) expect(text).not.toContain(id)
    // since: when the decision was made (an older decision another tab stores late must not win).
    expect(raw.get('identity')).toEqual({ anonymousId: expect.any(String), userId: null, types: {}, consent: false, since: expect.any(Number), blank: true })
    c.close()
  })

  it('calls made while withdrawn are neither stored nor sent; no trigger sends', async () => {
    const storageName = freshName()
    const c = client({ storageName })
    c.consent(false)
    c.user.push({ during: 1 })
    c.user.identify('u-1', { during: 2 })
    await c.flush()
    window.dispatchEvent(new Event('online'))
    window.dispatchEvent(new Event('pagehide'))
    await sleep(80)
    expect(received).toHaveLength(0)
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('in the same tick as the pushes before it: they are erased too', async () => {
    const storageName = freshName()
    const c = client({ storageName })
    c.user.push({ a: 1 })
    c.consent(false)
    await c.flush()
    await sleep(50)
    expect(received).toHaveLength(0)
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('with a request in flight: nothing more is sent afterwards and nothing is left stored', async () => {
    const gate = deferred()
    state.reply = async (n) => {
      if (n === 1) await gate.promise
      return new HttpResponse(null, { status: 503 })
    }
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const storageName = freshName()
    const c = client({ storageName })
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    c.user.push({ b: 2 })
    c.consent(false)
    gate.resolve()
    await sleep(100)
    expect(received).toHaveLength(1) // the 503 is not retried
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('in the middle of a cycle (one request per profile): no later request of it goes, and its answer stores no id', async () => {
    const gate = deferred()
    state.reply = async (n) => {
      if (n === 1) await gate.promise
      return HttpResponse.json({ ok: true })
    }
    const storageName = freshName()
    const c = client({ storageName, destination: 'haptik', flushInterval: 60_000 })
    const events = collect(c)
    for (const id of ['alice42', 'bob7', 'carol9']) {
      c.user.identify(id, { plan: 'pro' })
      c.user.logout()
    }
    void c.flush()
    await until(() => received.length === 1) // alice42's POST is in flight; bob7 and carol9 would follow
    c.consent(false)
    gate.resolve()
    await sleep(150)
    expect(received.map((r) => r.body.auth_id)).toEqual(['alice42'])
    expect(events.sent).toEqual([])
    const text = JSON.stringify([...(await stored(storageName)).raw])
    for (const id of ['alice42', 'bob7', 'carol9']) expect(text).not.toContain(id) // no created ids, no floors
    c.close()
  })

  it('flush() resolves while withdrawn', async () => {
    const c = client()
    c.consent(false)
    c.user.push({ a: 1 })
    await expect(Promise.race([c.flush().then(() => 'resolved'), sleep(500).then(() => 'hung')])).resolves.toBe('resolved')
    c.close()
  })
})

describe('consent(true)', () => {
  it('resumes: later calls are stored and sent, the erased ones are not', async () => {
    const c = client()
    c.user.push({ before: 1 })
    c.consent(false)
    c.user.push({ during: 2 })
    c.consent(true)
    c.user.push({ after: 3 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ after: 3 }])
    c.close()
  })
})

describe('the decision survives a reload', () => {
  it('withdrawn: the next client stores and sends nothing', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.consent(false)
    await first.flush()
    await settle(30)
    first.close()
    expect((await stored(storageName)).identity).toMatchObject({ consent: false })
    const second = client({ storageName })
    second.user.push({ a: 1 })
    second.user.identify('u-1', { b: 2 })
    await second.flush()
    await sleep(50)
    expect(received).toHaveLength(0)
    expect((await stored(storageName)).records).toEqual([])
    second.close()
  })

  it('granted again: the next client sends', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.consent(false)
    first.consent(true)
    await first.flush()
    await settle(30)
    first.close()
    const second = client({ storageName })
    second.user.push({ a: 1 })
    await second.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    second.close()
  })

  it('withdrawn on this page before identify(), leaving before storage answered: nothing is sent', async () => {
    const c = client({ storageName: freshName(), flushInterval: 60_000 })
    const calls = recordFetch()
    c.consent(false) // the consent manager says no
    c.user.identify('u-1', { plan: 'pro' })
    window.dispatchEvent(new Event('pagehide')) // a redirect before IndexedDB answered
    await sleep(80)
    expect({ requests: calls.length, received: received.length }).toEqual({ requests: 0, received: 0 })
    c.close()
  })

  it('withdrawn on a previous visit: a page leaving before storage answered sends nothing', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.consent(false)
    await first.flush()
    await settle(30)
    first.close()

    const second = client({ storageName, flushInterval: 60_000 })
    const calls = recordFetch()
    second.user.push({ email: 'asha@example.com' }) // storage has not answered yet
    window.dispatchEvent(new Event('pagehide'))
    await sleep(80)
    // The page survived (back/forward cache): it must not send later either.
    await second.flush()
    await sleep(50)
    second.user.push({ later: 1 })
    await sleep(50)
    const { records, identity } = await stored(storageName)
    expect({ requests: calls.length, received: received.length, stored: records.length, consent: identity.consent }).toEqual({
      requests: 0,
      received: 0,
      stored: 0,
      consent: false, // the withdrawal is still on record for the next visit
    })
    second.close()
  })
})
