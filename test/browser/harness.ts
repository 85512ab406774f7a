/**
 * What every Chromium scenario file shares: one recording server and one browser per file, a
 * fresh browser context (its own IndexedDB) per test, everything a test started stopped after it,
 * and pages that load the BUILT dist/userbeam.min.js with a script tag.
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { closeWithin, launch, open, type Tab } from './chromium'
import { ENDPOINT, startServer, type TestServer } from './server'

export { open, type Tab }

/** What the pages below expose to page.evaluate. */
declare global {
  interface Window {
    userbeam: any
    /** Every 'sent', 'error' and 'drop' event the page's client emitted. */
    events: { sent: any[]; error: any[]; drop: any[] }
  }
}

export interface Env {
  server: TestServer
  browser: Browser
  /** A fresh context (own storage), closed after the test. */
  context(): Promise<BrowserContext>
}

export function useBrowser(): Env {
  const contexts: BrowserContext[] = []
  const env = {
    async context() {
      const context = await env.browser.newContext()
      contexts.push(context)
      return context
    },
  } as Env
  beforeAll(async () => {
    ;[env.server, env.browser] = await Promise.all([startServer(), launch()])
  })
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => closeWithin(c)))
    env.server.reset()
  })
  afterAll(async () => {
    if (env.browser) await closeWithin(env.browser, 10_000)
    await env.server?.close()
  })
  return env
}

/**
 * Serves a page at `path` that loads the built SDK with a script tag, initialises it with
 * `options` (endpoint: the recording one) and records its events in `window.events`; `then`
 * is more page code, run after init.
 */
export function sdkPage(server: TestServer, path: string, options: Record<string, unknown>, then = ''): string {
  return server.page(
    path,
    `<!doctype html><meta charset="utf-8"><title>userbeam test</title>
<script src="/dist/userbeam.min.js"></script>
<script>
  window.events = { sent: [], error: [], drop: [] }
  userbeam.init(${JSON.stringify({ endpoint: ENDPOINT, ...options })})
  for (const type of ['sent', 'error', 'drop']) userbeam.on(type, (e) => window.events[type].push(e))
  ${then}
</script>`,
  )
}

/** Resolves when userbeam.flush() in the page does: what was queued is delivered. */
export const flush = (page: Page) => page.evaluate(() => window.userbeam.flush())
export const push = (page: Page, attributes: Record<string, unknown>) =>
  page.evaluate((a) => window.userbeam.user.push(a), attributes)
export const identify = (page: Page, userId: string, attributes?: Record<string, unknown>) =>
  page.evaluate(([id, a]) => window.userbeam.user.identify(id, a), [userId, attributes] as const)
export const events = (page: Page) => page.evaluate(() => window.events)

/**
 * Resolves once every IndexedDB write the page has started in database `storageName` (the
 * documented storageName option) is done. The SDK stores calls in a transaction it opens within
 * the same task; a readwrite transaction over the same stores, opened a task later, is
 * serialised after it, so its completion proves the calls are on disk. There is no SDK event
 * for "stored", and sleeping would only guess. Premise: storage had answered before the calls
 * (an earlier flush() resolved); before that, the SDK holds calls in memory and writes them later.
 */
export function storageIdle(page: Page, storageName: string): Promise<void> {
  return page.evaluate(async (name) => {
    await new Promise((resolve) => setTimeout(resolve))
    if (!(await indexedDB.databases()).some((d) => d.name === name)) throw new Error(`no IndexedDB database "${name}"`)
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    try {
      const stores = [...db.objectStoreNames]
      if (!stores.length) return
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(stores, 'readwrite')
        tx.oncomplete = () => resolve()
        tx.onerror = tx.onabort = () => reject(tx.error)
      })
    } finally {
      db.close()
    }
  }, storageName)
}
