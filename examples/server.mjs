// The demo: `npm start` builds, then runs this. It serves examples/ and dist/ on 127.0.0.1 and a
// demo upsert endpoint in the json format that keeps the profiles it receives, so you can watch
// the SDK queue, merge and deliver. Import startDemo() to run it from a test.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json' }

/** Profiles as a json-format server would keep them: by userId, else anonymousId; last write wins. */
export function createProfileStore() {
  const profiles = new Map()
  return {
    /** Applies one received batch; an identified profile absorbs the anonymous profile it came from. */
    apply(batch) {
      for (const p of batch.profiles ?? []) {
        const key = p.userId ?? p.anonymousId
        const profile = profiles.get(key) ?? { userId: p.userId, anonymousIds: [], attributes: {}, updates: 0 }
        if (p.userId && profiles.has(p.anonymousId)) {
          const anonymous = profiles.get(p.anonymousId)
          profile.attributes = { ...anonymous.attributes, ...profile.attributes }
          profile.updates += anonymous.updates
          profiles.delete(p.anonymousId)
        }
        if (!profile.anonymousIds.includes(p.anonymousId)) profile.anonymousIds.push(p.anonymousId)
        for (const a of p.attributes) profile.attributes[a.name] = a.value
        profile.updates++
        profile.lastMessageId = p.messageId
        profiles.set(key, profile)
      }
    },
    list: () => [...profiles.values()],
    clear: () => profiles.clear(),
  }
}

export async function startDemo({ port = 5173, host = '127.0.0.1', log = () => {} } = {}) {
  const store = createProfileStore()
  const received = []
  let down = false

  const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${host}`)
    const body = await new Promise((resolve) => {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks).toString()))
    })
    if (url.pathname === '/profiles' && req.method === 'POST') {
      if (down) return json(res, 503, { error: 'the demo endpoint is switched off' })
      try {
        const batch = JSON.parse(body)
        store.apply(batch)
        received.push({ at: new Date().toISOString(), profiles: batch.profiles.length, bytes: body.length })
        log(`received ${batch.profiles.length} profile(s), ${body.length} bytes`)
        return json(res, 200, { ok: true })
      } catch {
        return json(res, 400, { error: 'expected a json-format batch: { sentAt, profiles: [...] }' })
      }
    }
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end()
    if (url.pathname === '/profiles') return json(res, 200, { profiles: store.list(), requests: received, down })
    if (url.pathname === '/demo/offline' && req.method === 'POST') return json(res, 200, { down: (down = true) })
    if (url.pathname === '/demo/online' && req.method === 'POST') return json(res, 200, { down: (down = false) })
    if (url.pathname === '/demo/reset' && req.method === 'POST') {
      store.clear()
      received.length = 0
      return json(res, 200, { ok: true })
    }
    // Static files: examples/ at the root, dist/ under /dist, and the script-tag build at /userbeam.min.js.
    let path = url.pathname === '/' ? '/index.html' : url.pathname
    if (path === '/userbeam.min.js') path = '/dist/userbeam.min.js'
    const file = normalize(path.startsWith('/dist/') ? join(root, path) : join(root, 'examples', path))
    if (!file.startsWith(root)) return json(res, 403, { error: 'outside the demo' })
    try {
      const content = await readFile(file)
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(content)
    } catch {
      json(res, 404, { error: `no such file: ${url.pathname}` })
    }
  })
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve))
  const url = `http://${host}:${server.address().port}`
  return {
    url,
    store,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 5173), log: (line) => console.log(`  endpoint: ${line}`) })
  console.log(`\nUserbeam demo running at ${demo.url}\n`)
  console.log(`  ${demo.url}/          the script-tag page (snippet), with the live queue`)
  console.log(`  ${demo.url}/spa.html  the same SDK as an npm import (import map)`)
  console.log(`  ${demo.url}/profiles  what the demo endpoint holds\n`)
  console.log('Press Ctrl+C to stop.')
}
