// Scenarios 1-4 and 7: nothing lost while offline, after a crash, through failures and
// Retry-After, with a page closed mid-request, or a page left right after a call.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { events, flush, identify, open, push, sdkPage, storageIdle, useBrowser } from './harness'

const env = useBrowser()

/**
 * 100 pushes, the user logging in after the 60th: `play` makes the calls in a page (one task);
 * `expected` is what the server should end with, by role.
 */
function session() {
  const calls = Array.from({ length: 100 }, (_, i) => ({ [`a${i % 40}`]: i, last: i }))
  const anonymous: Record<string, number> = {}
  const user: Record<string, number> = {}
  calls.forEach((attributes, i) => Object.assign(i < 60 ? anonymous : user, attributes))
  const play = (page: Page) =>
    page.evaluate((calls) => {
      calls.forEach((attributes, i) => {
        if (i === 60) window.userbeam.user.identify('u-1')
        window.userbeam.user.push(attributes)
      })
    }, calls)
  return { play, expected: { anonymous, 'u-1': user } }
}

/** Keys the server's profiles by role: the one anonymous profile becomes 'anonymous'. */
function byRole(profiles: Record<string, unknown>, userIds: string[]) {
  return Object.fromEntries(Object.entries(profiles).map(([key, p]) => [userIds.includes(key) ? key : 'anonymous', p]))
}

/** Pushes, then navigates to `path` in the same task; resolves once the page is there. */
async function pushAndLeave(page: Page, attributes: Record<string, unknown>, path: string) {
  const left = page.waitForURL(`**${path}`)
  await page
    .evaluate(([attributes, path]) => {
      window.userbeam.user.push(attributes as Record<string, unknown>)
      location.href = path as string
    }, [attributes, path])
    .catch(() => {}) // the navigation may destroy the evaluation's context first
  await left
}

describe('delivery in Chromium', () => {
  it('1: 100 pushes while offline, page closed, reopened online: all delivered', async () => {
    const context = await env.context()
    const url = sdkPage(env.server, '/one.html', { flushInterval: 50, storageName: 'one' })
    const { page } = await open(context, url)
    await flush(page) // storage answered; nothing queued yet
    await context.setOffline(true)
    const { play, expected } = session()
    await play(page)
    await storageIdle(page, 'one')
    await page.close() // its pagehide beacon fails too: still offline
    expect(env.server.arrivals).toHaveLength(0)

    await context.setOffline(false)
    const again = await open(context, url)
    await flush(again.page)
    expect(byRole(env.server.profiles(), ['u-1'])).toEqual(expected)
    expect((await events(again.page)).drop).toEqual([])
  })

  it('1b: pushes while offline go by themselves when the browser is back online', async () => {
    const context = await env.context()
    const { page } = await open(context, sdkPage(env.server, '/one-b.html', { flushInterval: 50, storageName: 'one-b' }))
    await flush(page)
    await context.setOffline(true)
    const { play, expected } = session()
    await play(page)
    await storageIdle(page, 'one-b')
    expect(env.server.arrivals).toHaveLength(0)
    await context.setOffline(false) // the online event, no flush()
    await env.server.arrived(1, 10_000)
    await flush(page)
    expect(byRole(env.server.profiles(), ['u-1'])).toEqual(expected)
  })

  it('1c: the tab crashes (no pagehide) with updates stored: reopened, all delivered', async () => {
    const context = await env.context()
    // A minute's interval: nothing goes before the crash; only storage can keep the calls.
    const url = sdkPage(env.server, '/one-c.html', { flushInterval: 60_000, storageName: 'one-c' })
    const { page } = await open(context, url)
    await flush(page) // storage answered (storageIdle's premise); nothing queued yet
    const { play, expected } = session()
    await play(page)
    await storageIdle(page, 'one-c')
    const crashed = page.waitForEvent('crash')
    const cdp = await context.newCDPSession(page)
    void cdp.send('Page.crash').catch(() => {}) // never answers: the tab dies first
    await crashed
    expect(env.server.arrivals).toHaveLength(0)

    const again = await open(context, url)
    await flush(again.page)
    expect(byRole(env.server.profiles(), ['u-1'])).toEqual(expected)
  })

  it('2: 503 five times, then 200: delivered, final state right', { timeout: 90_000 }, async () => {
    env.server.fail(503, 5)
    const context = await env.context()
    const { page } = await open(context, sdkPage(env.server, '/two.html', { flushInterval: 20 }))
    // One task: one stored record, so every retry carries the same content.
    await page.evaluate(() => {
      window.userbeam.user.identify('u-2', { plan: 'free' })
      window.userbeam.user.push({ plan: 'pro', seats: 3 })
    })
    // Resolves once delivered: backoff is about 1 s doubling with full jitter, at most ~31 s here.
    await flush(page)
    expect(env.server.arrivals.map((a) => a.status)).toEqual([503, 503, 503, 503, 503, 200])
    expect(env.server.profiles()).toEqual({ 'u-2': { plan: 'pro', seats: 3 } })
    // A retry is the same request: same content, same messageId (an upsert can deduplicate).
    const profiles = env.server.arrivals.map((a) => a.body.profiles)
    for (const retry of profiles.slice(1)) expect(retry).toEqual(profiles[0])
    const { sent, drop } = await events(page)
    expect([sent.length, drop.length]).toEqual([1, 0])
  })

  it('3: 429 with Retry-After: 2: no request before 2 s have passed', async () => {
    env.server.fail(429, 1, { 'retry-after': '2' })
    const context = await env.context()
    const { page } = await open(context, sdkPage(env.server, '/three.html', { flushInterval: 20 }))
    const answered = page.waitForEvent('requestfinished', (r) => r.url().endsWith('/profiles'))
    await push(page, { a: 1 })
    await answered
    // During the wait, flush(), a new push and the online event must not send early.
    const flushed = page.evaluate(() => {
      window.userbeam.user.push({ b: 2 })
      dispatchEvent(new Event('online'))
      return window.userbeam.flush()
    })
    await env.server.arrived(2, 10_000)
    await flushed
    const [refused, next] = env.server.arrivals
    expect(next.at - refused.answeredAt!).toBeGreaterThanOrEqual(2000)
    expect(next.at - refused.answeredAt!).toBeLessThan(3500) // and not much later: exactly as asked
    expect(Object.values(env.server.profiles())).toEqual([{ a: 1, b: 2 }])
  })

  it('3b: 429 with Retry-After: 2, then a reload: still no request before 2 s have passed', async () => {
    env.server.fail(429, 1, { 'retry-after': '2' })
    const context = await env.context()
    const url = sdkPage(env.server, '/three-b.html', { flushInterval: 20, storageName: 'three-b' })
    const { page } = await open(context, url)
    await push(page, { a: 1 })
    await env.server.arrived(1, 10_000)
    // Reload only once the wait is stored (no SDK event says when): poll the page's database for
    // a saved wait ({ until } in the future), so that the test is fair to the SDK.
    await page.waitForFunction(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const request = indexedDB.open('three-b')
        request.onsuccess = () => resolve(request.result)
      })
      const values = await new Promise<any[]>((resolve) => {
        const request = db.transaction([...db.objectStoreNames]).objectStore(db.objectStoreNames[0]).getAll()
        request.onsuccess = () => resolve(request.result)
      })
      db.close()
      return values.some((v) => v && typeof v.until === 'number' && v.until > Date.now())
    }, undefined, { timeout: 5000, polling: 50 })
    await page.reload()
    await flush(page)
    const [refused, ...later] = env.server.arrivals
    const soonest = Math.min(...later.map((a) => a.at - refused.answeredAt!))
    expect(soonest, 'ms from the 429 to the next request').toBeGreaterThanOrEqual(2000)
    expect(Object.values(env.server.profiles())).toEqual([{ a: 1 }])
  })

  it('4: page closed while a request is in flight: on reopen, delivered, final state = last push', async () => {
    const stall = env.server.stall()
    const context = await env.context()
    const url = sdkPage(env.server, '/four.html', { flushInterval: 20, storageName: 'four' })
    const { page } = await open(context, url)
    await identify(page, 'u-4', { step: 1, first: true })
    const held = await stall.arrived
    await push(page, { step: 2 })
    await storageIdle(page, 'four')
    await page.close()

    const again = await open(context, url)
    await flush(again.page)
    expect(held.completed, 'the first request is still unanswered').toBe(false)
    stall.release() // the old answer comes back to a page that is gone
    expect(env.server.arrivals).toHaveLength(2)
    expect(env.server.profiles()).toEqual({ 'u-4': { step: 2, first: true } })
  })

  it('7: push, then navigate away at once: the update arrives (keepalive on pagehide)', async () => {
    const context = await env.context()
    env.server.page('/elsewhere.html', '<!doctype html><title>elsewhere</title>')
    // A minute's interval: only the page-hide beacon can send in time.
    const { page } = await open(context, sdkPage(env.server, '/seven.html', { flushInterval: 60_000 }))
    await flush(page)
    await pushAndLeave(page, { leaving: 'now' }, '/elsewhere.html')
    await env.server.arrived(1, 10_000)
    expect(Object.values(env.server.profiles())).toEqual([{ leaving: 'now' }])
  })
  it("7d: the page's own pagehide handler pushes after the SDK's beacon: that call arrives on the next visit, under a messageId of its own", async () => {
    const context = await env.context()
    env.server.page('/elsewhere-d.html', '<!doctype html><title>elsewhere</title>')
    // The site's handler is added after init, so it runs after the SDK's beacon has sent.
    const url = sdkPage(env.server, '/seven-d.html', { flushInterval: 60_000, storageName: 'q7d' }, "addEventListener('pagehide', () => userbeam.user.push({ late: 'handler' }))")
    const { page } = await open(context, url)
    await flush(page)
    await pushAndLeave(page, { leaving: 'now' }, '/elsewhere-d.html')
    await env.server.arrived(1, 10_000) // the beacon
    await page.goto(url) // the next visit sends what was stored
    await flush(page)
    expect(Object.values(env.server.profiles())).toEqual([{ leaving: 'now', late: 'handler' }])
    // One content per messageId: a server that drops a repeated id loses nothing.
    const contents = new Map<string, string>()
    for (const { body } of env.server.arrivals) {
      for (const p of body.profiles) {
        const content = JSON.stringify(p.attributes.map((a: { name: string; value: unknown }) => [a.name, a.value]))
        expect(contents.get(p.messageId) ?? content).toBe(content)
        contents.set(p.messageId, content)
      }
    }
  })

  it('7c: push, then reload in the same task, ten times: the server ends with the newest value, not the older stored one', async () => {
    const context = await env.context()
    // A minute's interval: the page-hide beacon sends the newest value, the next page what is stored.
    const { page } = await open(context, sdkPage(env.server, '/seven-c.html', { flushInterval: 60_000, storageName: 'q7c' }))
    await flush(page) // storage answered (storageIdle's premise); nothing queued yet
    await identify(page, 'u-7c')
    const finals: unknown[] = []
    for (let k = 1; k <= 10; k++) {
      await push(page, { city: `A${k}` })
      await storageIdle(page, 'q7c') // A is stored, not sent
      const reloaded = page.waitForEvent('load')
      await page
        .evaluate((k) => {
          window.userbeam.user.push({ city: `B${k}` })
          location.reload()
        }, k)
        .catch(() => {}) // the reload may destroy the evaluation's context first
      await reloaded
      await flush(page)
      finals.push(env.server.profiles()['u-7c']?.city)
    }
    expect(finals).toEqual(Array.from({ length: 10 }, (_, i) => `B${i + 1}`))
  })

  it('7e: a held anonymous push made just before a navigation while an earlier commit is in flight, eight visitors: each follows the login', async () => {
    env.server.page('/elsewhere-e.html', '<!doctype html><title>elsewhere</title>')
    const url = sdkPage(env.server, '/seven-e.html', { flushInterval: 100, holdAnonymous: true })
    for (let k = 1; k <= 8; k++) {
      const { page } = await open(await env.context(), url)
      await flush(page) // storage is open: not the first milliseconds of a first visit
      await storageIdle(page, 'userbeam')
      await push(page, { plan: 'p' }) // its commit is under way when the next call comes
      const left = page.waitForURL('**/elsewhere-e.html')
      await page
        .evaluate((k) => {
          window.userbeam.user.push({ score: `v${k}` })
          setTimeout(() => (location.href = '/elsewhere-e.html')) // a click handler's navigation
        }, k)
        .catch(() => {})
      await left
      await page.goto(url)
      await identify(page, `u-${k}`)
      await flush(page)
    }
    const profiles = env.server.profiles()
    expect(Array.from({ length: 8 }, (_, i) => profiles[`u-${i + 1}`])).toEqual(Array.from({ length: 8 }, (_, i) => ({ plan: 'p', score: `v${i + 1}` })))
  })

  it('7b: first visit, identify() then location.replace() in the page\'s own script, before IndexedDB opened: the login arrives', async () => {
    const context = await env.context()
    env.server.page('/home7b.html', '<!doctype html><title>home</title>')
    const url = sdkPage(env.server, '/callback7b.html', { flushInterval: 60_000 }, `
      userbeam.user.identify('u-7b', { plan: 'pro' })
      location.replace('/home7b.html')`)
    const page = await context.newPage()
    await page.goto(url).catch(() => {}) // the redirect may win the race with the load event
    await page.waitForURL('**/home7b.html')
    await env.server.arrived(1, 10_000)
    expect(env.server.profiles()).toEqual({ 'u-7b': { plan: 'pro' } })
  })
})
