// Behaviours 1-3: call order, the identity of the moment, anonymous -> identified, logout.
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, collect, ENDPOINT, freshName, profilesOf, putRaw, recordingEndpoint, stored } from './helpers'

const { received } = recordingEndpoint()
const client = (storageName = freshName()) => createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })

describe('identity of the moment, in call order', () => {
  it('stamps each update with the identity current at its call, even before storage has loaded', async () => {
    const c = client()
    // All synchronous: none of these can have reached IndexedDB yet.
    c.user.push({ step: 1 })
    c.user.identify('u-1', { email: 'one@example.com' })
    c.user.push({ step: 2 })
    c.user.logout()
    c.user.push({ step: 3 })
    await c.flush()
    const [anon, user, next] = profilesOf(received)
    expect([anon.userId, attrs(anon)]).toEqual([null, { step: 1 }])
    expect([user.userId, user.anonymousId, attrs(user)]).toEqual(['u-1', anon.anonymousId, { email: 'one@example.com', step: 2 }])
    expect([next.userId, attrs(next)]).toEqual([null, { step: 3 }])
    expect(next.anonymousId).not.toBe(anon.anonymousId)
    c.close()
  })

  it('applies later calls over earlier ones: last write per attribute wins', async () => {
    const c = client()
    c.user.push({ plan: 'free', city: 'Pune' })
    c.user.push({ plan: 'pro' })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'pro', city: 'Pune' }])
    c.close()
  })
})

describe('identify() on every page', () => {
  it('again with the same id on the next page: no request, nothing queued, the stored identity unchanged', async () => {
    const storageName = freshName()
    const first = client(storageName)
    first.user.identify('u-7', { plan: 'pro' })
    await first.flush()
    first.close()
    const before = await stored(storageName)
    received.length = 0

    const next = client(storageName)
    next.user.identify('u-7')
    await next.flush()
    await new Promise((resolve) => setTimeout(resolve, 30))
    const after = await stored(storageName)
    expect({ requests: received.length, identity: after.identity, records: after.records }).toEqual({
      requests: 0,
      identity: before.identity,
      records: [],
    })
    next.close()
  })
})

describe('held anonymous updates (destinations without anonymous profiles) always follow the user', () => {
  const held = (storageName = freshName()) => createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10, holdAnonymous: true })

  it('logout() while nobody is logged in changes nothing: push, logout, identify still brings the push along', async () => {
    const c = held()
    c.user.push({ city: 'San Francisco' })
    c.user.logout() // Growlytics advises logout() before identify()
    c.user.identify('u-1', { email: 'u1@example.com' })
    await c.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u-1', { city: 'San Francisco', email: 'u1@example.com' }]])
    c.close()
  })

  it('an anonymous record left behind by a page that logged in (the fold was not stored) is folded in at the next load', async () => {
    const storageName = freshName()
    const first = held(storageName)
    first.user.push({ cart: 'shoes' })
    await first.flush() // held: stored, not sent
    first.close()
    const { identity, records } = await stored(storageName)
    expect(records.map((r: any) => r.key)).toEqual([`a:${identity.anonymousId}`])
    // The login page stored its identity, then left before its fold was stored.
    await putRaw(storageName, 'identity', { ...identity, userId: 'u-2' })

    const next = held(storageName)
    await next.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u-2', { cart: 'shoes' }]])
    expect((await stored(storageName)).records).toEqual([])
    next.close()
  })
})

describe('anonymous, then identified', () => {
  it('starts with a random uuid kept in IndexedDB and shared by the next client', async () => {
    const storageName = freshName()
    const first = client(storageName)
    first.user.push({ a: 1 })
    await first.flush()
    first.close()
    const { identity } = await stored(storageName)
    expect(identity.anonymousId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const second = client(storageName)
    second.user.push({ b: 2 })
    await second.flush()
    expect(profilesOf(received).map((p) => p.anonymousId)).toEqual([identity.anonymousId, identity.anonymousId])
    second.close()
  })

  it('sends the anonymous -> user link even when identify has no attributes', async () => {
    const c = client()
    c.user.push({ city: 'Mumbai' })
    c.user.identify('u-9')
    await c.flush()
    const [anon, link] = profilesOf(received)
    expect(anon.userId).toBe(null)
    expect(link).toMatchObject({ userId: 'u-9', anonymousId: anon.anonymousId, attributes: [] })
    c.close()
  })
})

describe('logout and switching users', () => {
  it('delivers what was queued for the old user to the old user, and mints a new anonymous id', async () => {
    const c = client()
    c.user.identify('alice', { plan: 'pro' })
    c.user.push({ theme: 'dark' })
    c.user.logout()
    c.user.push({ theme: 'light' })
    await c.flush()
    const profiles = profilesOf(received)
    const alice = profiles.filter((p) => p.userId === 'alice')
    expect(alice.map(attrs)).toEqual([{ plan: 'pro', theme: 'dark' }])
    const after = profiles.find((p) => attrs(p).theme === 'light')
    expect(after.userId).toBe(null)
    expect(after.anonymousId).not.toBe(alice[0].anonymousId)
    c.close()
  })

  it('identify with another id logs the current user out first', async () => {
    const c = client()
    c.user.identify('alice', { n: 1 })
    c.user.identify('bob', { n: 2 })
    await c.flush()
    const [alice, bob] = profilesOf(received)
    expect([alice.userId, attrs(alice)]).toEqual(['alice', { n: 1 }])
    expect([bob.userId, attrs(bob)]).toEqual(['bob', { n: 2 }])
    expect(bob.anonymousId).not.toBe(alice.anonymousId)
    c.close()
  })

  it('identify with the current id only adds its attributes', async () => {
    const c = client()
    c.user.identify('alice', { n: 1 })
    await c.flush()
    c.user.identify('alice', { m: 2 })
    await c.flush()
    const [first, second] = profilesOf(received)
    expect(second.userId).toBe('alice')
    expect(second.anonymousId).toBe(first.anonymousId)
    expect(attrs(second)).toEqual({ m: 2 })
    c.close()
  })

  it('refuses an unusable user id with a reason and keeps the current identity', async () => {
    const c = client()
    const events = collect(c)
    c.user.identify(42 as any, { email: 'x@example.com' })
    c.user.identify('x'.repeat(41))
    c.user.push({ still: 'anonymous' })
    await c.flush()
    expect(events.error.map((e) => e.code)).toEqual(['identity', 'identity'])
    expect(events.error[0].message).toContain('must be a string, got number 42')
    expect(events.error[1].message).toContain('41 characters; the limit is 40')
    expect(profilesOf(received).map((p) => p.userId)).toEqual([null])
    c.close()
  })
})

describe("one page's clients and its first visit", () => {
  it('two clients made before either loaded (a component mounted twice at once) are one visitor', async () => {
    const storageName = freshName()
    const first = client(storageName)
    first.user.push({ fromFirstMount: 1 })
    first.close()
    const second = client(storageName)
    second.user.identify('u-twice')
    await second.flush()
    const ids = new Set(profilesOf(received).map((p) => p.anonymousId))
    expect(ids.size).toBe(1)
    second.close()
  })

  it('a client made after one loaded never takes its id, even with nothing stored (IndexedDB unavailable)', async () => {
    vi.stubGlobal('indexedDB', undefined)
    try {
      const storageName = freshName()
      const first = client(storageName)
      first.user.identify('u-first')
      await first.flush()
      first.user.logout()
      first.close()
      const later = client(storageName)
      later.user.push({ visitor: 'later' })
      await later.flush()
      later.close()
      const [login, push] = profilesOf(received)
      expect([login.userId, push.userId, attrs(push)]).toEqual(['u-first', null, { visitor: 'later' }])
      expect(push.anonymousId).not.toBe(login.anonymousId)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
