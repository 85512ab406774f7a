// The demo: `npm start` builds, then runs this file. It serves examples/ and dist/ on 127.0.0.1,
// and a demo upsert endpoint in the json format that keeps the profiles it receives, so you can
// watch the SDK queue, merge and deliver. Import startDemo() to run it from a test.
//
//   POST /profiles       the endpoint the SDK posts to: { sentAt, profiles: [...] } -> 200
//   GET  /profiles       what it holds: { profiles, requests, offline }
//   POST /demo/offline   the endpoint goes down: it answers 503 (or, with ?mode=drop, closes
//                        the connection without an answer, like a network failure)
//   POST /demo/online    the endpoint answers again
//   POST /demo/reset     forgets every profile and request
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const STATIC = [join(root, 'examples') + sep, join(root, 'dist') + sep]
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json' }
const MAX_BODY = 5_000_000

/**
 * Profiles as an upsert endpoint keeps them: one per userId, else per anonymousId; the last value
 * of each attribute wins. A profile with both ids links them: the anonymous profile is folded
 * into the user's, and later updates sent under that anonymous id go to the user too.
 */
export function createProfileStore() {
  const profiles = new Map()
  /** anonymousId -> userId, once a profile linked them. */
  const owners = new Map()
  return {
    apply(batch) {
      for (const p of batch.profiles) {
        const key = p.userId ?? owners.get(p.anonymousId) ?? p.anonymousId
        const profile = profiles.get(key) ?? { userId: p.userId ?? (key === p.anonymousId ? null : key), anonymousIds: [], attributes: {}, updates: 0 }
        if (p.userId && profiles.has(p.anonymousId)) {
          const anonymous = profiles.get(p.anonymousId)
          profile.attributes = { ...anonymous.attributes, ...profile.attributes }
          profile.updates += anonymous.updates
          profiles.delete(p.anonymousId)
        }
        if (p.userId) owners.set(p.anonymousId, p.userId)
        if (!profile.anonymousIds.includes(p.anonymousId)) profile.anonymousIds.push(p.anonymousId)
        for (const a of p.attributes ?? []) profile.attributes[a.name] = a.value
        profile.updates++
        profile.lastMessageId = p.messageId
        profiles.set(key, profile)
      }
    },
    list: () => [...profiles.values()],
    clear: () => {
      profiles.clear()
      owners.clear()
    },
  }
}

/**
 * Starts the demo server on 127.0.0.1; `port: 0` picks a free port.
 * @example
 * const demo = await startDemo({ port: 0 })
 * await fetch(demo.url + '/profiles')
 * await demo.close()
 */
export async function startDemo({ port = 5173, host = '127.0.0.1', log = () => {} } = {}) {
  const store = createProfileStore()
  /** The last requests that reached POST /profiles, newest last, with what they were answered. */
  const requests = []
  /** false, or how the endpoint fails while it is down: '503' or 'drop'. */
  let offline = false

  const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
  const note = (request) => {
    requests.push({ at: new Date().toISOString(), ...request })
    if (requests.length > 50) requests.shift()
    log(`POST /profiles: ${request.status}${request.profiles ? `, ${request.profiles} profile(s), ${request.bytes} bytes` : ''}`)
  }

  function receive(res, body) {
    if (offline === 'drop') {
      note({ status: 'dropped' })
      return res.destroy()
    }
    if (offline) {
      note({ status: 503 })
      return json(res, 503, { error: 'the demo endpoint is switched off (POST /demo/online switches it on)' })
    }
    let batch
    try {
      batch = JSON.parse(body)
    } catch {}
    if (!Array.isArray(batch?.profiles)) {
      note({ status: 400 })
      return json(res, 400, { error: 'expected a json-format batch: { "sentAt": ..., "profiles": [...] }' })
    }
    store.apply(batch)
    note({ status: 200, profiles: batch.profiles.length, bytes: Buffer.byteLength(body) })
    json(res, 200, { ok: true })
  }

  async function serveFile(res, pathname) {
    // examples/ at the root, dist/ under /dist, and the script-tag build at /userbeam.min.js.
    let path = pathname === '/' ? '/index.html' : pathname
    if (path === '/userbeam.min.js') path = '/dist/userbeam.min.js'
    const file = normalize(path.startsWith('/dist/') ? join(root, path) : join(root, 'examples', path))
    if (!STATIC.some((dir) => file.startsWith(dir))) return json(res, 404, { error: `no such file: ${pathname}` })
    try {
      const content = await readFile(file)
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(content)
    } catch {
      json(res, 404, { error: `no such file: ${pathname}${path.startsWith('/dist/') ? ' (run npm run build)' : ''}` })
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://${host}`)
    const route = `${req.method} ${url.pathname}`
    const chunks = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > MAX_BODY) req.destroy()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      if (route === 'POST /profiles') return receive(res, body)
      if (route === 'GET /profiles') return json(res, 200, { profiles: store.list(), requests, offline })
      if (route === 'POST /demo/offline') {
        offline = url.searchParams.get('mode') === 'drop' ? 'drop' : '503'
        log(`the endpoint is off (${offline === 'drop' ? 'connections are dropped' : 'it answers 503'})`)
        return json(res, 200, { offline })
      }
      if (route === 'POST /demo/online') {
        offline = false
        log('the endpoint is on')
        return json(res, 200, { offline })
      }
      if (route === 'POST /demo/reset') {
        store.clear()
        requests.length = 0
        return json(res, 200, { ok: true })
      }
      if (route === 'GET /favicon.ico') return res.writeHead(204).end()
      if (req.method === 'GET' || req.method === 'HEAD') return serveFile(res, url.pathname)
      json(res, 405, { error: `${route} is not part of the demo` })
    })
  })
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve))
  return {
    url: `http://${host}:${server.address().port}`,
    store,
    /** Stops listening and closes open connections. */
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 5173)
  const demo = await startDemo({ port, log: (line) => console.log(`  ${line}`) }).catch((error) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: try PORT=${port + 1} npm start` : error)
    process.exit(1)
  })
  console.log(`\nUserbeam demo: ${demo.url}/\n`)
  console.log(`  ${demo.url}/          the script-tag page (snippet): identity, queue, deliveries, server`)
  console.log(`  ${demo.url}/spa.html  the same SDK as an npm import (import map, no framework)`)
  console.log(`  ${demo.url}/profiles  what the demo endpoint holds (json)\n`)
  console.log('Press Ctrl+C to stop.\n')
  process.on('SIGINT', () => demo.close().then(() => process.exit(0)))
}
