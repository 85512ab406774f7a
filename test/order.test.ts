// Behaviour 1: calls take effect in the order they were made, although storage is asynchronous;
// each update carries the identity current at the moment of its call, even before storage loaded.
import { describe, expect, it, vi } from 'vitest'
import {
  attrs,
  clientFactory,
  freshName,
  profilesOf,
  recordFetch,
  recordingEndpoint,
  settle,
  stored,
} from './helpers'

const { received } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })

/** What the server would hold per profile after applying every request in arrival order. */
function serverView() {
  const view = new Map<string, Record<string, unknown>>()
  for (const p of profilesOf(received)) {
    const id = p.userId ?? `anon:${p.anonymousId}`
    view.set(id, { ...view.get(id), ...attrs(p) })
  }
  return view
}

/** The page's clocks from now on read `ms` earlier (NTP or a person corrected them backwards). */
function clockSetBack(ms: number) {
  const realNow = performance.now.bind(performance)
  vi.spyOn(performance, 'now').mockImplementation(() => realNow() - ms)
  vi.spyOn(Date, 'now').mockImplementation(() => performance.timeOrigin + realNow() - ms)
}

describe('identity of the moment', () => {
  it('push before identify is anonymous, after identify is the user, after logout the new anonymous id (all before storage loaded)', async () => {
    const storageName = freshName()
    const c = client({ storageName })
    // Synchronous: storage cannot have answered yet.
    c.user.push({ step: 1 })
    c.user.identify('u-1')
    c.user.push({ step: 2 })
    c.user.logout()
    c.user.push({ step: 3 })
    await c.flush()
    const profiles = profilesOf(received)
    const bySteps = profiles.filter((p) => 'step' in attrs(p)).map((p) => [p.userId, attrs(p).step])
    expect(bySteps).toEqual([
      [null, 1],
      ['u-1', 2],
      [null, 3],
    ])
    const [first, user, after] = profiles.filter((p) => 'step' in attrs(p))
    expect(user.anonymousId).toBe(first.anonymousId)
    expect(after.anonymousId).not.toBe(first.anonymousId)
    // The identity left in storage is the one of the last call.
    const { identity } = await stored(storageName)
    expect(identity).toMatchObject({ userId: null, anonymousId: after.anonymousId })
    c.close()
  })

  it('keeps the identity of the moment when calls interleave with commits in progress', async () => {
    const c = client()
    await c.flush() // storage loaded
    c.user.push({ n: 'a1' })
    await Promise.resolve() // a commit starts
    c.user.identify('u-2', { n: 'u1' })
    await new Promise((r) => setTimeout(r, 0)) // the commit is in IndexedDB's hands
    c.user.push({ m: 'u2' })
    c.user.logout()
    await Promise.resolve()
    c.user.push({ n: 'b1' })
    c.user.identify('u-3')
    c.user.push({ n: 'u3' })
    await c.flush()
    const view = serverView()
    const anon = profilesOf(received).filter((p) => p.userId === null)
    expect(anon.map(attrs)).toEqual([{ n: 'a1' }, { n: 'b1' }])
    expect(anon[0].anonymousId).not.toBe(anon[1].anonymousId)
    expect(view.get('u-2')).toEqual({ n: 'u1', m: 'u2' })
    expect(view.get('u-3')).toEqual({ n: 'u3' })
    // u-2 came from the first anonymous id, u-3 from the one minted at logout.
    const link = (u: string) => profilesOf(received).find((p) => p.userId === u).anonymousId
    expect(link('u-2')).toBe(anon[0].anonymousId)
    expect(link('u-3')).toBe(anon[1].anonymousId)
    c.close()
  })

  it('calls made before the stored identity loaded follow the stored identity (returning user)', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.user.identify('u-7', { plan: 'pro' })
    await first.flush()
    first.close()
    received.length = 0

    const second = client({ storageName })
    second.user.push({ before: 'load' }) // storage has not answered yet
    second.user.logout()
    second.user.push({ after: 'logout' })
    await second.flush()
    const profiles = profilesOf(received)
    const before = profiles.find((p) => 'before' in attrs(p))
    const after = profiles.find((p) => 'after' in attrs(p))
    expect(before).toMatchObject({ userId: 'u-7' })
    expect(after.userId).toBe(null)
    expect(after.anonymousId).not.toBe(before.anonymousId)
    second.close()
  })
})

describe('call order', () => {
  it('the last call wins per attribute, whatever the commits in progress', async () => {
    const c = client()
    for (let i = 0; i < 20; i++) {
      c.user.push({ counter: i, [`k${i % 3}`]: i })
      if (i % 4 === 0) await Promise.resolve()
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 0))
    }
    await c.flush()
    const view = serverView()
    expect([...view.values()]).toEqual([{ counter: 19, k0: 18, k1: 19, k2: 17 }])
    c.close()
  })

  it('flush() called before storage loaded waits for the calls made before it', async () => {
    const c = client({ flushInterval: 60_000 })
    c.user.push({ a: 1 })
    c.user.identify('u-8', { b: 2 })
    await c.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { a: 1 }],
      ['u-8', { b: 2 }],
    ])
    c.close()
  })

  it('a later page load wins over an earlier one even if the wall clock went back in between', async () => {
    // The previous page stored an update it could not send; the clock was then corrected
    // backwards by a minute (NTP, manual change). The newer call must still win.
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.push({ plan: 'pro' })
    await settle(50)
    first.close()
    expect(received).toHaveLength(0)

    clockSetBack(60_000)
    const second = client({ storageName, flushInterval: 60_000 })
    second.user.push({ plan: 'enterprise' })
    await second.flush()
    expect(serverView().size).toBe(1)
    expect([...serverView().values()][0]).toEqual({ plan: 'enterprise' })
    second.close()
  })

  it('and when the earlier page DELIVERED its call before the clock went back: the newer call is still sent', async () => {
    // What remains of the delivered call is its floor (the stamp that keeps older calls out).
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 10 })
    first.user.identify('u1', { plan: 'pro' })
    await first.flush()
    first.close()
    expect(received).toHaveLength(1)

    clockSetBack(60_000)
    const second = client({ storageName, flushInterval: 10 })
    second.user.push({ plan: 'enterprise', other: 1 })
    await second.flush()
    expect([...serverView().values()]).toEqual([{ plan: 'enterprise', other: 1 }])
    second.close()
  })

  it('a page leaving before storage answered sends its calls under the stored identity, not a new one', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.user.identify('u-9')
    await first.flush()
    first.close()
    received.length = 0

    const second = client({ storageName, flushInterval: 60_000 })
    const calls = recordFetch()
    second.user.push({ late: 1 }) // a quick bounce: the page goes away before IndexedDB answered
    window.dispatchEvent(new Event('pagehide'))
    await settle(50)
    await second.flush()
    const beaconed = calls.flatMap((c) => c.body.profiles).filter((p: any) => 'late' in attrs(p))
    const delivered = profilesOf(received).filter((p) => 'late' in attrs(p))
    const { identity } = await stored(storageName)
    expect({
      beaconedAs: [...new Set(beaconed.map((p: any) => p.userId))],
      deliveredAs: [...new Set(delivered.map((p) => p.userId))],
      storedIdentity: identity.userId, // the next visit must still know the user
    }).toEqual({ beaconedAs: ['u-9'], deliveredAs: ['u-9'], storedIdentity: 'u-9' })
    second.close()
  })
  it('a page that names its user with identify() and leaves before storage answered sends those calls at once (a login redirect)', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.user.push({ browsing: 1 }) // an earlier visit, still anonymous
    await first.flush()
    first.close()
    received.length = 0

    const second = client({ storageName, flushInterval: 60_000 })
    const calls = recordFetch()
    second.user.identify('u-10', { plan: 'pro' })
    second.user.push({ landed: 'dashboard' })
    window.dispatchEvent(new Event('pagehide')) // location.replace() right after: IndexedDB has not answered
    expect(calls).toHaveLength(1) // sent inside the event handler
    expect(calls[0].init.keepalive).toBe(true)
    const named = calls[0].body.profiles.filter((p: any) => p.userId === 'u-10')
    expect(named.map(attrs)).toEqual([{ plan: 'pro', landed: 'dashboard' }])
    second.close()
  })

  it('on a first visit too: identify() then leaving at once is not lost', async () => {
    const c = client({ storageName: freshName(), flushInterval: 60_000 })
    const calls = recordFetch()
    c.user.identify('u-11', { source: 'oauth' })
    window.dispatchEvent(new Event('pagehide'))
    await settle(50)
    expect(profilesOf(received).filter((p) => p.userId === 'u-11').map(attrs)).toEqual([{ source: 'oauth' }])
    expect(calls.every((c) => c.init.keepalive)).toBe(true)
    c.close()
  })
})

