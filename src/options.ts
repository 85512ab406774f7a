/**
 * Options in, a complete configuration out, with a sentence for every option that was wrong
 * and what was used instead. Never throws: a misconfigured page keeps working.
 */
import { MAX_DELAY } from './backoff.js'
import type { Destination, Options } from './types.js'
import { names, own } from './own.js'

export type Config = Required<Omit<Options, 'endpoint' | 'headers' | 'holdAnonymous' | 'allowPublicKey'>> & {
  endpoint: string
  headers: Record<string, string>
  holdAnonymous?: boolean
}

export const DEFAULTS: Omit<Config, 'endpoint'> = {
  destination: 'json',
  headers: {},
  flushInterval: 1000,
  maxBatchSize: 100,
  storageName: 'userbeam',
  maxQueueBytes: 1_000_000,
  timeout: 10_000,
  giveUpAfter: 7 * 24 * 3600_000,
  debug: false,
}

/** The options that take a number (a script tag's data attributes turn only these into numbers). */
export const NUMBERS = ['flushInterval', 'maxBatchSize', 'maxQueueBytes', 'timeout', 'giveUpAfter'] as const
/** The options that take true or false (a script tag's data attributes turn only these into booleans). */
export const BOOLEANS = ['debug', 'holdAnonymous', 'allowPublicKey'] as const
/** Every option's name: any other name is a mistake worth a word (a misspelt flushInterval does nothing). */
export const NAMES = ['endpoint', ...Object.keys(DEFAULTS), 'holdAnonymous', 'allowPublicKey']
/** A header name browsers send (an HTTP token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** The name of a header that carries a vendor credential, if any. */
export function secretHeader(headers: Record<string, string>, allowPublicKey: boolean): string | undefined {
  for (const name of names(headers)) {
    const lower = name.toLowerCase()
    if (lower === 'authorization' && /^(basic|token|bearer)\s/i.test(headers[name])) return name
    if (lower === 'x-growlytics-key' && !allowPublicKey) return name
  }
}

export function resolveOptions(input: unknown): { config: Config; problems: string[] } {
  try {
    return readOptions(input)
  } catch (error) {
    // A getter or a Proxy trap that throws: nothing in it can be trusted.
    return { config: { ...DEFAULTS, endpoint: '' }, problems: [`the options could not be read (${String(error)}); updates are stored but not sent`] }
  }
}

/**
 * One option as the object passed has it: its own property, a class's getter, a prototype of
 * defaults; never from Object.prototype (a page whose Object.prototype was polluted, say with
 * `headers` or `endpoint`, must not have them read as its options). Undefined when absent.
 * @example
 * optionOf(Object.create({ endpoint: '/p' }), 'endpoint') // '/p'
 */
export function optionOf(passed: object, name: string): unknown {
  for (let p: object | null = passed; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (own(p, name)) return (passed as Record<string, unknown>)[name]
  }
}

function readOptions(input: unknown): { config: Config; problems: string[] } {
  const passed = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const options: Record<string, unknown> = Object.create(null)
  for (const name of NAMES) options[name] = optionOf(passed, name)
  const problems: string[] = []
  const config: Config = { ...DEFAULTS, endpoint: '' }
  for (const name of names(passed)) if (!NAMES.includes(name)) problems.push(`"${name}" is not an option; it was ignored (the options: ${NAMES.join(', ')})`)
  // A URL object is as good as its text (any realm's: a same-origin iframe's URL is no instanceof URL here).
  const endpoint = Object.prototype.toString.call(options.endpoint) == '[object URL]' ? String(options.endpoint) : options.endpoint
  if (typeof endpoint === 'string' && endpoint.trim()) {
    const page = typeof location === 'undefined' ? undefined : location.href
    try {
      // Against the page's address, not a <base href> (which fetch would use): "/profiles" is
      // this site's relay even on a page whose base points at a CDN.
      config.endpoint = new URL(endpoint, page).href
    } catch {
      // Outside a page (a server rendering the page, Node) a relative URL leads nowhere: it would
      // be retried for ever, its timer keeping the process alive.
      problems.push(`the endpoint "${endpoint}" is not a valid URL${page ? '' : ' outside a page (a relative one needs the page: create the client in the browser)'}; updates are stored but not sent`)
    }
  } else problems.push('the endpoint option is required (a URL such as "/profiles"); updates are stored but not sent')
  for (const name of NUMBERS) {
    const value = options[name]
    if (value === undefined) continue
    const [min, max] = name === 'flushInterval' ? [0, MAX_DELAY] : [1, name === 'timeout' ? MAX_DELAY : Infinity]
    if (typeof value === 'number' && value >= min && value <= max && value < Infinity) config[name] = value
    else problems.push(`${name} must be a number from ${min}${max < Infinity ? ` to ${max}` : ' up'}, got ${String(value)}; using ${DEFAULTS[name]}`)
  }
  if (typeof options.storageName === 'string' && options.storageName) config.storageName = options.storageName
  else if (options.storageName !== undefined) problems.push(`storageName must be a non-empty string; using "${DEFAULTS.storageName}"`)
  const given = options.headers
  if (given && typeof given === 'object') {
    const headers: Record<string, string> = {}
    // A Headers or a Map lists its entries when iterated, not as properties.
    const list = Symbol.iterator in given ? [...(given as Map<string, unknown>)] : Object.entries(given)
    for (const [name, value] of list) {
      // What fetch() would refuse fails every request: refused here, once, with the reason.
      if (typeof value !== 'string') problems.push(`header "${name}" must be a string; it is not sent`)
      else if (!TOKEN.test(name) || /[^\t\x20-\xff]/.test(value)) {
        problems.push(`header "${name}" cannot be sent by a browser (names are letters, digits and -, values Latin-1 text on one line); it is not sent`)
      } else headers[name] = value
    }
    config.headers = headers
    const secret = secretHeader(headers, options.allowPublicKey === true)
    if (secret) {
      problems.push(
        `the "${secret}" header looks like a vendor secret, and anyone who opens this page can read it. Keep the credential on a relay on your own origin and point endpoint at the relay (README, Destinations)${secret === 'x-growlytics-key' ? '; if you accept the Growlytics key being public, set allowPublicKey: true' : ''}`,
      )
    }
  } else if (given !== undefined) problems.push('headers must be an object of header names and values; none are sent')
  // Not a string: createClient names the destinations there are.
  if (options.destination !== undefined) config.destination = String(options.destination) as Destination
  for (const name of BOOLEANS) {
    const value = options[name]
    if (value !== undefined && typeof value !== 'boolean') problems.push(`${name} must be true or false, got ${typeof value == 'string' ? `"${value}"` : String(value)}; it was ignored`)
  }
  if (typeof options.holdAnonymous === 'boolean') config.holdAnonymous = options.holdAnonymous
  config.debug = options.debug === true
  return { config, problems }
}
