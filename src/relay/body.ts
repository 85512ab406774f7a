/**
 * Reading a request body within a byte limit, on every runtime: a declared Content-Length over
 * the limit is refused before anything is read, and a body streamed without one is cut off (its
 * stream cancelled) as soon as it passes the limit, instead of being held whole in memory first.
 */

/**
 * The body of a request (or of a vendor's answer) as text; over `max` bytes, undefined, or with
 * `cut` its first `max` bytes (an answer is passed on shortened, never held whole in memory).
 * @example
 * const text = await readCapped(request, 1_000_000)
 * if (text === undefined) return new Response('too large', { status: 413 })
 */
export async function readCapped(message: Request | Response, max: number, cut = false): Promise<string | undefined> {
  if (!cut && Number(message.headers.get('content-length')) > max) return
  if (!message.body) return ''
  const reader = message.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.length
    if (size > max) {
      reader.cancel().catch(() => {})
      return cut ? text + decoder.decode(value.subarray(0, value.length - (size - max))) : undefined
    }
    text += decoder.decode(value, { stream: true })
  }
}
