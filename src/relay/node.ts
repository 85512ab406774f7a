/**
 * A thin node:http adapter for the relay handler: no web framework, no node-only import, so the
 * relay module still loads on edge runtimes that never call it.
 */

/** The parts of node's IncomingMessage and ServerResponse the adapter uses. */
interface NodeRequest extends AsyncIterable<Uint8Array> {
  method?: string
  url?: string
  headers: Record<string, string | string[] | undefined>
  socket?: { remoteAddress?: string }
}
interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): unknown
  end(body?: Uint8Array): unknown
}

/** The TCP peer of each request the adapter made: not a header, so no client can forge it. */
const peers = new WeakMap<Request, string>()

/** The address the request came from, when the node:http adapter made it (a proxy's, behind one). */
export const peerOf = (request: Request): string | undefined => peers.get(request)

/**
 * @example
 * import { createServer } from 'node:http'
 * createServer(toNodeListener(createRelay({ ... }))).listen(8787, '127.0.0.1')
 */
export function toNodeListener(
  handler: ((request: Request) => Promise<Response>) & { maxBodyBytes?: number },
  /** Largest body read (413 beyond): the relay's own maxBodyBytes, or 1,000,000 for another handler. */
  maxBytes = handler.maxBodyBytes ?? 1_000_000,
) {
  return async (req: NodeRequest, res: NodeResponse) => {
    try {
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of req) {
        size += chunk.length
        if (size > maxBytes) {
          res.writeHead(413, { 'content-type': 'application/json' })
          return res.end(new TextEncoder().encode(JSON.stringify({ error: 'size', reason: `the body is over ${maxBytes} bytes` })))
        }
        chunks.push(chunk)
      }
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      const method = req.method ?? 'GET'
      const body = concat(chunks)
      const request = new Request(new URL(req.url ?? '/', `http://${headers.get('host') ?? 'localhost'}`), {
        method,
        headers,
        body: method === "GET" || method === "HEAD" ? undefined : (body as Uint8Array<ArrayBuffer>),
      })
      if (req.socket?.remoteAddress) peers.set(request, req.socket.remoteAddress)
      const response = await handler(request)
      const out: Record<string, string> = {}
      response.headers.forEach((value, name) => (out[name] = value))
      res.writeHead(response.status, out)
      res.end(new Uint8Array(await response.arrayBuffer()))
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(new TextEncoder().encode(JSON.stringify({ error: 'relay', reason: String(error) })))
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}
