/**
 * The script-tag runtime (run by browser.ts): defines `window.userbeam`, takes over the calls
 * the snippet stub recorded and replays them in order, and sets itself up from the script tag's
 * data attributes. `data-global="Growlytics"` exposes the same object under a second name.
 */
import { createClient, type Client } from './client.js'
import { warnSafely } from './emitter.js'
import { BOOLEANS, NAMES, NUMBERS, optionOf } from './options.js'
import { LIMIT, record, type Call, type Recorded } from './snippet.js'
import type { Destination, Options } from './types.js'
import { names } from './own.js'

/** `window.userbeam`: the client's calls, and init(). */
export interface Global extends Pick<Client, 'user' | 'flush' | 'on' | 'consent'> {
  /** Creates the client; calls made before it are kept (at most 1,000) and replayed in order. */
  init(options: Options): void
}

const METHODS = ['init', 'user.push', 'user.identify', 'user.logout', 'flush', 'on', 'consent']
const warn = (message: string) => warnSafely(globalThis.console, `userbeam: ${message}`)
/** Says how many calls a full record dropped: they cannot be replayed, so the page should know. */
const told = (q: Recorded) =>
  q.lost && warn(`${q.lost} calls made before the SDK was ready were dropped: at most ${LIMIT} are kept (the oldest user.push calls go first)`)

/**
 * Options from a script tag's data attributes: each one sets the option of the same name
 * (data-flush-interval sets flushInterval). The numeric options' digits become numbers (only
 * theirs: data-storage-name="2024" stays a name); for the true-or-false options an empty value
 * and "true" are true, "false" is false. createClient validates the result and warns about what
 * is wrong ("1" for data-debug, say). Attributes that name no option are left alone: a script
 * tag's data attributes are shared with other tools (data-cfasync, data-global...).
 * @example
 * // <script src="/userbeam.min.js" data-endpoint="/profiles" data-flush-interval="500" data-debug>
 * optionsFromData(document.currentScript.dataset) // { endpoint: '/profiles', flushInterval: 500, debug: true }
 */
export function optionsFromData(data: DOMStringMap): Options {
  const options: Record<string, unknown> = {}
  for (const name of names(data)) {
    const text = data[name]!
    if (!NAMES.includes(name)) continue
    options[name] = (BOOLEANS as readonly string[]).includes(name)
      ? text == '' || text == 'true' || (text != 'false' && text)
      : (NUMBERS as readonly string[]).includes(name) && /^\d+$/.test(text) ? +text : text
  }
  return options as unknown as Options
}

/**
 * The function a method path names on the global or the client: 'user.push' is target.user.push.
 * A loop, not reduce(): Prototype.js 1.5 and 1.6 replace Array.prototype.reduce with one that ignores its callback.
 */
const find = (target: any, method: string) => {
  const keys = method.split('.')
  for (let i = 0; i < keys.length; i++) target = target[keys[i]]
  return target
}

/**
 * Runs a recorded call on `target` (the global, or the client) and hands the result to whoever
 * awaits it. A malformed entry (an old or foreign stub) is reported and skipped, never thrown.
 */
function replay(target: unknown, entry: Call) {
  try {
    const [method, args, settle] = entry
    if (!METHODS.includes(method)) throw 0
    // Two statements: `settle?.(call())` would skip the call itself when nobody awaits it.
    const result = find(target, method)(...Array.from(args))
    settle?.(result)
  } catch {
    warn(`unknown or malformed call "${entry?.[0]}" ignored`)
  }
}

function create(destination?: Destination): Global & { __userbeam: true } {
  let client: Client | undefined
  /** Calls made before init, recorded exactly as the snippet records them. */
  let waiting: Recorded = []
  // Once init ran, a call goes to the client's method of the same path, looked up once: this
  // wrapper is on the push path (no rest array, no split per call).
  const call = (method: string) => {
    let target: ((...args: unknown[]) => unknown) | undefined
    // Three named parameters (the most a method takes): no arguments object once the client exists.
    return function (a?: unknown, b?: unknown, c?: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return client ? (target ??= find(client, method))(a, b, c) : record(waiting, method, arguments)
    }
  }
  return {
    __userbeam: true,
    init(options) {
      if (client) return warn('init() called twice (or the SDK file loaded twice): the second was ignored')
      // A one-destination build (dist/userbeam.<name>.min.js) sends to its own destination by default.
      let given = options
      try {
        if (destination && options && typeof options === 'object' && optionOf(options, 'destination') === undefined) given = { ...options, destination }
      } catch {
        // A getter or a Proxy trap that throws: createClient reports the options it cannot read.
      }
      client = createClient(given)
      const todo = waiting
      waiting = []
      told(todo)
      todo.forEach((entry) => replay(client, entry))
    },
    user: { push: call('user.push'), identify: call('user.identify'), logout: call('user.logout') },
    flush: call('flush'),
    on: call('on'),
    consent: call('consent'),
  }
}

/**
 * Defines `w.userbeam` (and `w[data-global]`), replays what stubs under those names recorded,
 * then initialises from `script`'s data attributes unless a recorded init() came first. A second
 * copy of the file keeps the first one's object. `destination` is the default of a build made
 * for one destination.
 * @example
 * install(window, document.currentScript)
 * install(window, document.currentScript, 'moengage') // dist/userbeam.moengage.min.js
 */
export function install(w: Record<string, any>, script?: HTMLOrSVGScriptElement | null, destination?: Destination): Global {
  const data = (script as HTMLScriptElement | null | undefined)?.dataset ?? {}
  const api: Global = w.userbeam?.__userbeam ? w.userbeam : create(destination)

  // Calls the snippet recorded before this file arrived, in the order they were made (the main
  // name's first: two stubs cannot tell how their calls interleaved).
  const recorded: Call[] = []
  for (const name of ['userbeam', data.global]) {
    if (!name || w[name] === api) continue
    const q = w[name]?._q
    // Something of the page's own under that name: replaced, and said so (pick another name with data-global).
    if (w[name] && !q) warn(`window.${name} held something else; it now holds the SDK`)
    if (Array.isArray(q)) {
      told(q)
      recorded.push(...q.splice(0))
      // A reference the page kept to the stub (const { user } = userbeam) now calls the SDK.
      // Defined, not assigned: with Array.prototype frozen (SES lockdown) an assignment throws.
      Object.defineProperty(q, 'push', { value: (entry: Call) => (replay(api, entry), 0) })
    }
    w[name] = api
  }
  // Present, even empty: set up (an empty endpoint is then reported, not silently skipped).
  if (data.endpoint !== undefined && !recorded.some((entry) => entry?.[0] === 'init')) api.init(optionsFromData(data))
  for (const entry of recorded) replay(api, entry)
  return api
}
