/**
 * The real-browser harness: a local server on 127.0.0.1 that serves pages and the BUILT
 * dist/ files and records what reaches the json endpoint (and can be told to fail, stall or
 * delay), and headless Chromium driven by playwright-core.
 */
import { execSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export interface Arrival {
  n: number
  at: number
  body: any
  headers: IncomingMessage['headers']
}

/** What the endpoint answers to the n-th request (1-based). */
export type Plan = (n: number, body: any) => { status?: number; headers?: Record<string, string>; hold?: Promise<void>; body?: string }

const DIST = join(import.meta.dirname, '../../dist')

export async function startServer() {
  const arrivals: Arrival[] = []
  const pages = new Map<string, { body: string; headers?: Record<string, string> }>()
  let plan: Plan = () => ({})
  let listeners: (() => void)[] = []
  const state = { missingSdk: false, open: 0, maxOpen: 0 }

  const endpoint = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let body: any
    try {
      body = JSON.parse(raw)
    } catch {
      body = raw
    }
    const arrival = { n: arrivals.length + 1, at: Date.now(), body, headers: req.headers }
    arrivals.push(arrival)
    listeners.forEach((l) => l())
    const answer = plan(arrival.n, body)
    state.maxOpen = Math.max(state.maxOpen, ++state.open)
    const reply = () => {
      state.open--
      if (res.destroyed) return
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body ?? '{"ok":true}')
    }
    answer.hold ? answer.hold.then(reply) : reply()
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1')
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      if (process.env.DEBUG_SERVER) console.log('SERVER', req.method, url.pathname, Date.now())
      if (url.pathname === '/profiles' && req.method === 'POST') return endpoint(req, res, Buffer.concat(chunks).toString())
      if (url.pathname.startsWith('/dist/')) {
        if (state.missingSdk) return res.writeHead(404).end('not found')
        try {
          const file = readFileSync(join(DIST, url.pathname.slice(6)))
          return res.writeHead(200, { 'content-type': 'text/javascript' }).end(file)
        } catch {
          return res.writeHead(404).end('not found')
        }
      }
      const page = pages.get(url.pathname)
      if (!page) return res.writeHead(404).end('not found')
      const type = url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8'
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...page.headers }).end(page.body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`

  return {
    origin,
    arrivals,
    state,
    /** Serves `body` at `path` (with extra response headers). */
    page(path: string, body: string, headers?: Record<string, string>) {
      pages.set(path, { body, headers })
      return origin + path
    },
    plan(next: Plan) {
      plan = next
    },
    reset() {
      arrivals.length = 0
      plan = () => ({})
      Object.assign(state, { missingSdk: false, open: 0, maxOpen: 0 })
      pages.clear()
    },
    /** Resolves once `count` requests have arrived. */
    arrived(count: number, timeout = 45_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (arrivals.length < count) return false
          listeners = listeners.filter((l) => l !== check)
          clearTimeout(timer)
          resolve()
          return true
        }
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.length} of ${count} requests arrived`)), timeout)
        if (!check()) listeners.push(check)
      })
    },
    /** The profiles as the server holds them: keyed by userId ?? anonymousId, last write wins in arrival order. */
    profiles() {
      const state: Record<string, Record<string, unknown>> = {}
      for (const { body } of arrivals) {
        for (const p of body.profiles ?? []) {
          const target = (state[p.userId ?? p.anonymousId] ||= {})
          for (const a of p.attributes) target[a.name] = a.value
        }
      }
      return state
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type TestServer = Awaited<ReturnType<typeof startServer>>

export function chromiumPath() {
  try {
    return execSync('command -v chromium', { shell: '/bin/bash' }).toString().trim() || '/usr/bin/chromium'
  } catch {
    return '/usr/bin/chromium'
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** A page that loads the built script-tag file and initialises it. */
export function sdkPage(server: TestServer, path: string, init: Record<string, unknown>, extra = '') {
  return server.page(
    path,
    `<!doctype html><meta charset="utf-8"><title>userbeam test</title>
<script src="/dist/userbeam.min.js"></script>
<script>
  window.events = { sent: [], error: [], drop: [] }
  userbeam.init(${JSON.stringify({ endpoint: '/profiles', ...init })})
  for (const type of ['sent', 'error', 'drop']) userbeam.on(type, (e) => window.events[type].push(e))
  ${extra}
</script>`,
  )
}

/** Opens `url` in a new page of `context`, collecting console warnings. */
export async function open(context: BrowserContext, url: string) {
  const page = await context.newPage()
  const warnings: string[] = []
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()))
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(url)
  return { page, warnings, errors }
}

export type { Page }

/**
 * Registers the hooks a browser suite needs: one server and one Chromium per file, a clean
 * server before each test, both stopped at the end. Read `env.server` / `env.browser` in tests.
 */
export function useBrowser(hooks: typeof import('vitest')) {
  const env = {} as { server: TestServer; browser: Browser }
  hooks.beforeAll(async () => {
    ;[env.server, env.browser] = await Promise.all([startServer(), launch()])
  })
  hooks.afterAll(async () => {
    await env.browser?.close()
    await env.server?.close()
  })
  hooks.beforeEach(() => env.server.reset())
  return env
}
