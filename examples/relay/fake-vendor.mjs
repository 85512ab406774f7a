// A local stand-in for the vendors' APIs, on 127.0.0.1: it records what it receives and answers
// as the vendor documents, so the relay example runs without any account or network.
import { createServer } from 'node:http'

const ANSWERS = {
  growlytics: () => ({ success: true }),
  usercom: () => ({ created: true, id: 5577 }),
  moengage: () => ({ status: 'success', request_id: 'local' }),
  haptik: (body) => ({ auth_id: body?.auth_id, mobile_no: body?.mobile_no, email: body?.email, name: body?.name }),
  json: () => ({ ok: true }),
}

export async function startFakeVendor({ destination = 'json', port = 0, log = () => {} } = {}) {
  const received = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || 'null')
      received.push({ method: req.method, path: req.url, headers: req.headers, body })
      log(`${req.method} ${req.url} ${JSON.stringify(body)}`)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ANSWERS[destination](body)))
    })
  })
  await new Promise((r) => server.listen(port, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }),
  }
}
