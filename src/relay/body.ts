/**
 * Reading a request body within a byte limit, on every runtime: a declared Content-Length over
 * the limit is refused before anything is read, and a body streamed without one is cut off (its
 * stream cancelled) as soon as it passes the limit, instead of being held whole in memory first.
 */

/**
 * The body of a request (or of a vendor's answer) as text, read up to `max` bytes: `over` when
 * there was more (the rest is not read: its stream is cancelled).
 * @example
 * const { text, over } = await readUpTo(answer, 64_000)
 */
export async function readUpTo(message: Request | Response, max: number): Promise<{ text: string; over: boolean }> {
  if (!message.body) return { text: '', over: false }
  const reader = message.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { text: text + decoder.decode(), over: false }
    size += value.length
    if (size > max) {
      reader.cancel().catch(() => {})
      return { text: text + decoder.decode(value.subarray(0, value.length - (size - max))), over: true }
    }
    text += decoder.decode(value, { stream: true })
  }
}

/**
 * The body as text, or undefined when it is over `max` bytes (a declared Content-Length over it
 * is refused before anything is read).
 * @example
 * const text = await readCapped(request, 1_000_000)
 * if (text === undefined) return new Response('too large', { status: 413 })
 */
export async function readCapped(request: Request, max: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length')) > max) return
  const { text, over } = await readUpTo(request, max)
  return over ? undefined : text
}
