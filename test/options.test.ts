// Options a browser could not use are refused at init, once, with the reason, and the client
// keeps working with what is usable: no silent retry loop, nothing thrown into the page.
import { describe, expect, it, vi } from 'vitest'
import { createClient, type Client } from '../src/client'
import { attrs, clientFactory, collect, ENDPOINT, profilesOf, recordingEndpoint, sleep } from './helpers'

const { received } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })
const warnings = () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  return () => warn.mock.calls.map((call) => String(call[0]))
}

describe('headers fetch() would refuse', () => {
  it.each([
    ['a value outside Latin-1', { 'x-note': 'a→b' }, 'header "x-note" cannot be sent by a browser (names are letters, digits and -, values Latin-1 text on one line); it is not sent'],
    ['a line break in the value', { 'x-note': 'a\r\nx-evil: 1' }, 'header "x-note" cannot be sent by a browser (names are letters, digits and -, values Latin-1 text on one line); it is not sent'],
    ['a space in the name', { 'bad name': 'x' }, 'header "bad name" cannot be sent by a browser (names are letters, digits and -, values Latin-1 text on one line); it is not sent'],
  ])('%s: warned once, left out, and the updates still arrive', async (_, headers, message) => {
    const warned = warnings()
    const c = client({ headers: { 'x-site': 'shop', ...headers } })
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual([`userbeam: ${message}`])
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    expect(received[0].headers['x-site']).toBe('shop')
    expect(Object.keys(received[0].headers)).not.toContain(Object.keys(headers)[0].toLowerCase())
  })

  it("the site's Content-Type replaces the json format's, whatever its letter case (one value, not two)", async () => {
    const c = client({ headers: { 'content-type': 'application/vnd.api+json' } })
    c.user.push({ a: 1 })
    await c.flush()
    expect(received[0].headers['content-type']).toBe('application/vnd.api+json')
  })
})

describe('endpoint and timers', () => {
  it('an endpoint that is not a URL: warned, stored, not sent, flush() settles', async () => {
    const warned = warnings()
    const c = client({ endpoint: 'http://[bad/profiles' })
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual(['userbeam: the endpoint "http://[bad/profiles" is not a valid URL; updates are stored but not sent'])
    expect(received).toEqual([])
  })

  it('outside a page (server-side rendering), a relative endpoint is reported, and nothing is retried for ever', async () => {
    const warned = warnings()
    vi.stubGlobal('location', undefined)
    try {
      const c = client({ endpoint: '/profiles' })
      const absolute = client({ endpoint: 'https://api.test/profiles' })
      c.user.push({ a: 1 })
      absolute.user.push({ b: 2 })
      await c.flush()
      await absolute.flush()
      expect(warned()).toEqual([
        'userbeam: the endpoint "/profiles" is not a valid URL outside a page (a relative one needs the page: create the client in the browser); updates are stored but not sent',
      ])
      expect(profilesOf(received).map(attrs)).toEqual([{ b: 2 }])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it.each([
    ['timeout', 1e10],
    ['flushInterval', 2 ** 31],
  ])('%s past what browser timers hold (%s ms) is refused: the default is used, one request, no storm', async (name, value) => {
    const warned = warnings()
    const c = client({ [name]: value })
    c.user.push({ a: 1 })
    await c.flush()
    await sleep(50)
    expect(warned()).toEqual([expect.stringMatching(new RegExp(`^userbeam: ${name} must be a number from \\d+ to 2147483647, got ${value}; using \\d+$`))])
    expect(received).toHaveLength(1)
  })
})

describe('options that are misspelt or of the wrong kind are named, not ignored silently', () => {
  it.each([
    [{ flushIntervall: 500 }, '"flushIntervall" is not an option; it was ignored (the options: endpoint, destination, headers, flushInterval, maxBatchSize, storageName, maxQueueBytes, timeout, giveUpAfter, debug, holdAnonymous, allowPublicKey)'],
    [{ debug: 'true' }, 'debug must be true or false, got "true"; it was ignored'],
    [{ holdAnonymous: 'false' }, 'holdAnonymous must be true or false, got "false"; it was ignored'],
    [{ allowPublicKey: 1 }, 'allowPublicKey must be true or false, got 1; it was ignored'],
    [{ headers: 'x-site: shop' }, 'headers must be an object of header names and values; none are sent'],
  ])('%o: one warning and one config error event, the updates still arrive', async (options, message) => {
    const warned = warnings()
    const c = client(options as object)
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual([`userbeam: ${message}`])
    expect(events.error).toEqual([{ code: 'config', message: `userbeam: ${message}` }])
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
  })

  it('a destination that is not a string is named like any unknown destination', async () => {
    const warned = warnings()
    const c = client({ destination: 42 as unknown as string })
    const events = collect(c)
    await c.flush()
    const message = 'userbeam: destination must be one of json, growlytics, usercom, moengage, haptik; got "42". Updates are stored but not sent (dist/userbeam.min.js has every destination)'
    expect(warned()).toEqual([message])
    expect(events.error).toEqual([{ code: 'config', message }])
  })

  it('headers given as a Headers or a Map are sent; an endpoint given as a URL object is used', async () => {
    const warned = warnings()
    const a = client({ headers: new Headers({ 'x-site': 'shop' }) as unknown as Record<string, string> })
    a.user.push({ a: 1 })
    await a.flush()
    const b = client({ headers: new Map([['x-site', 'cafe']]) as unknown as Record<string, string>, endpoint: new URL(ENDPOINT) as unknown as string })
    b.user.push({ b: 2 })
    await b.flush()
    expect(received.map((r) => r.headers['x-site'])).toEqual(['shop', 'cafe'])
    expect(warned()).toEqual([])
  })
})

describe('identify() with a signature that is not a string', () => {
  it.each([[{ signature: 12345 }], ['abc123']])('%o: reported (code input); the login goes through without one', async (options) => {
    const c = client()
    const events = collect(c)
    c.user.identify('u-1', { plan: 'pro' }, options as { signature: string })
    await c.flush()
    expect(events.error.map((e) => [e.code, e.message])).toEqual([
      ['input', expect.stringMatching(/^userbeam: identify: the signature must be a string \(\{ signature \}\), got .+; the login went through without one$/)],
    ])
    expect(profilesOf(received).map((p) => p.userId)).toEqual(['u-1'])
  })
})

describe('giveUpAfter', () => {
  it.each([0, -1, 'a week', NaN, Infinity])('%s is refused with a warning; the default (7 days) is used', async (value) => {
    const warned = warnings()
    const c = client({ giveUpAfter: value as number })
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual([`userbeam: giveUpAfter must be a number from 1 up, got ${String(value)}; using 604800000`])
    expect(received).toHaveLength(1)
  })
})

describe('names that are also Object.prototype names', () => {
  it('destination "toString" is an unknown destination, not an internal error', async () => {
    const warned = warnings()
    const c = client({ destination: 'toString' })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual([expect.stringContaining('userbeam: destination must be one of json, growlytics, usercom, moengage, haptik; got "toString"')])
    expect(events.error).toEqual([{ code: 'config', message: warned()[0] }])
    expect(received).toEqual([])
  })

  it.each(['toString', 'constructor', 'hasOwnProperty'])('on("%s", fn) warns and returns an unsubscribe function; nothing thrown', (type) => {
    const warned = warnings()
    const c = client()
    let off: unknown
    expect(() => (off = c.on(type as any, () => {}))).not.toThrow()
    expect(typeof off).toBe('function')
    expect(warned()).toEqual([`userbeam: on() takes 'sent', 'error' or 'drop' and a function; got ${type}`])
  })
})

describe('a page whose Object.prototype was polluted', () => {
  it('options are read from the object passed only: inherited headers, timeout or destination are not taken', async () => {
    const polluted = { headers: { 'x-injected': 'evil' }, timeout: 1, destination: 'growlytics' }
    Object.assign(Object.prototype, polluted)
    try {
      const warned = warnings()
      const c = client({})
      c.user.push({ a: 1 })
      await c.flush()
      expect(received).toHaveLength(1)
      expect(received[0].headers['x-injected']).toBeUndefined()
      // The json format's body: not Growlytics'.
      expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
      expect(warned()).toEqual([])
      c.close()
    } finally {
      for (const name of Object.keys(polluted)) delete (Object.prototype as any)[name]
    }
  })
})

describe('options as objects that are not literals', () => {
  class Settings {
    get endpoint() {
      return ENDPOINT
    }
    get flushInterval() {
      return 10
    }
  }
  const hidden = Object.defineProperty({}, 'endpoint', { value: ENDPOINT, enumerable: false })
  it.each([
    ['a class instance with getters', new Settings()],
    ['an object whose prototype holds the defaults', Object.create({ endpoint: ENDPOINT })],
    ['a non-enumerable own property', hidden],
  ])('%s: its options are read, and the updates arrive', async (_, options) => {
    const warned = warnings()
    const c = createClient(options as any)
    c.user.push({ a: 1 })
    await c.flush()
    expect(warned()).toEqual([])
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }])
    c.close()
  })
})

describe('options that throw when read', () => {
  it.each([
    ['a getter that throws', { get endpoint(): string { throw new Error('getter') } }],
    ['a Proxy whose get trap throws', new Proxy({ endpoint: '/p' }, { get() { throw new Error('trap') } })],
    ['headers whose keys cannot be listed', { endpoint: '/p', headers: new Proxy({}, { ownKeys() { throw new Error('keys') } }) }],
  ])('%s: createClient does not throw, says so once, stores without sending', async (_, options) => {
    const warned = warnings()
    let c: Client | undefined
    expect(() => (c = createClient(options as any))).not.toThrow()
    c!.user.push({ a: 1 })
    await c!.flush()
    expect(warned()).toEqual([expect.stringMatching(/^userbeam: the options could not be read \(Error: (getter|trap|keys)\); updates are stored but not sent$/)])
    expect(received).toEqual([])
    c!.close()
  })
})

