/**
 * The recording server of the Chromium suite, on 127.0.0.1 (port 0). It serves the built dist/
 * files (or 404s them), the pages a test registers, and a json endpoint at /profiles that
 * records every request on arrival and answers as the test scripted: fail with a status N times,
 * 429 with Retry-After, hold the answer until released, or delay every answer.
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import { join } from 'node:path'

export const DIST = join(import.meta.dirname, '../../dist')
export const ENDPOINT = '/profiles'

/** One request to the endpoint, recorded when its body has arrived. */
export interface Arrival {
  n: number
  /** Time the body arrived (ms, node clock). */
  at: number
  headers: IncomingHttpHeaders
  body: any
  /** The status the endpoint answers (or will answer, for a held request). */
  status: number
  /** Time the answer was written, once it was. */
  answeredAt?: number
  /** The whole answer reached the socket (false: not yet, or the browser hung up first). */
  completed: boolean
}

/** How the endpoint answers one request. */
interface Answer {
  status: number
  headers?: Record<string, string>
  /** Answer only when this settles. */
  hold?: Promise<void>
}

export interface Stall {
  /** The held request, once it has arrived. */
  arrived: Promise<Arrival>
  /** Lets the answer go. */
  release(): void
}

export async function startServer() {
  const arrivals: Arrival[] = []
  const pages = new Map<string, { body: string; headers: Record<string, string> }>()
  /** One-shot answers for the next requests, in order; then 200. */
  let script: Answer[] = []
  let delay = 0
  let sdkMissing = false
  let releases: (() => void)[] = []
  /** arrived() calls still waiting, with their time limits. */
  const waiters = new Map<() => void, ReturnType<typeof setTimeout>>()
  let open = 0
  const stats = { maxOpen: 0 }

  function record(headers: IncomingHttpHeaders, raw: string, res: ServerResponse) {
    let body: any = raw
    try {
      body = JSON.parse(raw)
    } catch {}
    const answer = script.shift() ?? { status: 200 }
    const arrival: Arrival = { n: arrivals.length + 1, at: Date.now(), headers, body, status: answer.status, completed: false }
    arrivals.push(arrival)
    waiters.forEach((_, check) => check())
    stats.maxOpen = Math.max(stats.maxOpen, ++open)
    res.on('close', () => open--)
    res.on('finish', () => (arrival.completed = true))
    const reply = () => {
      if (res.destroyed) return
      arrival.answeredAt = Date.now()
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(JSON.stringify({ ok: answer.status < 300 }))
    }
    const later = delay ? new Promise((r) => setTimeout(r, delay)) : Promise.resolve()
    Promise.all([later, answer.hold]).then(reply)
  }

  /** Resolves once `count` requests have arrived in all; rejects after `timeout` ms. */
  function arrived(count: number, timeout = 45_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (arrivals.length < count) return
        clearTimeout(waiters.get(check))
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`${arrivals.length} of ${count} expected requests arrived within ${timeout} ms`))
      }, timeout)
      waiters.set(check, timer)
      check()
    })
  }

  function file(path: string) {
    try {
      return readFileSync(join(DIST, path))
    } catch {
      return undefined
    }
  }

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url!, 'http://127.0.0.1')
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      if (pathname === ENDPOINT && req.method === 'POST') return record(req.headers, Buffer.concat(chunks).toString(), res)
      // The SDK at /dist/..., and at the root too: the snippet's default URL is /userbeam.min.js.
      // And the npm entry at /dist/userbeam.mjs, for pages that import it as a module.
      const built = /^\/(dist\/)?(userbeam|snippet)\.min\.js$|^\/dist\/userbeam\.mjs$/.test(pathname) && !sdkMissing && file(pathname.replace(/^\/(dist\/)?/, ''))
      if (built) return res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(built)
      const page = pages.get(pathname)
      if (!page) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      const type = pathname.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8'
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...page.headers }).end(page.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`

  return {
    origin,
    /** Every endpoint request so far, in arrival order. */
    arrivals,
    stats,
    /** Serves `body` at `path`, with extra response headers; returns the full URL. */
    page(path: string, body: string, headers: Record<string, string> = {}) {
      pages.set(path, { body, headers })
      return origin + path
    },
    /** The built SDK files answer 404 from now on. */
    missingSdk() {
      sdkMissing = true
    },
    /** The next `times` requests get `status` (with `headers`, e.g. Retry-After). */
    fail(status: number, times = 1, headers?: Record<string, string>) {
      for (let i = 0; i < times; i++) script.push({ status, headers })
    },
    /** The next request is recorded on arrival but answered (200) only when released. */
    stall(): Stall {
      let release!: () => void
      const hold = new Promise<void>((r) => releases.push((release = r)))
      const n = arrivals.length + script.length + 1
      script.push({ status: 200, hold })
      return { arrived: arrived(n).then(() => arrivals[n - 1]), release }
    },
    /** Every answer from now on waits `ms`. */
    delay(ms: number) {
      delay = ms
    },
    arrived,
    /**
     * The profiles as the server holds them: every accepted (2xx) request folded in arrival
     * order, keyed by userId ?? anonymousId, last write wins per attribute.
     */
    profiles() {
      const state: Record<string, Record<string, unknown>> = {}
      for (const { body, status } of arrivals) {
        if (status < 200 || status >= 300) continue
        for (const p of body.profiles ?? []) {
          const target = (state[p.userId ?? p.anonymousId] ||= {})
          for (const a of p.attributes) target[a.name] = a.value
        }
      }
      return state
    },
    /** Forgets the previous test: answers, pages, recordings; held answers are let go. */
    reset() {
      releases.forEach((r) => r())
      releases = []
      // A wait the previous test left behind must not fire into this one.
      waiters.forEach((timer) => clearTimeout(timer))
      waiters.clear()
      script = []
      arrivals.length = 0
      pages.clear()
      delay = 0
      sdkMissing = false
      stats.maxOpen = 0
    },
    close() {
      releases.forEach((r) => r())
      waiters.forEach((timer) => clearTimeout(timer))
      return new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    },
  }
}

export type TestServer = Awaited<ReturnType<typeof startServer>>
