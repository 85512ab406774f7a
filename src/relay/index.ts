/**
 * userbeam/relay: the server half. A web-standard handler `(Request) => Promise<Response>` that
 * runs on Node (see ./node), Deno, Bun and edge runtimes. It accepts what the SDK sends, applies
 * the destination's rules again, checks identity signatures, adds the vendor credential, forwards
 * to the vendor, and maps the answer back (status, reason, Retry-After) without ever echoing the
 * credential. Its only state is the rate limiter's store.
 */
import { checkAttributes, idProblem, typeValue } from '../attributes.js'
import { formats } from '../formats/index.js'
import type { Destination, Format } from '../types.js'
import { peerOf } from './node.js'
import { carriedProfiles, forwardable } from './profiles.js'
import { addressKey, memoryRateStore, overLimit, type RateLimit } from './rate-limit.js'
import { readCapped, readUpTo } from './body.js'
import { signatureProblem } from './verify.js'
import { names, own } from '../own.js'

export { signUserId } from './verify.js'
export { memoryRateStore, type RateLimit, type RateStore } from './rate-limit.js'

/**
 * The dates each typed format writes, and the ISO instant they stand for: json sends
 * Date#toISOString (six-digit signed years outside 0000-9999), Growlytics `YYYY-MM-DD HH:MM:SS`
 * in UTC. A date is accepted when writing its instant again gives the same text (no 31 February,
 * no 24:00).
 */
const DATES: Record<string, [RegExp, (value: string) => string]> = {
  json: [/^([+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, (value) => value],
  growlytics: [/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, (value) => `${value.replace(' ', 'T')}.000Z`],
}

/** Whether a typed format's declared type is the value's own (the browser's checks, not trusted). */
function declaredProblem(declared: unknown, value: unknown, format: Format): string | undefined {
  if (declared === 'date') {
    const [pattern, iso] = DATES[format.name]
    let valid = false
    try {
      valid = typeof value === 'string' && pattern.test(value) && new Date(iso(value)).toISOString() === iso(value)
    } catch {
      // An instant outside the Date range: toISOString throws.
    }
    return valid ? undefined : `declared a date, but ${JSON.stringify(value)} is not one as ${format.name} writes dates`
  }
  const typed = typeValue(value, format.rules)
  if (typeof typed !== 'string' && typed.type !== declared) return `declared type ${JSON.stringify(declared)}, but the value is a ${typed.type}`
}

export interface RelayOptions {
  /** The format the SDK sends and the vendor receives: 'json', 'growlytics', 'usercom', 'moengage' or 'haptik'. */
  destination: Destination
  /** The vendor URL the relay stands for; the request path after `mount` is appended to it. */
  vendorUrl: string
  /** Where the relay is mounted on your origin (its path prefix). Default '/'. */
  mount?: string
  /** Headers added on the way out: the credential, e.g. { Authorization: `Basic ${btoa(id + ':' + key)}` }. */
  credential: Record<string, string>
  /** Origins allowed to call the relay from a browser (CORS). Same-origin requests need none. */
  allowedOrigins?: string[]
  /**
   * Largest request body, in bytes (413 beyond). Default 1,000,000: the SDK's whole queue budget
   * (maxQueueBytes), so a profile the page accepted (user.com and Haptik state no size limit) is
   * never refused here. Lower it to what your vendor takes.
   */
  maxBodyBytes?: number
  /** Requests per client per window (429 with Retry-After beyond). Default 120 per minute, in memory. */
  rateLimit?: RateLimit
  /**
   * The client a request counts against. Default: the TCP peer under toNodeListener, or with
   * `behindProxy` the address your proxy appended to X-Forwarded-For (the last one: the ones
   * before it are the client's own word). Without either (an edge runtime), pass one, e.g.
   * `(r) => r.headers.get('cf-connecting-ip')`; a request with no client is not rate limited.
   */
  clientKey?: (request: Request) => string | null | undefined
  /** The relay runs behind a proxy that appends the client's address to X-Forwarded-For (and may set X-Forwarded-Host). */
  behindProxy?: boolean
  /** Identity verification: refuse profiles without a valid HMAC-SHA256 of their user id. */
  verify?: { secret: string; allowAnonymous?: boolean }
  /**
   * How long the vendor may take to answer, in ms (504 beyond, which the SDK retries). Default
   * 8000: under the SDK's own 10 s `timeout`, so the page hears why.
   */
  vendorTimeoutMs?: number
  fetch?: typeof fetch
}

/** The most of a vendor's answer passed on to the page, in bytes: its message, not a payload. */
const MAX_ANSWER = 64_000

/** Statuses whose response has no body: a Response with one throws. */
const NO_BODY = [204, 205, 304]

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/**
 * @example
 * const relay = createRelay({
 *   destination: 'moengage',
 *   vendorUrl: 'https://api-03.moengage.com',
 *   mount: '/relay/moengage',
 *   credential: { Authorization: `Basic ${btoa(`${process.env.MOE_WORKSPACE}:${process.env.MOE_KEY}`)}` },
 * })
 * // the page: createClient({ destination: 'moengage', endpoint: '/relay/moengage/v1/customer/<workspace_id>' })
 */
export function createRelay(options: RelayOptions): Relay {
  const format: Format | undefined = (formats as Record<string, Format>)[options.destination]
  if (!format) throw new Error(`userbeam relay: unknown destination "${options.destination}"; use one of ${Object.keys(formats).join(', ')}`)
  // Refused here, not at the first request: an environment variable that is not set.
  const credential = options.credential ?? {}
  for (const [name, value] of Object.entries(credential)) {
    if (typeof value !== 'string' || /^(\S+\s+)?(undefined|null)?$/i.test(value) || /^basic\s/i.test(value) && /(^|:)(undefined|null)?(:|$)/.test(safeAtob(value))) {
      throw new Error(`userbeam relay: the credential header "${name}" is empty, holds "undefined" or does not decode: is its environment variable set?`)
    }
    try {
      new Headers([[name, value]])
    } catch {
      // Never quoted: the value is the secret.
      throw new Error(`userbeam relay: the credential header "${name}" is not a valid HTTP header (a line break or control character in its name or value?)`)
    }
  }
  // Every vendor needs one (a relay without it could only be refused); your own backend may not.
  if (options.destination !== 'json' && !Object.keys(credential).length) {
    throw new Error(`userbeam relay: ${options.destination} needs its credential: pass credential, e.g. { Authorization: ... } (see the README's relay table)`)
  }
  let vendor: URL | undefined
  try {
    vendor = new URL(options.vendorUrl)
  } catch {}
  if (!vendor || !/^https?:$/.test(vendor.protocol) || /(^|[^a-z])(undefined|null)([^a-z]|$)/i.test(options.vendorUrl)) {
    throw new Error(`userbeam relay: vendorUrl must be the vendor's http(s) URL, with every part set (an environment variable that is not set?); got ${JSON.stringify(options.vendorUrl)}`)
  }
  // fetch() refuses such a URL, and its error would quote the password to every caller. Not quoted here either.
  if (vendor.username || vendor.password) {
    throw new Error('userbeam relay: vendorUrl must not hold a user name or password (user:password@host): put the credential in the credential option, e.g. { Authorization: `Basic ${btoa(user + ":" + password)}` }')
  }
  if (options.verify && (typeof options.verify.secret !== 'string' || !options.verify.secret)) {
    throw new Error('userbeam relay: verify.secret must be a non-empty string: is its environment variable (USERBEAM_SECRET) set?')
  }
  if (options.mount !== undefined && !options.mount.startsWith('/')) {
    throw new Error(`userbeam relay: mount is a path on your origin starting with "/", e.g. "/relay"; got ${JSON.stringify(options.mount)}`)
  }
  const mount = (options.mount ?? '/').replace(/\/?$/, '/')
  const maxBody = options.maxBodyBytes ?? 1_000_000
  const rate = options.rateLimit ?? { limit: 120, windowMs: 60_000 }
  const store = rate.store ?? memoryRateStore()
  const send = options.fetch ?? globalThis.fetch
  const vendorTimeout = options.vendorTimeoutMs ?? 8000
  const clientKey =
    // Behind a proxy, a request without X-Forwarded-For came around it: its peer counts.
    options.clientKey ?? ((r: Request) => addressKey((options.behindProxy && r.headers.get('x-forwarded-for')?.split(',').pop()?.trim()) || peerOf(r)))
  let unlimited = false
  // The credential as a vendor might quote it back: whole, its token after the scheme word, and a
  // Basic pair decoded and split; each also URL-encoded. Runs of the whole value are not looked
  // for: "Bearer " and the space after it are no secret. A key some vendors take in the URL's
  // query (?api_key=...) is one too.
  const secrets = [
    ...Object.values(credential).flatMap((value) => {
      const token = value.replace(/^\S+\s+/, '')
      return /^basic\s/i.test(value) ? [token, safeAtob(value), ...safeAtob(value).split(':')] : [token]
    }),
    ...[...vendor.searchParams].filter(([name]) => /key|token|secret|auth|sig|pass/i.test(name)).map(([, value]) => value),
  ]
    .flatMap((part) => [part, encodeURIComponent(part)])
    .filter((part) => part.length > 3)

  const relay = async (request: Request): Promise<Response> => {
    const origin = request.headers.get('origin')
    // Same origin by host: TLS often ends before the relay (its own URL says http), and a proxy
    // may say which host the browser asked for.
    const host = (options.behindProxy && request.headers.get('x-forwarded-host')) || new URL(request.url).host
    // The browser's own word first: Sec-Fetch-Site (no page script can set it) says same-origin
    // whatever Host a proxy passed on.
    let same = request.headers.get('sec-fetch-site') === 'same-origin'
    try {
      same ||= !!origin && new URL(origin).host === host
    } catch {}
    const allowed = !origin || same || !!options.allowedOrigins?.includes(origin)
    // Retry-After is no CORS-safelisted header: a page on another origin reads it only when exposed.
    const cors: Record<string, string> = origin && allowed ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'retry-after', vary: 'Origin' } : {}
    if (!allowed) return json(403, { error: 'origin', reason: `origin ${origin} is not allowed: add it to the relay's allowedOrigins` })
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        // The headers the page asked for (its own `headers` option): the relay forwards none of them but these.
        headers: {
          ...cors,
          'access-control-allow-methods': 'POST, PUT',
          'access-control-allow-headers': request.headers.get('access-control-request-headers') || 'content-type, accept, x-userbeam-signature',
          'access-control-max-age': '600',
        },
      })
    }
    if (request.method !== 'POST' && request.method !== 'PUT') return json(405, { error: 'method', reason: 'POST or PUT only' }, cors)

    const client = clientKey(request)
    if (!client && !unlimited) {
      unlimited = true
      console.warn('userbeam relay: a request with no client address is not rate limited: pass clientKey (e.g. the cf-connecting-ip header) or behindProxy')
    }
    const wait = client ? await overLimit(rate, store, client) : 0
    if (wait) return json(429, { error: 'rate', reason: 'too many requests' }, { ...cors, 'retry-after': String(wait) })

    // The path first: a request the relay will not forward is answered without reading its body.
    const { pathname: path, search } = new URL(request.url)
    if (!(path + '/').startsWith(mount)) return json(404, { error: 'path', reason: `the relay is mounted at ${mount}` }, cors)
    const suffix = path.slice(mount.length)
    if (!forwardable(options.destination, suffix, request.method)) {
      return json(404, { error: 'path', reason: `${request.method} ${path} is not a ${format.name} upsert this relay forwards (mounted at ${mount}; see the README's relay table for the page's endpoint)` }, cors)
    }
    const text = await readCapped(request, maxBody)
    if (text === undefined) return json(413, { error: 'size', reason: `the body is over ${maxBody} bytes` }, cors)

    let forwarded: string
    let profiles
    try {
      const parsed = JSON.parse(text)
      profiles = carriedProfiles(options.destination, path, parsed)
      // What was checked is what goes on: a repeated key or a number the check read otherwise stays
      // behind. Written here: a value nested too deep to write again is the request's fault (400).
      forwarded = JSON.stringify(parsed)
    } catch (error) {
      return json(400, { error: 'format', reason: `not a ${format.name} request: ${String(error)}` }, cors)
    }
    const reasons: string[] = []
    for (const p of profiles) {
      // Only json has anonymous profiles (userId null): in a vendor's format the id is always there.
      if (p.id !== null || format.name !== 'json') {
        const problem = idProblem(p.id, format.rules)
        if (problem) reasons.push(`id ${JSON.stringify(p.id) ?? '(missing)'}: ${problem}`)
      }
      for (const values of [p.values, p.custom ?? {}]) {
        for (const r of checkAttributes(values, format.rules).rejected) reasons.push(`attribute "${r.attribute}": ${r.reason}`)
      }
      for (const name of names(p.types)) {
        const problem = declaredProblem(p.types![name], p.values[name], format)
        if (problem) reasons.push(`attribute "${name}": ${problem}`)
      }
      // One request's profile over the cap is over it whatever the vendor already holds.
      const custom = Object.keys(p.values).filter((name) => !format.rules.standard.includes(name)).length
      if (custom > format.rules.customMax) reasons.push(`the profile carries ${custom} custom attributes; the limit is ${format.rules.customMax}`)
    }
    if (reasons.length) return json(422, { error: 'rules', reason: `${format.name} rules: ${reasons.join('; ')}` }, cors)

    if (options.verify) {
      let signatures: Record<string, unknown> = {}
      try {
        // Object(): a header of `null` or `3` reads as no signatures, not as a 500.
        signatures = Object(JSON.parse(request.headers.get('x-userbeam-signature') ?? '{}'))
      } catch {}
      for (const p of profiles) {
        const problem =
          p.id === null
            ? options.verify.allowAnonymous ? undefined : 'anonymous profiles are not accepted here'
            : await signatureProblem(options.verify.secret, p.id as string, own(signatures, p.id as string) ? signatures[p.id as string] : p.signature)
        if (problem) return json(403, { error: 'signature', reason: problem }, cors)
      }
    }

    // The request's query string goes on to the vendor.
    const base = suffix ? options.vendorUrl.replace(/\/?$/, '/') + suffix : options.vendorUrl
    const target = search && base.includes('?') ? `${base}&${search.slice(1)}` : base + search
    let answer: Response
    let body: string
    // The vendor's time is bounded, and ends when the page's request does.
    const timeout = AbortSignal.timeout(vendorTimeout)
    try {
      answer = await send(target, {
        method: request.method,
        headers: { 'content-type': 'application/json', accept: request.headers.get('accept') ?? 'application/json', ...credential },
        body: forwarded,
        // A redirect is never followed: it would carry the credential to another URL.
        redirect: 'manual',
        signal: AbortSignal.any ? AbortSignal.any([request.signal, timeout]) : timeout,
      })
      // Shortened past MAX_ANSWER: an answer of any size is neither held whole nor passed on whole.
      // Where it is cut, a secret the vendor quotes may be cut too, and not hidden whole: what
      // could be its start goes (a caller's padding must not be able to place the cut in a key).
      const { text, over } = await readUpTo(answer, MAX_ANSWER)
      body = over ? withoutSecretStart(redact(text, secrets), secrets) : redact(text, secrets)
    } catch (error) {
      if (timeout.aborted) return json(504, { error: 'vendor', reason: `the vendor did not answer within ${vendorTimeout} ms` }, cors)
      return json(502, { error: 'vendor', reason: `the vendor could not be reached (${redact(String(error), secrets)})` }, cors)
    }
    if (answer.type === 'opaqueredirect' || (answer.status >= 300 && answer.status < 400 && answer.status !== 304)) {
      return json(502, { error: 'vendor', reason: `the vendor answered with a redirect (${answer.status || 'opaque'}), which the relay does not follow: check vendorUrl` }, cors)
    }
    const retryAfter = answer.headers.get('retry-after')
    // Never hand the credential back to the browser, even if a vendor echoes it, or a part of it.
    return new Response(NO_BODY.includes(answer.status) ? null : body, {
      status: answer.status,
      headers: {
        ...cors,
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        'x-content-type-options': 'nosniff',
        ...(retryAfter ? { 'retry-after': retryAfter } : {}),
      },
    })
  }
  // toNodeListener reads the body limit from here: one setting, not two.
  return Object.assign(relay, { maxBodyBytes: maxBody })
}

/** The handler createRelay makes: a fetch handler that also tells its body limit. */
export type Relay = ((request: Request) => Promise<Response>) & { maxBodyBytes: number }

/** A Basic credential's decoded pair ('' when it does not decode). */
function safeAtob(value: string): string {
  try {
    return atob(value.replace(/^\S+\s+/, ''))
  } catch {
    return ''
  }
}

/**
 * `text` with every whole secret hidden, the longest first. Only whole ones: hiding any part of a
 * secret (a key quoted cut short) told a caller, one guess at a time, which text the key holds
 * whenever the vendor quotes the request back in its answer.
 * @example
 * redact('key abcdefgh12345678 is invalid', ['abcdefgh12345678']) // 'key [credential] is invalid'
 */
export function redact(text: string, secrets: string[]): string {
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) text = text.split(secret).join('[credential]')
  return text
}

/**
 * `text` (an answer cut short) without its end where that end could begin a secret: the longest
 * such end goes.
 * @example
 * withoutSecretStart('... "auth":"Bearer sk_li', ['sk_live_123456']) // '... "auth":"Bearer '
 */
function withoutSecretStart(text: string, secrets: string[]): string {
  let cut = 0
  for (const secret of secrets) for (let k = secret.length - 1; k > cut; k--) if (text.endsWith(secret.slice(0, k))) cut = k
  return text.slice(0, text.length - cut)
}

export { toNodeListener } from './node.js'
