// Scenarios 5 and 6: several tabs of one site share one queue (Web Locks + BroadcastChannel).
import { describe, expect, it } from 'vitest'
import { events, flush, identify, open, push, sdkPage, useBrowser } from './harness'

const env = useBrowser()

/** Two tabs of one user; tab A sends plan=pro and its answer is held (`stall.release()` lets it go). */
async function carriedByTabA(user: string) {
  const context = await env.context()
  const url = sdkPage(env.server, `/${user}.html`, { flushInterval: 20, storageName: user }, `userbeam.user.identify('${user}')`)
  // Tab B opens once tab A's visit is stored: one visitor from the start. Two tabs of a first visit
  // opened together settle on one anonymous id later, and the move makes a record of its own.
  const a = await open(context, url)
  await flush(a.page)
  const b = await open(context, url)
  await flush(b.page)
  env.server.reset()
  const stall = env.server.stall()
  await push(a.page, { plan: 'pro' }) // tab A sends it; the answer is held
  return { a, b, stall, carried: await stall.arrived }
}

describe('several tabs', () => {
  for (const count of [2, 4]) {
    it(`5: ${count} tabs pushing to one profile at once: final profile = last value pushed, nothing lost`, async () => {
      // Every answer takes 40 ms, so requests from two tabs at once would overlap at the server.
      env.server.delay(40)
      const context = await env.context()
      // A logged-in site: every page identifies the user as it loads. The tabs open together.
      const url = sdkPage(env.server, `/five-${count}.html`, { flushInterval: 100, storageName: 'five' }, "userbeam.user.identify('u-5')")
      const tabs = await Promise.all(Array.from({ length: count }, () => open(context, url)))
      await Promise.all(tabs.map(({ page }) => flush(page)))

      // Each tab pushes its own counter and a shared attribute every 10 ms until `end` (wall clock).
      const end = Date.now() + 2500
      const logs = await Promise.all(
        tabs.map(({ page }, tab) =>
          page.evaluate(
            ({ tab, end }) =>
              new Promise<number[]>((resolve) => {
                const log: number[] = []
                let i = 0
                const timer = setInterval(() => {
                  if (Date.now() < end) {
                    window.userbeam.user.push({ [`count${tab}`]: i, shared: `tab${tab}-${i}` })
                    return log.push(i++)
                  }
                  clearInterval(timer)
                  resolve(log)
                }, 10)
              }),
            { tab, end },
          ),
        ),
      )
      // Then one final shared value per tab, one tab after the other (each call returns before the
      // next tab's starts), so that "last" is unambiguous even on a loaded machine.
      for (const [tab, { page }] of tabs.entries()) {
        await page.evaluate((tab) => window.userbeam.user.push({ shared: `tab${tab}-final` }), tab)
      }
      await Promise.all(tabs.map(({ page }) => flush(page)))

      const expected: Record<string, unknown> = { shared: `tab${count - 1}-final` }
      logs.forEach((log, tab) => (expected[`count${tab}`] = Math.max(...log)))
      expect(logs.every((log) => log.length > 50)).toBe(true) // they did push for a while
      expect(env.server.profiles()).toEqual({ 'u-5': expected })
      // One sender at a time across tabs: requests never overlapped at the server.
      expect(env.server.stats.maxOpen).toBe(1)
      for (const { page } of tabs) expect((await events(page)).drop).toEqual([])
      for (const { pageErrors } of tabs) expect(pageErrors).toEqual([])
    })
  }

  it("5b: a tab that leaves while another tab's request carries the profile does not send it a second time", async () => {
    const { a, b, stall, carried } = await carriedByTabA('u-5b')
    // Tab A's word that it carries the profile crosses to tab B in a few ms (BroadcastChannel);
    // on a loaded 2-core machine 100 ms was not always enough. The answer is held meanwhile.
    await new Promise((r) => setTimeout(r, 500))
    await b.page.close({ runBeforeUnload: false }) // pagehide in tab B: its beacon
    await new Promise((r) => setTimeout(r, 300))
    stall.release()
    await flush(a.page)
    expect(carried.body.profiles.map((p: { userId: string }) => p.userId)).toEqual(['u-5b'])
    expect(env.server.arrivals.map((r) => r.body.profiles.length)).toEqual([1])
    expect(env.server.profiles()).toEqual({ 'u-5b': { plan: 'pro' } })
  })

  it("5c: and when tab A pushed a newer value meanwhile, that value is sent once, by tab A after its answer", async () => {
    const { a, b, stall } = await carriedByTabA('u-5c')
    await new Promise((r) => setTimeout(r, 500)) // tab B hears that A's request carries u-5c
    await push(a.page, { plan: 'team' }) // newer than what is in flight: stored, sent after the answer
    await new Promise((r) => setTimeout(r, 300)) // stored, and mirrored in tab B
    await b.page.close({ runBeforeUnload: false }) // pagehide in tab B: its beacon
    await new Promise((r) => setTimeout(r, 300))
    stall.release()
    await flush(a.page)
    // Before: tab B's beacon sent plan=team, then tab A sent it again under another messageId.
    expect(env.server.arrivals.map((r) => r.body.profiles.map((p: { attributes: { value: unknown }[] }) => p.attributes.map((x) => x.value)))).toEqual([[['pro']], [['team']]])
    expect(env.server.profiles()).toEqual({ 'u-5c': { plan: 'team' } })
  })

  it('6: identify in tab A, push in tab B: the update lands on the identified user', async () => {
    const context = await env.context()
    const url = sdkPage(env.server, '/six.html', { flushInterval: 50, storageName: 'six' })
    const a = (await open(context, url)).page
    const b = (await open(context, url)).page
    await Promise.all([flush(a), flush(b)])
    await identify(a, 'u-6', { email: 'six@example.com' })
    await flush(a) // the login is stored and delivered: then the user switches to tab B
    await push(b, { plan: 'gold' })
    await flush(b)
    await flush(a)
    const profiles = env.server.profiles()
    expect(profiles['u-6']).toEqual({ email: 'six@example.com', plan: 'gold' })
    expect(Object.keys(profiles)).toEqual(['u-6'])
  })
  it('6b: a first visit in three tabs opened at once (each mints an id): all of it follows the login, three times', async () => {
    for (let round = 0; round < 3; round++) {
      env.server.reset()
      const context = await env.context()
      const urls = ['A', 'B', 'C'].map((tab) =>
        // holdAnonymous: anonymous updates wait for the login, as for Growlytics or MoEngage.
        sdkPage(env.server, `/six-b-${round}-${tab}.html`, { flushInterval: 20, holdAnonymous: true }, `userbeam.user.push({ from${tab}: 1 })`),
      )
      const tabs = await Promise.all(urls.map((url) => open(context, url)))
      await new Promise((resolve) => setTimeout(resolve, 300)) // the tabs hear of each other
      await identify(tabs[1].page, 'u-6b')
      await new Promise((resolve) => setTimeout(resolve, 300))
      for (const { page } of tabs) await flush(page)
      expect(env.server.profiles(), `round ${round}`).toEqual({ 'u-6b': { fromA: 1, fromB: 1, fromC: 1 } })
    }
  })
})
