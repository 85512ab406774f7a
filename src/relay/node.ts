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
  on?(event: 'close', listener: () => void): unknown
  writableFinished?: boolean
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
  /** Largest body read (the stream fails beyond): the relay's own maxBodyBytes, or 1,000,000 for another handler. */
  maxBytes = handler.maxBodyBytes ?? 1_000_000,
) {
  return async (req: NodeRequest, res: NodeResponse) => {
    try {
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      const method = req.method ?? 'GET'
      // The path as the request line gave it, on this server's host: a target such as
      // "//other.example/relay" is a path here, never another host.
      const target = req.url ?? '/'
      const path = /^[a-z][a-z\d+.-]*:\/\//i.test(target) ? target.replace(/^[^:]+:\/\/[^/]*/, '') || '/' : target
      const url = new URL(`http://${headers.get('host') || 'localhost'}${path.startsWith('/') ? path : `/${path}`}`)
      // The page leaving (or timing out) ends the relay's own call to the vendor too.
      const abort = new AbortController()
      res.on?.('close', () => res.writableFinished || abort.abort())
      // Streamed, not buffered: the handler reads what it needs and stops at its own limit.
      const body = method === 'GET' || method === 'HEAD' ? undefined : stream(req, maxBytes)
      const request = new Request(url, { method, headers, signal: abort.signal, ...(body && { body: body.stream, duplex: 'half' }) } as RequestInit)
      if (req.socket?.remoteAddress) peers.set(request, req.socket.remoteAddress)
      const response = await handler(request)
      const out: Record<string, string> = {}
      response.headers.forEach((value, name) => (out[name] = value))
      // A body left unread (answered early: 413, 429...) would hold up the next request on this
      // connection: it closes after this answer instead.
      if (body && !body.read()) out.connection = 'close'
      res.writeHead(response.status, out)
      res.end(new Uint8Array(await response.arrayBuffer()))
    } catch (error) {
      // The details stay in the server's log: an error may quote anything, a header included.
      console.error('userbeam relay: the handler failed', error)
      res.writeHead(500, { 'content-type': 'application/json', connection: 'close' })
      res.end(new TextEncoder().encode(JSON.stringify({ error: 'relay', reason: 'the relay failed: see its server log' })))
    }
  }
}

/** The request body as a web stream, which fails once more than `max` bytes arrived; `read()` says whether it was read to its end. */
function stream(req: NodeRequest, max: number) {
  const chunks = req[Symbol.asyncIterator]()
  let size = 0
  let ended = false
  return {
    read: () => ended,
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (size > max) return controller.error(new Error(`the body is over ${max} bytes`))
        const { done, value } = await chunks.next()
        if (done) return (ended = true), controller.close()
        size += value.length
        controller.enqueue(value)
      },
    }),
  }
}
