/**
 * The snippet to paste in a page's head (built alone into dist/snippet.min.js, at most 600 bytes
 * min+gzip). It defines the global at once, records every call in order, and loads the SDK
 * asynchronously; the SDK (global.ts) replays the record, then takes over.
 *
 * If the SDK never arrives (ad blocker, 404), the stub keeps accepting calls and holds at most
 * LIMIT of them: past that, each new call evicts the oldest recorded `user.push` (a later push
 * usually sets the same attributes again, while init, identify, logout, consent, on and flush
 * decide what the pushes mean); when no push is left to evict, the new call is not recorded.
 * The stub keeps a copy of each plain-object argument as it is at the call (a page may reuse and
 * change one object between calls): the SDK validates them when it replays the call.
 */

/** A recorded call: method path ('user.push', 'flush'...), its arguments, and who awaits its result. */
export type Call = [method: string, args: ArrayLike<unknown>, settle?: (result: any) => void]

/** Recorded calls, and how many were dropped for room (the SDK says so when it takes over). */
export type Recorded = Call[] & { lost?: number }

export const LIMIT = 1000

const proto = Object.getPrototypeOf
/**
 * A plain object (of any realm: a same-origin iframe's too) as it is now, its own enumerable
 * properties, one level; anything else as given.
 */
const now = (a: any) => {
  try {
    return proto(proto(a)) ? a : { ...a }
  } catch {
    // null, undefined, an object with no prototype, a Proxy trap that throws: as given (the SDK
    // reports what is wrong with it when it replays the call).
    return a
  }
}

/**
 * Records one call in `q` and returns what the real method would: a promise for flush (settled
 * with the SDK's own flush), an unsubscribe function for on. Also used by the SDK for calls made
 * before init.
 */
export function record(q: Recorded, method: string, args: ArrayLike<unknown>): any {
  // A loop, not Array.from(args, now): Prototype.js and MooTools replace Array.from with one that
  // ignores its second argument.
  const copies = []
  for (let i = 0; i < args.length; i++) copies.push(now(args[i]))
  const call: Call = [method, copies]
  const keep = (settle?: (result: any) => void) => {
    // Full: one call is lost, the oldest push (splice returns the evicted call: truthy) or this one.
    if (q.length >= LIMIT && ((q.lost = (q.lost || 0) + 1), !q.some((c, i) => c[0] == 'user.push' && q.splice(i, 1)))) return
    call[2] = settle
    q.push(call)
  }
  // flush(timeout): at the latest after `timeout` ms from the call, even if the SDK never arrives.
  if (method == 'flush') return new Promise((resolve) => (keep(resolve), typeof args[0] == 'number' && setTimeout(resolve, args[0])))
  if (method == 'on') {
    // off: undefined while waiting, the SDK's unsubscribe once replayed, 0 if cancelled before.
    let off: any
    keep((o) => (off === 0 ? o() : (off = o)))
    return () => (off ? off() : (off = 0))
  }
  keep()
}

/**
 * Defines `w[name]` as a recording stub (unless the SDK or a stub is already there) and loads the SDK
 * from `src`; a name other than 'userbeam' reaches the SDK as the script's data-global.
 * @example
 * stub(window, document, 'https://cdn.example.com/userbeam.min.js', 'userbeam')
 * userbeam.init({ endpoint: '/profiles' })
 * userbeam.flush().then(() => console.log('delivered'))
 */
export function stub(w: any, d: Document, src: string, name: string) {
  // The SDK or a stub is there already. Anything else under the name (an element with id="userbeam",
  // which the browser exposes as a global) is replaced: the page's calls would throw on it.
  if ((w[name] || 0).init) return
  const q: Recorded = []
  const method = (path: string) =>
    function () {
      // eslint-disable-next-line prefer-rest-params
      return record(q, path, arguments)
    }
  w[name] = {
    _q: q,
    init: method('init'),
    flush: method('flush'),
    on: method('on'),
    consent: method('consent'),
    user: { push: method('user.push'), identify: method('user.identify'), logout: method('user.logout') },
  }
  const script = d.createElement('script')
  script.async = true
  if (name != 'userbeam') script.setAttribute('data-global', name)
  try {
    // A page that enforces Trusted Types refuses a plain string here: through a policy named
    // userbeam, which its CSP must then allow (trusted-types userbeam).
    script.src = src
  } catch {
    try {
      script.src = w.trustedTypes.createPolicy('userbeam', { createScriptURL: (url: string) => url }).createScriptURL(src)
    } catch {
      // Not allowed either: the browser has logged the refusal; the stub goes on recording calls.
      return
    }
  }
  d.head.appendChild(script)
}
