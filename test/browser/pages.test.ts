// Scenarios 8-10: hostile pages. IndexedDB refused or out of quota, a strict CSP, the SDK file missing,
// Trusted Types, libraries that changed the built-ins.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { events, flush, identify, open, push, sdkPage, storageIdle, useBrowser } from './harness'
import { DIST } from './server'

const env = useBrowser()

/** The built snippet, as a page pastes it; it loads /userbeam.min.js, which the server serves. */
const snippet = () => readFileSync(join(DIST, 'snippet.min.js'), 'utf8')

/** Init scripts that break IndexedDB the ways browsers do (private modes, policies, a stuck open). */
const brokenIndexedDB = {
  'open() throws': () => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('IndexedDB is disabled here', 'SecurityError')
    }
  },
  'open() fails': () => {
    IDBFactory.prototype.open = () => {
      const request: any = { result: undefined, error: null, readyState: 'pending' }
      setTimeout(() => {
        request.readyState = 'done'
        request.error = new DOMException('The user denied permission to access the database', 'UnknownError')
        request.onerror?.(new Event('error'))
      })
      return request
    }
  },
  'open() never answers': () => {
    IDBFactory.prototype.open = () => ({ readyState: 'pending' }) as any
  },
}

describe('hostile pages', () => {
  for (const [how, breakIt] of Object.entries(brokenIndexedDB)) {
    it(`8: IndexedDB cannot be opened (${how}): memory fallback, still delivered, exactly one warning`, async () => {
      const context = await env.context()
      await context.addInitScript(breakIt)
      const { page, warnings, pageErrors } = await open(context, sdkPage(env.server, '/eight.html', { flushInterval: 20 }))
      await push(page, { a: 1 })
      await identify(page, 'u-8', { b: 2 })
      await flush(page)
      const profiles = env.server.profiles()
      expect(profiles['u-8']).toEqual({ b: 2 })
      expect(Object.entries(profiles).filter(([key]) => key !== 'u-8').map(([, p]) => p)).toEqual([{ a: 1 }])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/userbeam: IndexedDB is unavailable/)
      expect((await events(page)).error.map((e: { code: string }) => e.code)).toEqual(['storage'])
      expect(pageErrors).toEqual([])
    })
  }

  it('8b: IndexedDB runs out of quota in the middle of a visit: the next visit neither re-sends delivered data nor undoes a logout', async () => {
    const context = await env.context()
    // 150 kB for the origin (Chromium's quota override), set before the SDK's page loads.
    const blank = await open(context, env.server.page('/eight-b-blank.html', '<!doctype html>'))
    await (await context.newCDPSession(blank.page)).send('Storage.overrideQuotaForOrigin', { origin: env.server.origin, quotaSize: 150_000 })
    const url = sdkPage(env.server, '/eight-b.html', { flushInterval: 60_000, storageName: 'eight-b' })
    const { page } = await open(context, url)
    await flush(page) // storage answered (storageIdle's premise); nothing queued yet
    await identify(page, 'u-8b', { plan: 'a' })
    await storageIdle(page, 'eight-b')
    // 600 kB of other profiles: IndexedDB refuses them (quota) and the queue moves to memory.
    await page.evaluate((big) => {
      for (let j = 0; j < 20; j++) {
        window.userbeam.user.identify(`big-${j}`)
        for (let i = 0; i < 60; i++) window.userbeam.user.push({ [`k${i}`]: big })
      }
      window.userbeam.user.identify('u-8b')
    }, 'x'.repeat(500))
    await page.waitForFunction(() => window.events.error.some((e: { code: string }) => e.code === 'storage'))
    await push(page, { plan: 'b' })
    await page.evaluate(() => window.userbeam.user.logout())
    await flush(page)
    expect(env.server.profiles()['u-8b']).toEqual({ plan: 'b' })
    await page.close()

    const delivered = env.server.arrivals.length
    const next = await open(context, url)
    await push(next.page, { visitor: 'next' })
    await flush(next.page)
    const resent = env.server.arrivals.slice(delivered).flatMap((a) => a.body.profiles)
    expect(resent.map((p: { userId: string | null }) => p.userId)).toEqual([null])
    expect(env.server.profiles()['u-8b']).toEqual({ plan: 'b' })
  })

  it("9: a strict Content-Security-Policy (script-src 'self', no inline, no eval): works", async () => {
    const context = await env.context()
    // Registered first, so that a violation by the SDK itself would be seen.
    env.server.page('/watch9.js', `window.violations = []
      addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI))`)
    env.server.page('/app9.js', `userbeam.init({ endpoint: '/profiles', flushInterval: 20, storageName: 'nine' })
      userbeam.user.identify('u-9', { plan: 'pro' })
      window.delivered = userbeam.flush().then(() => 'delivered')`)
    const url = env.server.page(
      '/nine.html',
      '<!doctype html><title>csp</title><script src="/watch9.js"></script><script src="/dist/userbeam.min.js"></script><script src="/app9.js"></script>',
      { 'content-security-policy': "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'" },
    )
    const { page, pageErrors, consoleErrors } = await open(context, url)
    expect(await page.evaluate(() => (window as any).delivered)).toBe('delivered')
    expect(env.server.profiles()).toEqual({ 'u-9': { plan: 'pro' } })
    expect(await page.evaluate(() => (window as any).violations)).toEqual([])
    expect([...pageErrors, ...consoleErrors]).toEqual([])
  })

  it('10: the snippet on a page where the SDK file is missing (404): the page keeps running', async () => {
    env.server.missingSdk()
    const context = await env.context()
    const url = env.server.page('/ten.html', `<!doctype html><title>snippet</title>
      <script>${snippet()}</script>
      <script>
        userbeam.init({ endpoint: '/profiles' })
        for (let i = 0; i < 2000; i++) userbeam.user.push({ i })
        userbeam.user.identify('u-10')
        userbeam.user.logout()
        userbeam.consent(true)
        const off = userbeam.on('sent', () => {})
        off()
        window.pending = userbeam.flush()
        window.after = 'the page kept running'
      </script>
      <script>window.nextScript = 'ran too'</script>`)
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    const missing = page.waitForResponse((r) => r.url().endsWith('/userbeam.min.js'))
    await page.goto(url) // resolves on the load event: nothing blocked it
    expect((await missing).status()).toBe(404)
    expect(await page.evaluate(() => [(window as any).after, (window as any).nextScript])).toEqual(['the page kept running', 'ran too'])
    expect(pageErrors).toEqual([])
    const recorded = await page.evaluate(() => window.userbeam._q.map((c: [string]) => c[0]))
    expect(recorded[0]).toBe('init')
    expect(recorded.slice(1, 3)).toEqual(['user.push', 'user.push'])
    expect(recorded.length).toBeLessThanOrEqual(1000) // snippet.ts: at most 1,000 calls are kept
    expect(env.server.arrivals).toEqual([])
  })

  it('10b: the snippet replays the calls made before the SDK arrived, in order', async () => {
    const context = await env.context()
    const url = env.server.page('/ten-b.html', `<!doctype html><title>snippet</title>
      <script>${snippet()}</script>
      <script>
        window.events = { sent: [], error: [], drop: [] }
        userbeam.init({ endpoint: '/profiles', flushInterval: 20 })
        userbeam.on('sent', (e) => events.sent.push(e))
        userbeam.user.push({ step: 1 })
        userbeam.user.identify('u-10', { step: 2 })
        userbeam.user.push({ step: 3 })
        window.delivered = userbeam.flush().then(() => 'delivered')
      </script>`)
    const { page, pageErrors } = await open(context, url)
    expect(await page.evaluate(() => (window as any).delivered)).toBe('delivered')
    const profiles = env.server.profiles()
    expect(profiles['u-10']).toEqual({ step: 3 })
    expect(Object.entries(profiles).filter(([key]) => key !== 'u-10').map(([, p]) => p)).toEqual([{ step: 1 }])
    expect((await events(page)).sent.length).toBeGreaterThan(0)
    expect(pageErrors).toEqual([])
  })

  it('10c: the snippet on a page that enforces Trusted Types: the SDK still loads (policy "userbeam") and delivers', async () => {
    const context = await env.context()
    const url = env.server.page(
      '/ten-c.html',
      `<!doctype html><title>trusted types</title>
      <script>${snippet()}</script>
      <script>
        userbeam.init({ endpoint: '/profiles', flushInterval: 20 })
        userbeam.user.identify('u-10c', { plan: 'pro' })
        window.delivered = userbeam.flush().then(() => 'delivered')
      </script>`,
      { 'content-security-policy': "require-trusted-types-for 'script'; trusted-types userbeam" },
    )
    const { page, pageErrors } = await open(context, url)
    expect(await page.evaluate(() => (window as any).delivered)).toBe('delivered')
    expect(env.server.profiles()['u-10c']).toEqual({ plan: 'pro' })
    expect(pageErrors).toEqual([])
  })

  /**
   * A page with the page's own markup and scripts (`before`), then the snippet, init (`options`
   * besides the recording endpoint) and `calls`, which set `window.delivered`; the client's
   * 'error' events are kept in window.events.
   */
  const snippetPage = (path: string, before: string, calls: string, options = '') =>
    env.server.page(
      path,
      `<!doctype html><title>${path}</title>
      ${before}
      <script>${snippet()}</script>
      <script>
        window.events = { sent: [], error: [], drop: [] }
        userbeam.init({ endpoint: '/profiles', flushInterval: 20, ${options} })
        userbeam.on('error', (e) => events.error.push(e))
        ${calls}
      </script>`,
    )
  /** Opens `url`: its calls are delivered, and nothing was thrown into the page or warned. */
  const deliveredQuietly = async (url: string) => {
    const { page, pageErrors, warnings } = await open(await env.context(), url)
    expect(await page.evaluate(() => (window as any).delivered)).toBe('delivered')
    expect(warnings).toEqual([])
    expect(pageErrors).toEqual([])
    return page
  }
  /** The profiles the server holds: the identified one under its id, the anonymous ones in a list. */
  const held = (userId: string) => {
    const profiles = env.server.profiles()
    return { [userId]: profiles[userId], anonymous: Object.entries(profiles).filter(([key]) => key !== userId).map(([, p]) => p) }
  }

  it('10d: a page whose libraries changed the built-ins (enumerable Object.prototype methods, Array.prototype.toJSON, a frozen Array.prototype): delivered as sent', async () => {
    const page = await deliveredQuietly(
      snippetPage(
        '/ten-d.html',
        `<script>
          Object.prototype.extend = function () {}
          Array.prototype.toJSON = function () { return '[' + this.map((item) => JSON.stringify(item)).join(',') + ']' }
          Object.freeze(Array.prototype)
        </script>`,
        `userbeam.user.push({ step: 1 })
        userbeam.user.identify('u-10d', { step: 2 })
        window.delivered = userbeam.flush().then(() => 'delivered')`,
      ),
    )
    expect(held('u-10d')).toEqual({ 'u-10d': { step: 2 }, anonymous: [{ step: 1 }] })
    expect((await events(page)).error).toEqual([])
  })

  it("10e: Prototype.js 1.6's Array.prototype.reduce and an element with id=\"userbeam\": the snippet and the SDK take the calls, nothing throws", async () => {
    const page = await deliveredQuietly(
      snippetPage(
        '/ten-e.html',
        `<div id="userbeam">a widget</div>
        <script>
          // Prototype.js 1.5 and 1.6: reduce() flattens, whatever its callback.
          Array.prototype.reduce = function () { return this.length > 1 ? this : this[0] }
        </script>`,
        `userbeam.user.push({ city: 'Pune' })
        window.delivered = userbeam.flush().then(() => {
          userbeam.user.identify('u-10e', { plan: 'pro' })
          return userbeam.flush()
        }).then(() => 'delivered')`,
      ),
    )
    expect(held('u-10e')).toEqual({ 'u-10e': { plan: 'pro' }, anonymous: [{ city: 'Pune' }] })
    expect((await events(page)).error).toEqual([])
  })

  it('10f: a page that polluted, then froze, Object.prototype: options are its own ones only; "valueOf" is refused alone, the rest delivered', async () => {
    const page = await deliveredQuietly(
      snippetPage(
        '/ten-f.html',
        `<script>
          // What a prototype-pollution bug leaves, then the usual guard against more of it.
          Object.prototype.headers = { 'x-injected': 'evil' }
          Object.prototype.timeout = 1
          Object.freeze(Object.prototype)
        </script>`,
        `userbeam.user.identify('u-10f', { plan: 'pro', valueOf: 'v' })
        userbeam.user.push({ city: 'Pune', toString: 'x' })
        window.delivered = userbeam.flush().then(() => 'delivered')`,
      ),
    )
    expect(env.server.profiles()).toEqual({ 'u-10f': { plan: 'pro', city: 'Pune' } })
    expect(env.server.arrivals.map((a) => a.headers['x-injected'])).toEqual([undefined])
    expect((await events(page)).error.map((e: any) => [e.code, e.attribute, e.message])).toEqual([
      ['attribute', 'valueOf', 'userbeam: identify: attribute "valueOf" rejected (json rules): "valueOf" is read-only in this page (its Object.prototype is frozen). The other attributes were kept.'],
      ['attribute', 'toString', 'userbeam: push: attribute "toString" rejected (json rules): "toString" is read-only in this page (its Object.prototype is frozen). The other attributes were kept.'],
    ])
  })

  it("10g: values from a same-origin iframe (its Date, its plain object, its URL as endpoint): taken as the page's own", async () => {
    const page = await deliveredQuietly(
      snippetPage(
        '/ten-g.html',
        `<iframe src="about:blank"></iframe>`,
        `// Made in the frame, passed before the SDK file arrived: the stub copies it at the call.
        const attributes = frames[0].eval("({ city: 'Pune', born: new Date(Date.UTC(1990, 0, 2)) })")
        userbeam.user.push(attributes)
        attributes.city = 'changed after the call'
        window.delivered = userbeam.flush().then(() => 'delivered')`,
        `endpoint: new frames[0].URL('/profiles', location.href)`,
      ),
    )
    expect(Object.values(env.server.profiles())).toEqual([{ city: 'Pune', born: '1990-01-02T00:00:00.000Z' }])
    expect((await events(page)).error).toEqual([])
  })

  it('10h: a fetch wrapper that reads every answer itself and drops the signal, one request never answered: the timeout still ends it, the retry is delivered once', async () => {
    const stalled = env.server.stall()
    const context = await env.context()
    const url = sdkPage(env.server, '/ten-h.html', { flushInterval: 20, timeout: 1000 })
    await context.addInitScript(() => {
      const native = window.fetch
      // A logging wrapper as monitoring tools install: no signal passed on, the body read for its log.
      window.fetch = (input: any, init: any) =>
        native(input, { method: init.method, headers: init.headers, body: init.body }).then(async (response) => {
          await response.text()
          return response
        })
    })
    const page = await context.newPage()
    await page.goto(url)
    await push(page, { plan: 'pro' })
    await stalled.arrived
    expect(await page.evaluate(() => window.userbeam.flush().then(() => 'delivered'))).toBe('delivered')
    await page.waitForTimeout(500)
    // The held request, then its retry: one delivery, counted as sent though its body was read.
    expect(env.server.arrivals.map((a) => a.body.profiles.map((p: any) => p.messageId))).toEqual([
      env.server.arrivals[0].body.profiles.map((p: any) => p.messageId),
      env.server.arrivals[0].body.profiles.map((p: any) => p.messageId),
    ])
    expect(Object.values(env.server.profiles())).toEqual([{ plan: 'pro' }])
    expect((await events(page)).sent).toHaveLength(1)
    stalled.release()
  })
})
