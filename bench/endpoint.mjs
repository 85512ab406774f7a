// The benchmark's local endpoint on 127.0.0.1: serves the pages it is given and records what
// reaches POST /profiles (requests, bytes, the profiles folded last-write-wins), and says when
// it holds the expected final state.
import { createServer } from 'node:http'

export async function startEndpoint(pages) {
  let expected = {}
  let state = {}
  let waiters = []
  const stats = { requests: 0, bytes: 0, completeAt: 0 }
  const holds = () =>
    Object.keys(expected).length > 0 &&
    Object.entries(expected).every(([user, attributes]) =>
      Object.entries(attributes).every(([name, value]) => state[user]?.[name] === value),
    )
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    if (req.method === 'POST' && url.pathname === '/profiles') {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        stats.requests++
        stats.bytes += body.length
        try {
          for (const p of JSON.parse(body).profiles) {
            const key = p.userId ?? p.anonymousId
            const target = (state[key] ||= {})
            for (const a of p.attributes) target[a.name] = a.value
          }
        } catch {}
        if (!stats.completeAt && holds()) {
          stats.completeAt = Date.now()
          waiters.forEach((w) => w(stats.completeAt))
          waiters = []
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      })
      return
    }
    const page = pages[url.pathname]
    if (!page) return res.writeHead(404).end()
    const type = url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html'
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(page(url.searchParams.get('client')))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    reset() {
      state = {}
      expected = {}
      Object.assign(stats, { requests: 0, bytes: 0, completeAt: 0 })
    },
    expect(final) {
      expected = final
    },
    correct: holds,
    /** Resolves with the time the endpoint first held everything, or 0 after `timeout` ms. */
    complete(timeout) {
      if (stats.completeAt) return Promise.resolve(stats.completeAt)
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(0), timeout)
        waiters.push((at) => {
          clearTimeout(timer)
          resolve(at)
        })
      })
    },
    close: () => new Promise((r) => server.close(r)),
  }
}
