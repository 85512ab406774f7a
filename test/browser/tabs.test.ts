// Scenarios 5 and 6: several tabs on one queue.
import * as vitest from 'vitest'
import { describe, expect, it } from 'vitest'
import { open, sdkPage, useBrowser } from './harness'

const env = useBrowser(vitest)

describe('several tabs', () => {
  for (const tabs of [2, 4]) {
    it(`5: ${tabs} tabs pushing to one profile for a few seconds: final profile = last value pushed, nothing lost`, async () => {
      // Each answer takes 40 ms, so overlapping requests would show at the env.server.
      env.server.plan(() => ({ hold: new Promise((r) => setTimeout(r, 40)) }))
      const context = await env.browser.newContext()
      const url = sdkPage(env.server, `/five-${tabs}.html`, { flushInterval: 100, storageName: 'five' })
      const pages = []
      for (let i = 0; i < tabs; i++) pages.push((await open(context, url)).page)
      await pages[0].evaluate(() => (window as any).userbeam.user.identify('u-5'))
      await pages[0].evaluate(() => (window as any).userbeam.flush())
      await Promise.all(pages.map((p) => p.evaluate(() => (window as any).userbeam.flush())))
      // Every tab pushes its own counter and a shared attribute, stamped with the wall-clock time.
      const logs = await Promise.all(
        pages.map((page, tab) =>
          page.evaluate(
            ({ tab }) =>
              new Promise<[number, number, string][]>((resolve) => {
                const log: [number, number, string][] = []
                let i = 0
                const timer = setInterval(() => {
                  const value = `tab${tab}-${i}`
                  ;(window as any).userbeam.user.push({ [`count${tab}`]: i, shared: value })
                  log.push([performance.timeOrigin + performance.now(), i, value])
                  if (++i === 150) {
                    clearInterval(timer)
                    resolve(log)
                  }
                }, 10)
              }),
            { tab },
          ),
        ),
      )
      await Promise.all(pages.map((p) => p.evaluate(() => (window as any).userbeam.flush())))
      const last = logs.flat().sort((a, b) => a[0] - b[0]).at(-1)!
      const expected: Record<string, unknown> = { shared: last[2] }
      logs.forEach((_, tab) => (expected[`count${tab}`] = 149))
      expect(env.server.profiles()['u-5']).toEqual(expected)
      // At most one request per profile in flight across tabs: requests never overlap at the env.server.
      expect(env.server.state.maxOpen).toBe(1)
      const ids = env.server.arrivals.flatMap((a) => a.body.profiles.map((p: any) => p.messageId))
      expect(new Set(ids).size).toBe(ids.length)
      await context.close()
    })
  }

  it('6: identify in tab A, push in tab B: the update lands on the identified user', async () => {
    const context = await env.browser.newContext()
    const url = sdkPage(env.server, '/six.html', { flushInterval: 50, storageName: 'six' })
    const a = (await open(context, url)).page
    const b = (await open(context, url)).page
    await Promise.all([a, b].map((p) => p.evaluate(() => (window as any).userbeam.flush())))
    await a.evaluate(() => (window as any).userbeam.user.identify('u-6', { email: 'six@example.com' }))
    await b.waitForTimeout(50)
    await b.evaluate(() => (window as any).userbeam.user.push({ plan: 'gold' }))
    await b.evaluate(() => (window as any).userbeam.flush())
    await a.evaluate(() => (window as any).userbeam.flush())
    expect(env.server.profiles()['u-6']).toEqual({ email: 'six@example.com', plan: 'gold' })
    const anonymous = Object.entries(env.server.profiles()).filter(([key]) => key !== 'u-6')
    expect(anonymous.flatMap(([, attrs]) => Object.keys(attrs))).not.toContain('plan')
    await context.close()
  })
})
