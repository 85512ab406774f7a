// Scenarios 1-4 and 7: nothing lost across offline hours, failures, page close and navigation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launch, open, sdkPage, startServer, type TestServer } from './harness'
import type { Browser } from 'playwright-core'

let server: TestServer
let browser: Browser
beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launch()])
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})
beforeEach(() => server.reset())

describe('delivery in Chromium', () => {
  it('1: 100 pushes while offline, page closed, reopened online: all delivered', async () => {
    const context = await browser.newContext()
    const url = sdkPage(server, '/one.html', { flushInterval: 50, storageName: 's1' })
    const { page } = await open(context, url)
    await page.evaluate(() => (window as any).userbeam.flush())
    await context.setOffline(true)
    await page.evaluate(() => {
      for (let i = 0; i < 100; i++) (window as any).userbeam.user.push({ [`a${i % 50}`]: i, last: i })
    })
    await page.waitForTimeout(200) // stored, not sent: the browser is offline
    expect(server.arrivals).toHaveLength(0)
    await page.close()
    await context.setOffline(false)
    const again = await open(context, url)
    await again.page.evaluate(() => (window as any).userbeam.flush())
    const [profile] = Object.values(server.profiles())
    const expected: Record<string, number> = { last: 99 }
    for (let i = 50; i < 100; i++) expected[`a${i % 50}`] = i
    expect(profile).toEqual(expected)
    await context.close()
  })

  it('2: 503 five times, then 200: delivered, final state right', async () => {
    server.plan((n) => ({ status: n <= 5 ? 503 : 200 }))
    const context = await browser.newContext()
    const { page } = await open(context, sdkPage(server, '/two.html', { flushInterval: 20 }))
    await page.evaluate(() => {
      const u = (window as any).userbeam
      u.user.identify('u-2', { plan: 'free' })
      u.user.push({ plan: 'pro', seats: 3 })
    })
    await server.arrived(6)
    await page.evaluate(() => (window as any).userbeam.flush())
    expect(server.profiles()['u-2']).toEqual({ plan: 'pro', seats: 3 })
    expect(new Set(server.arrivals.map((a) => a.body.profiles[0].messageId)).size).toBe(1)
    await context.close()
  })

  it('3: 429 with Retry-After: 2: no request before 2 s have passed', async () => {
    server.plan((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : {}))
    const context = await browser.newContext()
    const { page } = await open(context, sdkPage(server, '/three.html', { flushInterval: 20 }))
    await page.evaluate(() => (window as any).userbeam.user.push({ a: 1 }))
    await server.arrived(2)
    expect(server.arrivals[1].at - server.arrivals[0].at).toBeGreaterThanOrEqual(1990)
    await context.close()
  })

  it('4: page closed while a request is in flight: on reopen, delivered, final state = last push', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    server.plan((n) => (n === 1 ? { hold: held } : {}))
    const context = await browser.newContext()
    const url = sdkPage(server, '/four.html', { flushInterval: 20, storageName: 's4' })
    const { page } = await open(context, url)
    await page.evaluate(() => (window as any).userbeam.user.identify('u-4', { step: 1 }))
    await server.arrived(1)
    await page.evaluate(() => (window as any).userbeam.user.push({ step: 2, extra: true }))
    await page.waitForTimeout(100)
    await page.close()
    const again = await open(context, url)
    await again.page.evaluate(() => (window as any).userbeam.user.push({ step: 3 }))
    await again.page.evaluate(() => (window as any).userbeam.flush())
    release()
    expect(server.profiles()['u-4']).toEqual({ step: 3, extra: true })
    await context.close()
  })

  it('7: push, then navigate away at once: the update arrives (keepalive on pagehide)', async () => {
    const context = await browser.newContext()
    server.page('/elsewhere.html', '<!doctype html><title>elsewhere</title>')
    const { page } = await open(context, sdkPage(server, '/seven.html', { flushInterval: 60_000 }))
    await page.evaluate(() => (window as any).userbeam.flush()) // loaded, nothing pending
    await page.evaluate(() => {
      ;(window as any).userbeam.user.push({ leaving: 'now' })
      location.href = '/elsewhere.html'
    })
    await server.arrived(1, 10_000)
    expect(Object.values(server.profiles())).toEqual([{ leaving: 'now' }])
    await context.close()
  })

  it('7b: push right after init, then navigate away at once', async () => {
    const context = await browser.newContext()
    server.page('/elsewhere.html', '<!doctype html><title>elsewhere</title>')
    const { page } = await open(context, sdkPage(server, '/seven-b.html', { flushInterval: 60_000 }, "userbeam.user.push({ early: 'yes' }); location.href = '/elsewhere.html'"))
    await server.arrived(1, 10_000)
    expect(Object.values(server.profiles())).toEqual([{ early: 'yes' }])
    await page.waitForTimeout(10)
    await context.close()
  })
})
