// Scenarios 1-4 and 7: nothing lost across offline hours, failures, page close and navigation.
import * as vitest from 'vitest'
import { describe, expect, it } from 'vitest'
import { open, sdkPage, useBrowser } from './harness'

const env = useBrowser(vitest)

describe('delivery in Chromium', () => {
  it('1: 100 pushes while offline, page closed, reopened online: all delivered', async () => {
    const context = await env.browser.newContext()
    const url = sdkPage(env.server, '/one.html', { flushInterval: 50, storageName: 's1' })
    const { page } = await open(context, url)
    await page.evaluate(() => (window as any).userbeam.flush())
    await context.setOffline(true)
    await page.evaluate(() => {
      for (let i = 0; i < 100; i++) (window as any).userbeam.user.push({ [`a${i % 50}`]: i, last: i })
    })
    await page.waitForTimeout(200) // stored, not sent: the browser is offline
    expect(env.server.arrivals).toHaveLength(0)
    await page.close()
    await context.setOffline(false)
    const again = await open(context, url)
    await again.page.evaluate(() => (window as any).userbeam.flush())
    const [profile] = Object.values(env.server.profiles())
    const expected: Record<string, number> = { last: 99 }
    for (let i = 50; i < 100; i++) expected[`a${i % 50}`] = i
    expect(profile).toEqual(expected)
    await context.close()
  })

  it('2: 503 five times, then 200: delivered, final state right', async () => {
    env.server.plan((n) => ({ status: n <= 5 ? 503 : 200 }))
    const context = await env.browser.newContext()
    const { page } = await open(context, sdkPage(env.server, '/two.html', { flushInterval: 20 }))
    await page.evaluate(() => {
      const u = (window as any).userbeam
      u.user.identify('u-2', { plan: 'free' })
      u.user.push({ plan: 'pro', seats: 3 })
    })
    await env.server.arrived(6)
    await page.evaluate(() => (window as any).userbeam.flush())
    expect(env.server.profiles()['u-2']).toEqual({ plan: 'pro', seats: 3 })
    expect(new Set(env.server.arrivals.map((a) => a.body.profiles[0].messageId)).size).toBe(1)
    await context.close()
  })

  it('3: 429 with Retry-After: 2: no request before 2 s have passed', async () => {
    env.server.plan((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : {}))
    const context = await env.browser.newContext()
    const { page } = await open(context, sdkPage(env.server, '/three.html', { flushInterval: 20 }))
    await page.evaluate(() => (window as any).userbeam.user.push({ a: 1 }))
    await env.server.arrived(2)
    expect(env.server.arrivals[1].at - env.server.arrivals[0].at).toBeGreaterThanOrEqual(1990)
    await context.close()
  })

  it('4: page closed while a request is in flight: on reopen, delivered, final state = last push', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    env.server.plan((n) => (n === 1 ? { hold: held } : {}))
    const context = await env.browser.newContext()
    const url = sdkPage(env.server, '/four.html', { flushInterval: 20, storageName: 's4' })
    const { page } = await open(context, url)
    await page.evaluate(() => (window as any).userbeam.user.identify('u-4', { step: 1 }))
    await env.server.arrived(1)
    await page.evaluate(() => (window as any).userbeam.user.push({ step: 2, extra: true }))
    await page.waitForTimeout(100)
    await page.close()
    const again = await open(context, url)
    await again.page.evaluate(() => (window as any).userbeam.user.push({ step: 3 }))
    await again.page.evaluate(() => (window as any).userbeam.flush())
    release()
    expect(env.server.profiles()['u-4']).toEqual({ step: 3, extra: true })
    await context.close()
  })

  it('7: push, then navigate away at once: the update arrives (keepalive on pagehide)', async () => {
    const context = await env.browser.newContext()
    env.server.page('/elsewhere.html', '<!doctype html><title>elsewhere</title>')
    const { page } = await open(context, sdkPage(env.server, '/seven.html', { flushInterval: 60_000 }))
    await page.evaluate(() => (window as any).userbeam.flush()) // loaded, nothing pending
    // The evaluation's context is destroyed by the navigation: do not wait for its result.
    void page
      .evaluate(() => {
        ;(window as any).userbeam.user.push({ leaving: 'now' })
        location.href = '/elsewhere.html'
      })
      .catch(() => {})
    await env.server.arrived(1, 10_000)
    expect(Object.values(env.server.profiles())).toEqual([{ leaving: 'now' }])
    await context.close()
  })

  it('7b: push right after init, then navigate away at once', async () => {
    const context = await env.browser.newContext()
    env.server.page('/elsewhere.html', '<!doctype html><title>elsewhere</title>')
    const { page } = await open(context, sdkPage(env.server, '/seven-b.html', { flushInterval: 60_000 }, "userbeam.user.push({ early: 'yes' }); location.href = '/elsewhere.html'"))
    await env.server.arrived(1, 10_000)
    expect(Object.values(env.server.profiles())).toEqual([{ early: 'yes' }])
    await page.waitForTimeout(10)
    await context.close()
  })
})
