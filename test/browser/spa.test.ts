// Single-page apps on the npm entry (dist/userbeam.mjs as a module): a component mounted twice at
// once (React's StrictMode in development, a module replaced by hot reloading) closes its client
// and makes another on the same storage while the first one's calls still wait for IndexedDB.
import { describe, expect, it } from 'vitest'
import { open, useBrowser } from './harness'

const env = useBrowser()

/** Serves a page that runs `code` as a module, with `createClient` imported from the npm entry; `window.done` ends it. */
const modulePage = (path: string, code: string) =>
  env.server.page(
    path,
    `<!doctype html><title>${path}</title>
    <script type="module">
      import { createClient } from '/dist/userbeam.mjs'
      const options = { endpoint: '/profiles', flushInterval: 20 }
      ${code}
    </script>`,
  )

/** Opens `url` in `context` and waits for its `window.done`; returns what the page said. */
async function visit(context: Awaited<ReturnType<typeof env.context>>, url: string) {
  const tab = await open(context, url)
  await tab.page.waitForFunction(() => (window as any).done)
  await tab.page.evaluate(() => (window as any).done)
  expect(tab.pageErrors).toEqual([])
  await tab.page.close()
  return tab
}

/** The profiles the server received since `from` (an arrival count): [userId, attributes], in order. */
const sentSince = (from: number) =>
  env.server.arrivals.slice(from).flatMap((a) => a.body.profiles.map((p: any) => [p.userId, Object.fromEntries(p.attributes.map((x: any) => [x.name, x.value]))]))

describe('a component mounted twice at once (StrictMode, hot reload)', () => {
  for (const holdAnonymous of [false, true]) {
    it(`first visit, holdAnonymous ${holdAnonymous}: what the first mount pushed joins the user the second one logs in`, async () => {
      const context = await env.context()
      const url = modulePage(
        `/strict-${holdAnonymous}.html`,
        `options.holdAnonymous = ${holdAnonymous}
        const first = createClient(options)
        first.user.push({ fromFirstMount: 1 })
        first.close()
        const second = createClient(options)
        second.user.push({ fromSecondMount: 2 })
        second.user.identify('u-strict')
        window.done = second.flush().then(() => new Promise((r) => setTimeout(r, 300))).then(() => 'done')`,
      )
      const { warnings } = await visit(context, url)
      const profiles = env.server.arrivals.flatMap((a) => a.body.profiles)
      // One visitor: every profile sent carries the same anonymous id, the user's included.
      expect(new Set(profiles.map((p: any) => p.anonymousId)).size).toBe(1)
      const held = env.server.profiles()
      if (holdAnonymous) expect(held).toEqual({ 'u-strict': { fromFirstMount: 1, fromSecondMount: 2 } })
      else {
        expect(held['u-strict']).toEqual({})
        expect(Object.entries(held).filter(([key]) => key !== 'u-strict').map(([, p]) => p)).toEqual([{ fromFirstMount: 1, fromSecondMount: 2 }])
      }
      expect(warnings).toEqual([])
    })
  }

  it('consent(false) in the first mount holds for the second one and for the next page', async () => {
    const context = await env.context()
    const url = modulePage(
      '/strict-consent.html',
      `const first = createClient(options)
      first.consent(false)
      first.close()
      const second = createClient(options)
      setTimeout(() => second.user.identify('u-consent', { email: 'someone@example.com' }), 500)
      window.done = new Promise((r) => setTimeout(r, 1200)).then(() => 'done')`,
    )
    await visit(context, url)
    const next = modulePage(
      '/strict-consent-next.html',
      `const client = createClient(options)
      client.user.push({ nextPage: 1 })
      window.done = new Promise((r) => setTimeout(r, 800)).then(() => 'done')`,
    )
    await visit(context, next)
    expect(env.server.arrivals).toEqual([])
  })

  it("logout() in the first mount holds: the second one's later calls are not the logged-out user's", async () => {
    const context = await env.context()
    const login = modulePage(
      '/strict-login.html',
      `const client = createClient(options)
      client.user.identify('alice', { email: 'alice@example.com' })
      window.done = client.flush().then(() => 'done')`,
    )
    await visit(context, login)
    const before = env.server.arrivals.length
    const url = modulePage(
      '/strict-logout.html',
      `const first = createClient(options)
      first.user.logout()
      first.close()
      const second = createClient(options)
      setTimeout(() => second.user.push({ nextVisitorsCity: 'Goa' }), 500)
      window.done = new Promise((r) => setTimeout(r, 1200)).then(() => 'done')`,
    )
    await visit(context, url)
    expect(sentSince(before)).toEqual([[null, { nextVisitorsCity: 'Goa' }]])
  })

  it('a push made on a client after close(), while its storage was still opening, is never sent', async () => {
    const context = await env.context()
    const url = modulePage(
      '/closed-push.html',
      `const first = createClient(options)
      first.close()
      first.user.push({ afterClose: 1 })
      window.done = new Promise((r) => setTimeout(r, 300)).then(() => 'done')`,
    )
    await visit(context, url)
    await visit(context, modulePage('/closed-push-next.html', `const client = createClient(options)
      client.user.push({ next: 1 })
      window.done = client.flush().then(() => 'done')`))
    expect(sentSince(0)).toEqual([[null, { next: 1 }]])
  })
})
