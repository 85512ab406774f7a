/**
 * Reading a request body within a byte limit, on every runtime: a declared Content-Length over
 * the limit is refused before anything is read, and a body streamed without one is cut off (its
 * stream cancelled) as soon as it passes the limit, instead of being held whole in memory first.
 */

/**
 * The body as text, or undefined when it is over `max` bytes.
 * @example
 * const text = await readCapped(request, 1_000_000)
 * if (text === undefined) return new Response('too large', { status: 413 })
 */
export async function readCapped(request: Request, max: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length')) > max) return
  if (!request.body) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.length
    if (size > max) {
      reader.cancel().catch(() => {})
      return
    }
    text += decoder.decode(value, { stream: true })
  }
}
