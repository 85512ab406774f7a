import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { memoryKV } from '../src/store'
import { createTabs } from '../src/tabs'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordFetch, recordingEndpoint, sleep, stored, until } from './helpers'

const { received, state } = recordingEndpoint()

/**
 * Tab B logged u1 in, then withdrew consent (stored: the decision and no id; B keeps the user in
 * memory); tab A was opened (or reloaded) after that: it reads the decision and no id.
 */
async function openedWhileWithdrawn() {
  const storageName = freshName()
  const options = { endpoint: ENDPOINT, storageName, flushInterval: 20 }
  const b = createClient(options)
  b.user.identify('u1', { plan: 'pro' })
  await b.flush()
  b.consent(false)
  await sleep(30)
  const a = createClient(options)
  await a.flush()
  return { storageName, a, b }
}

describe('several tabs on one storageName', () => {
  it('a push in tab B right after a login in tab A goes to the logged-in user', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    await a.flush()
    await b.flush()
    a.user.identify('u-7', { email: 'seven@example.com' })
    await sleep(30) // the BroadcastChannel message crosses tabs
    b.user.push({ plan: 'gold' })
    await b.flush()
    await a.flush()
    const gold = profilesOf(received).find((p) => attrs(p).plan === 'gold')
    expect(gold.userId).toBe('u-7')
    a.close()
    b.close()
  })

  it("a Retry-After told to tab A holds tab B's sends too, until it has passed", async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    await a.flush()
    await b.flush()
    state.reply = (n) => (n === 1 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '1' } }) : HttpResponse.json({ ok: true }))
    const told = Date.now()
    a.user.push({ a: 1 })
    await until(() => received.length === 1) // A was told to wait a second
    await sleep(50)
    b.user.push({ b: 2 })
    await until(() => received.length === 2, 3000)
    expect(received[1].at - told).toBeGreaterThanOrEqual(1000)
    expect(profilesOf(received.slice(1)).map(attrs)).toEqual([{ a: 1, b: 2 }])
    a.close()
    b.close()
  })

  it('Haptik: a user tab A registered (POST) is updated (PUT) by tab B, not registered twice', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10, destination: 'haptik' })
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10, destination: 'haptik' })
    await a.flush()
    await b.flush()
    const calls = recordFetch()
    a.user.identify('u1', { email: 'u1@example.com' })
    await a.flush()
    a.close() // tab A goes; tab B stays
    await sleep(30)
    b.user.push({ plan: 'pro' })
    await until(() => received.length === 2)
    expect(calls.map((c) => [c.init.method, c.body])).toEqual([
      ['POST', { auth_id: 'u1', email: 'u1@example.com' }],
      ['PUT', { auth_id: 'u1', custom_data: { plan: 'pro' } }],
    ])
    b.close()
  })

  it('hold mode: a held value refused at login is reported once, by the tab that logged in', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000, holdAnonymous: true })
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000, holdAnonymous: true })
    const inA = collect(a)
    const inB = collect(b)
    a.user.identify('u-1', { plan: 5 }) // the user's plan is a number from now on
    a.user.logout()
    await sleep(30)
    a.user.push({ plan: 'pro', city: 'Pune' }) // held: plan cannot join u-1, city can
    await sleep(30) // B has heard of the held record
    a.user.identify('u-1')
    await sleep(50) // B hears of the login too
    await a.flush()
    await b.flush()
    expect(inA.error.map((e) => e.attribute)).toEqual(['plan'])
    expect(inB.error).toEqual([])
    const last = Object.assign({}, ...profilesOf(received).filter((p) => p.userId === 'u-1').map(attrs))
    expect(last).toEqual({ plan: 5, city: 'Pune' })
    a.close()
    b.close()
  })

  it('hold mode: a login then a logout in tab B, while tab A folds its held values in: B stays logged out, in memory and in storage', async () => {
    for (const second of ['logout', 'identify'] as const) {
      const storageName = freshName()
      const options = { endpoint: ENDPOINT, storageName, flushInterval: 60_000, holdAnonymous: true }
      const a = createClient(options)
      a.user.push({ plan: 'anon-plan' }) // held in tab A: folding it in records new types there
      await a.flush()
      const b = createClient(options)
      await b.flush()
      b.user.identify('u2', { score: 1 })
      if (second === 'logout') b.user.logout()
      else b.user.identify('u3')
      await sleep(50) // the tabs hear of each other
      a.user.push({ fromA: 1 })
      b.user.push({ fromB: 2 })
      await sleep(50)
      await a.flush()
      await b.flush()
      const expected = second === 'logout' ? null : 'u3'
      expect((await stored(storageName)).identity.userId).toBe(expected)
      const u2 = Object.assign({}, ...profilesOf(received).filter((p) => p.userId === 'u2').map(attrs))
      expect(u2).toEqual({ plan: 'anon-plan', score: 1 }) // nothing pushed after the second call
      a.close()
      b.close()
      received.length = 0
    }
  })

  it('consent(true) from a tab opened while consent was withdrawn (it knows no id) does not log the user out in the tab that knows him', async () => {
    const { storageName, a, b } = await openedWhileWithdrawn()
    a.consent(true)
    await sleep(50)
    b.user.push({ after: 1 })
    a.user.push({ fromA: 2 })
    await sleep(30)
    await b.flush()
    await a.flush()
    expect(profilesOf(received).filter((p) => p.userId === 'u1').map(attrs)).toEqual([{ plan: 'pro' }, { after: 1, fromA: 2 }])
    expect((await stored(storageName)).identity).toMatchObject({ userId: 'u1', consent: true })
    a.close()
    b.close()
  })

  it('logout() in a tab opened while consent was withdrawn (it knows no user) logs the user out in the tab that knows him', async () => {
    const { storageName, a, b } = await openedWhileWithdrawn()
    a.user.logout()
    await sleep(50)
    b.consent(true)
    b.user.push({ after: 1 })
    await sleep(30)
    await b.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u1', { plan: 'pro' }], [null, { after: 1 }]])
    expect((await stored(storageName)).identity).toMatchObject({ userId: null, consent: true })
    a.close()
    b.close()
  })

  it('a page that read the withdrawal, alone: consent(true), then logout() while anonymous keeps its visitor (one anonymous profile)', async () => {
    const storageName = freshName()
    const options = { endpoint: ENDPOINT, storageName, flushInterval: 20 }
    const first = createClient(options)
    first.user.push({ score: 1 })
    await first.flush()
    first.consent(false)
    await sleep(30)
    first.close()
    const page = createClient(options) // the next page reads the decision and no id
    page.consent(true)
    page.user.push({ a: 1 })
    page.user.logout() // nobody is logged in: the anonymous visitor stays
    page.user.push({ b: 2 })
    await page.flush()
    const later = profilesOf(received).slice(1)
    expect(later.map(attrs)).toEqual([{ a: 1, b: 2 }])
    expect((await stored(storageName)).identity.anonymousId).toBe(later[0].anonymousId)
    page.close()
  })

  it("a first visit: tab A withdraws consent, a tab opened then grants it: A follows, nothing is lost", async () => {
    // Ids in creation order: A's minted id is the smallest, so A keeps its own id; it must still
    // take the other tab's consent.
    let n = 0
    vi.spyOn(crypto, 'randomUUID').mockImplementation(() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as `${string}-${string}-${string}-${string}-${string}`)
    try {
      const storageName = freshName()
      const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
      await a.flush()
      a.consent(false)
      await sleep(30)
      // B opens now: it reads the stored decision (with a new id that links to nothing) and grants.
      const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
      await b.flush()
      b.consent(true)
      await sleep(30)
      a.user.push({ fromA: 1 })
      b.user.push({ fromB: 2 })
      a.user.identify('u1', { login: 3 })
      await sleep(30)
      await Promise.all([a.flush(), b.flush()])
      const all = Object.assign({}, ...profilesOf(received).map(attrs))
      expect(all).toEqual({ fromA: 1, fromB: 2, login: 3 })
      a.close()
      b.close()
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('a first visit in two tabs that missed each other\'s ids: a login in one folds what both did before it (hold mode)', async () => {
    let n = 0
    vi.spyOn(crypto, 'randomUUID').mockImplementation(() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as `${string}-${string}-${string}-${string}-${string}`)
    // Each tab opened its channel after the other announced its minted id: those words are lost.
    const post = BroadcastChannel.prototype.postMessage
    const deaf = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(function (this: BroadcastChannel, message: any) {
      if (!message?.identity) post.call(this, message)
    })
    try {
      const storageName = freshName()
      const x = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20, holdAnonymous: true })
      const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20, holdAnonymous: true })
      x.user.push({ fromX: 1 })
      c.user.push({ fromC: 2 })
      for (let i = 0; i < 300 && (await stored(storageName)).records.length < 2; i++) await sleep(10)
      await sleep(30) // each tab has heard of the other's record (not of its id)
      deaf.mockRestore()
      // Tab C, still on its own id, folds its record into the login, and also sees tab X's
      // anonymous record: one fold must not replace the other.
      x.user.identify('u1')
      await sleep(50)
      await Promise.all([x.flush(), c.flush()])
      const all = Object.assign({}, ...profilesOf(received).filter((p) => p.userId === 'u1').map(attrs))
      expect(all).toEqual({ fromX: 1, fromC: 2 })
      expect((await stored(storageName)).records).toEqual([])
      x.close()
      c.close()
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('a tab that leaves posts what it has not stored yet, with the ids its beacon gave it', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    await a.flush()
    const heard: any[] = []
    const other = new BroadcastChannel(`userbeam:${storageName}`)
    other.onmessage = (event) => event.data.journals && heard.push(...event.data.journals)
    a.user.push({ city: 'new-A' })
    window.dispatchEvent(new Event('pagehide')) // in the same task: nothing is stored yet
    await until(() => heard.length > 0)
    // Written ahead under this key: another tab merges it only if no commit has yet.
    expect(heard).toMatchObject([{ key: expect.any(String), deltas: [{ attributes: { city: { value: 'new-A' } }, messageId: expect.any(String), rid: expect.any(String) }] }])
    other.close()
    a.close()
  })

  it("what a tab that left had not stored is stored by another tab: an older call there cannot win at the server", async () => {
    const storageName = freshName()
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    b.user.identify('u1', { city: 'old-B' })
    let records: any[] = []
    while (!records.length) records = (await stored(storageName)).records // old-B is stored
    const { key, userId, anonymousId } = records[0]
    // Tab A's page-hide message: its newer call, whose commit died with its page.
    const leaving = new BroadcastChannel(`userbeam:${storageName}`)
    leaving.postMessage({ journals: [{ deltas: [{ key, userId, anonymousId, attributes: { city: { type: 'string', value: 'new-A', at: Date.now() + 1000 } } }] }] })
    leaving.close()
    await sleep(30)
    await b.flush()
    const last = Object.assign({}, ...profilesOf(received).filter((p) => p.userId === 'u1').map(attrs))
    expect(last.city).toBe('new-A')
    b.close()
  })

  it('both tabs share one anonymous id and deliver each update once', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    await a.flush()
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    a.user.push({ fromA: 1 })
    b.user.push({ fromB: 2 })
    await Promise.all([a.flush(), b.flush()])
    const profiles = profilesOf(received)
    expect(new Set(profiles.map((p) => p.anonymousId)).size).toBe(1)
    const values = profiles.flatMap((p) => p.attributes.map((x: any) => x.name))
    expect(values.filter((n: string) => n === 'fromA')).toHaveLength(1)
    expect(values.filter((n: string) => n === 'fromB')).toHaveLength(1)
    a.close()
    b.close()
  })
})

/** Two tabs sharing one lease store: while one holds the lease the other is turned away, then it is its turn. */
async function oneAtATime(name: string, locks: LockManager | undefined) {
  const kv = memoryKV()
  const one = createTabs(name, kv, () => {}, locks)
  const two = createTabs(name, kv, () => {}, locks)
  let release!: () => void
  const first = one.exclusive(() => new Promise<string>((r) => (release = () => r('one'))))
  await until(() => typeof release === 'function')
  await sleep(5)
  expect(await two.exclusive(async () => 'two')).toBeUndefined()
  release()
  expect(await first).toBe('one')
  expect(await two.exclusive(async () => 'two')).toBe('two')
  one.close()
  two.close()
}

describe('lease when Web Locks are missing', () => {
  it('lets one tab send at a time and frees the lease afterwards', () => oneAtATime('lease-test', undefined))
})

describe('Web Locks refused (a sandboxed frame)', () => {
  const denied = { request: () => Promise.reject(new DOMException('Access to the Locks API is denied in this context.', 'SecurityError')) } as unknown as LockManager

  it('falls back to the lease: the work runs, one tab at a time', () => oneAtATime('denied-test', denied))

  it("an error of the work itself is the caller's, not a reason to drop the locks", async () => {
    const granted = { request: (_: string, fn: () => Promise<unknown>) => fn() } as unknown as LockManager
    const tabs = createTabs('granted-test', memoryKV(), () => {}, granted)
    await expect(tabs.exclusive(async () => Promise.reject(new Error('send failed')))).rejects.toThrow('send failed')
    tabs.close()
  })
})

