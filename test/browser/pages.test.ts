// Scenarios 8-10: hostile pages. IndexedDB refused, a strict CSP, the SDK file missing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as vitest from 'vitest'
import { describe, expect, it } from 'vitest'
import { open, sdkPage, useBrowser } from './harness'

const env = useBrowser(vitest)

const snippet = () => readFileSync(join(import.meta.dirname, '../../dist/snippet.min.js'), 'utf8').replace('"/userbeam.min.js"', '"/dist/userbeam.min.js"')

describe('hostile pages', () => {
  it('8: IndexedDB cannot be opened: memory fallback, still delivered, one warning', async () => {
    const context = await env.browser.newContext()
    await context.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('IndexedDB is disabled here', 'SecurityError')
      }
    })
    const { page, warnings } = await open(context, sdkPage(env.server, '/eight.html', { flushInterval: 20 }))
    await page.evaluate(() => {
      ;(window as any).userbeam.user.push({ a: 1 })
      ;(window as any).userbeam.user.identify('u-8', { b: 2 })
    })
    await page.evaluate(() => (window as any).userbeam.flush())
    expect(env.server.profiles()['u-8']).toEqual({ b: 2 })
    expect(Object.values(env.server.profiles())).toContainEqual({ a: 1 })
    expect(warnings.filter((w) => w.includes('userbeam'))).toHaveLength(1)
    expect(warnings[0]).toContain('IndexedDB is unavailable')
    await context.close()
  })

  it("9: a strict Content-Security-Policy (script-src 'self'): works", async () => {
    const context = await env.browser.newContext()
    env.server.page('/app9.js', `
      window.errors = []
      userbeam.init({ endpoint: '/profiles', flushInterval: 20 })
      userbeam.user.identify('u-9', { plan: 'pro' })
      userbeam.flush().then(() => (document.title = 'delivered'))`)
    const url = env.server.page('/nine.html', '<!doctype html><title>csp</title><script src="/dist/userbeam.min.js"></script><script src="/app9.js"></script>', {
      'content-security-policy': "default-src 'self'; script-src 'self'; connect-src 'self'",
    })
    const { page, errors } = await open(context, url)
    await page.waitForFunction(() => document.title === 'delivered', undefined, { timeout: 10_000 })
    expect(env.server.profiles()['u-9']).toEqual({ plan: 'pro' })
    expect(errors).toEqual([])
    await context.close()
  })

  it('10: the snippet on a page where the SDK file is missing (404): the page keeps running', async () => {
    env.server.state.missingSdk = true
    const context = await env.browser.newContext()
    const url = env.server.page('/ten.html', `<!doctype html><title>snippet</title>
      <script>${snippet()}</script>
      <script>
        userbeam.init({ endpoint: '/profiles' })
        for (let i = 0; i < 2000; i++) userbeam.user.push({ i })
        userbeam.user.identify('u-10')
        const off = userbeam.on('sent', () => {})
        off()
        userbeam.flush()
        window.after = 'the page kept running'
      </script>`)
    const { page, errors } = await open(context, url)
    expect(await page.evaluate(() => (window as any).after)).toBe('the page kept running')
    expect(errors).toEqual([])
    expect(await page.evaluate(() => (window as any).userbeam._q.length)).toBe(1000) // bounded
    await context.close()
  })

  it('10b: the snippet replays calls made before the SDK arrived, in order', async () => {
    const context = await env.browser.newContext()
    const url = env.server.page('/ten-b.html', `<!doctype html><title>snippet</title>
      <script>${snippet()}</script>
      <script>
        userbeam.init({ endpoint: '/profiles', flushInterval: 20 })
        userbeam.user.push({ step: 1 })
        userbeam.user.identify('u-10', { step: 2 })
        userbeam.user.push({ step: 3 })
        userbeam.flush().then(() => (document.title = 'delivered'))
      </script>`)
    const { page } = await open(context, url)
    await page.waitForFunction(() => document.title === 'delivered', undefined, { timeout: 10_000 })
    const profiles = env.server.profiles()
    expect(profiles['u-10']).toEqual({ step: 3 })
    expect(Object.values(profiles)).toContainEqual({ step: 1 })
    await context.close()
  })
})
