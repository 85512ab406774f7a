/**
 * The script-tag runtime (run by browser.ts): defines `window.userbeam`, takes over the calls
 * the snippet stub recorded and replays them in order, and sets itself up from the script tag's
 * data attributes. `data-global="Growlytics"` exposes the same object under a second name.
 */
import { createClient, type Client } from './client'
import type { Options } from './types'

/** A recorded call: method path ('user.push', 'flush'...), its arguments, and who awaits its result. */
export type Call = [method: string, args: ArrayLike<unknown>, settle?: (result: unknown) => void]

export interface Global {
  init(options: Options): void
  user: { push(attributes: unknown): void; identify(id: unknown, attributes?: unknown, options?: unknown): void; logout(): void }
  flush(): Promise<void>
  on(type: string, listener: (event: unknown) => void): () => void
  consent(granted: boolean): void
}

const METHODS = ['user.push', 'user.identify', 'user.logout', 'flush', 'on', 'consent']

/** Options from data attributes: data-endpoint, data-destination, data-flush-interval, data-storage-name, data-debug. */
export function optionsFromData(data: DOMStringMap): Options {
  const options: Record<string, unknown> = { endpoint: data.endpoint }
  if (data.destination) options.destination = data.destination
  if (data.flushInterval) options.flushInterval = Number(data.flushInterval)
  if (data.maxBatchSize) options.maxBatchSize = Number(data.maxBatchSize)
  if (data.storageName) options.storageName = data.storageName
  if (data.debug !== undefined) options.debug = data.debug !== 'false'
  return options as unknown as Options
}

export function install(w: Record<string, any>, script?: HTMLOrSVGScriptElement | null): Global {
  const data = (script as HTMLScriptElement | null | undefined)?.dataset ?? {}
  const names = ['userbeam']
  if (data.global && data.global !== 'userbeam') names.push(data.global)
  if (w.userbeam?.__userbeam) return w.userbeam // loaded twice: keep the first

  let client: Client | undefined
  let waiting: Call[] = []
  const dispatch = ([method, args, settle]: Call) => {
    const list = Array.prototype.slice.call(args)
    let result: unknown
    if (method === 'init') return api.init(list[0] as Options)
    if (!METHODS.includes(method)) {
      console.warn(`userbeam: unknown method "${method}" was ignored; known: init, ${METHODS.join(', ')}`)
      return
    }
    if (!client) return void waiting.push([method, list, settle])
    const [scope, name] = method.split('.')
    const target: any = name ? client.user : client
    result = target[name ?? scope](...list)
    settle?.(result)
    return result
  }
  const call = (method: string) => (...args: unknown[]) => dispatch([method, args])

  const api: Global & { __userbeam: true } = {
    __userbeam: true,
    init(options) {
      if (client) return console.warn('userbeam: init() was called twice; the second call was ignored')
      client = createClient(options)
      const todo = waiting
      waiting = []
      todo.forEach(dispatch)
    },
    user: { push: call('user.push'), identify: call('user.identify'), logout: call('user.logout') },
    flush: () => (client ? client.flush() : new Promise((resolve) => waiting.push(['flush', [], resolve as () => void]))),
    on(type, listener) {
      if (client) return client.on(type as 'sent', listener)
      let off: (() => void) | undefined
      let cancelled = false
      waiting.push(['on', [type, listener], (o) => (cancelled ? (o as () => void)() : (off = o as () => void))])
      return () => (off ? off() : (cancelled = true))
    },
    consent: call('consent'),
  }

  // Calls the snippet recorded before this file arrived, in the order they were made.
  const recorded: Call[] = []
  for (const name of names) if (Array.isArray(w[name]?._q)) recorded.push(...w[name]._q)
  for (const name of names) w[name] = api
  if (data.endpoint && !recorded.some(([method]) => method === 'init')) api.init(optionsFromData(data))
  recorded.forEach(dispatch)
  return api
}
