/**
 * Identity verification: the site's backend signs each user id with HMAC-SHA256 and a secret;
 * the page passes the signature to identify(); the relay refuses a profile whose signature is
 * missing or wrong. Web Crypto only, so it runs on Node, Deno, Bun and edge runtimes.
 */

const encoder = new TextEncoder()

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('')

/**
 * The signature for `userId`: lowercase hex HMAC-SHA256. Call it on your server, never in a page.
 * @example
 * const signature = await signUserId(process.env.USERBEAM_SECRET, user.id)
 * // in the page: userbeam.user.identify(user.id, attributes, { signature })
 */
export async function signUserId(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(userId)))
}

/** Compares in time independent of where the strings differ. */
function same(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}

/** A UTF-16 surrogate without its pair: UTF-8 (and so the HMAC) writes every one as U+FFFD. */
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why the signature of `userId` is refused, or undefined when it is right. */
export async function signatureProblem(secret: string, userId: string, signature: unknown): Promise<string | undefined> {
  // "a\ud800" and "a\ufffd" would share one signature: such an id is never verified.
  if (LONE.test(userId)) return `the user id ${JSON.stringify(userId)} holds a lone UTF-16 surrogate, which a signature cannot tell apart`
  if (typeof signature !== 'string' || !signature) return `no signature for user "${userId}": pass identify(id, attributes, { signature }) with the HMAC your server computed`
  if (!same(await signUserId(secret, userId), signature.toLowerCase())) return `the signature for user "${userId}" is wrong`
}
