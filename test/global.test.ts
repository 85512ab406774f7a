// The script-tag runtime (src/global.ts): zero-code set-up from data attributes, calls kept until
// init, a second global name (the Growlytics drop-in), stubs it takes over, and what it warns.
import { describe, expect, it, vi } from 'vitest'
import { install, optionsFromData } from '../src/global'
import { record, type Call } from '../src/snippet'
import { attrs, ENDPOINT, freshName, profilesOf, recordingEndpoint } from './helpers'

const { received } = recordingEndpoint()

/** A window of its own for each test. */
const page = () => ({}) as Record<string, any>
/** The SDK's <script> tag with these data attributes (camelCase keys: flushInterval is data-flush-interval). */
const script = (data: Record<string, string>) => {
  const el = document.createElement('script')
  for (const [k, v] of Object.entries(data)) el.dataset[k] = v
  return el
}
const warnings = () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  return () => warn.mock.calls.map((args) => args.map(String).join(' '))
}

describe('zero-code set-up from data attributes', () => {
  it('<script async src=".../userbeam.min.js" data-endpoint data-destination="json"> sets itself up', async () => {
    const warned = warnings()
    const w = page()
    install(w, script({ endpoint: ENDPOINT, destination: 'json', storageName: freshName(), flushInterval: '10' }))
    w.userbeam.user.push({ auto: true })
    w.userbeam.user.identify('u-1', { plan: 'pro' })
    await w.userbeam.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { auto: true }],
      ['u-1', { plan: 'pro' }],
    ])
    expect(warned()).toEqual([])
  })

  it('reads each data attribute as the option of the same name: numbers as numbers, flags as booleans', () => {
    // A plain object stands in for the DOMStringMap: happy-dom leaves empty attributes
    // (a bare data-debug) out of the dataset's keys, browsers do not.
    expect(optionsFromData({ endpoint: '/p', destination: 'growlytics', storageName: 'shop', flushInterval: '250', maxBatchSize: '20', timeout: '5000', debug: '', holdAnonymous: 'false' })).toEqual({
      endpoint: '/p',
      destination: 'growlytics',
      storageName: 'shop',
      flushInterval: 250,
      maxBatchSize: 20,
      timeout: 5000,
      debug: true,
      holdAnonymous: false,
    })
    expect(optionsFromData(script({ endpoint: '/p', debug: 'true', maxQueueBytes: '50000' }).dataset)).toEqual({ endpoint: '/p', debug: true, maxQueueBytes: 50000 })
  })

  it('only the numeric options become numbers: a storage name or endpoint made of digits stays a string', () => {
    expect(optionsFromData({ endpoint: '/p', storageName: '2024', destination: 'json', flushInterval: ' ' })).toEqual({
      endpoint: '/p',
      storageName: '2024',
      destination: 'json',
      flushInterval: ' ', // not a number: createClient reports it
    })
  })

  it('flags take "", "true" or "false" (anything else is left for createClient to report); numbers only as digits; other tools\' attributes are left alone', () => {
    expect(optionsFromData({ endpoint: '/p', debug: '1', holdAnonymous: 'no', flushInterval: '0x14', cfasync: 'false', global: 'Growlytics' })).toEqual({
      endpoint: '/p',
      debug: '1',
      holdAnonymous: 'no',
      flushInterval: '0x14',
    })
  })

  it('data-endpoint present but empty: set up, and the missing endpoint is reported', async () => {
    const warned = warnings()
    const w = page()
    install(w, script({ endpoint: '' }))
    w.userbeam.user.push({ ok: true })
    expect(warned()).toEqual([expect.stringContaining('userbeam: the endpoint option is required')])
  })

  it('a wrong data attribute is reported once on the console, the rest still works', async () => {
    const warned = warnings()
    const w = page()
    install(w, script({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 'soon' }))
    w.userbeam.user.push({ ok: true })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ ok: true }])
    expect(warned()).toEqual([expect.stringContaining('flushInterval must be a number from 0 to 2147483647, got soon')])
  })

  it('without data-endpoint, calls wait for init() and are then replayed in order; a flush made meanwhile resolves once delivered', async () => {
    const w = page()
    install(w, script({}))
    w.userbeam.user.push({ before: 1 })
    w.userbeam.user.identify('u-2')
    w.userbeam.user.push({ after: 2 })
    let flushed = false
    const flushing = w.userbeam.flush().then(() => (flushed = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(received).toEqual([])
    expect(flushed).toBe(false)
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    await flushing
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { before: 1 }],
      ['u-2', { after: 2 }],
    ])
  })

  it('the calls kept before init are bounded: past 1,000, the oldest pushes go first, and init says how many went', async () => {
    const warned = warnings()
    const w = page()
    install(w)
    w.userbeam.user.push({ first: true })
    for (let i = 1; i <= 1500; i++) w.userbeam.user.push({ n: i })
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ n: 1500 }])
    expect(warned()).toEqual([
      'userbeam: 501 calls made before the SDK was ready were dropped: at most 1000 are kept (the oldest user.push calls go first)',
    ])
  })

  it("the snippet's record, full when the SDK arrives: the SDK says how many calls it lost", async () => {
    const warned = warnings()
    const w = page()
    const q: Call[] = []
    w.userbeam = { _q: q }
    for (let i = 0; i < 1200; i++) record(q, 'user.push', [{ n: i }])
    install(w)
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ n: 1199 }])
    expect(warned()).toEqual([
      'userbeam: 200 calls made before the SDK was ready were dropped: at most 1000 are kept (the oldest user.push calls go first)',
    ])
  })

  it('a recorded init() wins over data-endpoint, without a warning', async () => {
    const warned = warnings()
    const w = page()
    w.userbeam = { _q: [['init', [{ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 }]]] }
    install(w, script({ endpoint: 'https://elsewhere.test/profiles' }))
    w.userbeam.user.push({ from: 'init' })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ from: 'init' }])
    expect(warned()).toEqual([])
  })
})

describe('a second global name: the Growlytics drop-in', () => {
  it('data-global="Growlytics" exposes the same object, and Growlytics page code works unchanged', async () => {
    const w = page()
    install(w, script({ endpoint: ENDPOINT, global: 'Growlytics', storageName: freshName(), flushInterval: '10' }))
    expect(w.Growlytics).toBe(w.userbeam)
    // As in Growlytics' docs (Track Users):
    w.Growlytics.user.push({ city: 'San Francisco' })
    w.Growlytics.user.identify('THE_USER_ID_IN_YOUR_APP', { name: 'John Wick', email: 'john@gmail.com', mobile: '9876543210', subscriptionType: 'pro' })
    w.Growlytics.user.logout()
    w.Growlytics.user.push({ city: 'Pune' })
    await w.Growlytics.flush()
    const profiles = profilesOf(received)
    expect(profiles.map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { city: 'San Francisco' }],
      ['THE_USER_ID_IN_YOUR_APP', { name: 'John Wick', email: 'john@gmail.com', mobile: '9876543210', subscriptionType: 'pro' }],
      [null, { city: 'Pune' }],
    ])
    expect(profiles[2].anonymousId).not.toBe(profiles[0].anonymousId)
  })

  it('replays the stubs under both names, the main name first', async () => {
    const w = page()
    w.userbeam = { _q: [['init', [{ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 }]], ['user.push', [{ from: 'userbeam' }]]] }
    w.Growlytics = { _q: [['user.push', [{ from: 'Growlytics', city: 'Delhi' }]]] }
    install(w, script({ global: 'Growlytics' }))
    expect(w.Growlytics).toBe(w.userbeam)
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ from: 'Growlytics', city: 'Delhi' }])
  })

  it("a foreign or malformed stub under the other name: warned about, skipped, never thrown", async () => {
    const warned = warnings()
    const w = page()
    w.Growlytics = { _q: [['track', ['Added To Cart']], 42, null, ['user.push', null], ['user.push', [{ kept: true }]]] }
    expect(() => install(w, script({ endpoint: ENDPOINT, global: 'Growlytics', storageName: freshName(), flushInterval: '10' }))).not.toThrow()
    await w.Growlytics.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ kept: true }])
    expect(warned()).toEqual([
      'userbeam: unknown or malformed call "track" ignored',
      'userbeam: unknown or malformed call "undefined" ignored',
      'userbeam: unknown or malformed call "undefined" ignored',
      'userbeam: unknown or malformed call "user.push" ignored',
    ])
  })

  it('a second copy of the file keeps the first object, adds its name, and warns about the second set-up', () => {
    const warned = warnings()
    const w = page()
    const first = install(w, script({ endpoint: ENDPOINT, storageName: freshName() }))
    const second = install(w, script({ endpoint: ENDPOINT, global: 'Growlytics' }))
    expect(second).toBe(first)
    expect(w.userbeam).toBe(first)
    expect(w.Growlytics).toBe(first)
    expect(warned()).toEqual(['userbeam: init() called twice (or the SDK file loaded twice): the second was ignored'])
  })

  it("a page's own object under the SDK's name: replaced, and a warning says so", async () => {
    const warned = warnings()
    const w = page()
    w.userbeam = { version: "the page's own" }
    install(w, script({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: '10' }))
    w.userbeam.user.push({ kept: true })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ kept: true }])
    expect(warned()).toEqual(['userbeam: window.userbeam held something else; it now holds the SDK'])
  })
})
