// The snippet as a page pastes it: the BUILT dist/snippet.min.js runs as an inline script, then
// the BUILT dist/userbeam.min.js "arrives" (run with the snippet's <script> as currentScript).
// Needs `npm run build` (npm test builds first).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HttpResponse } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LIMIT, record, stub, type Call } from '../src/snippet'
import { attrs, deferred, ENDPOINT, freshName, profilesOf, recordingEndpoint, until } from './helpers'

const { received, state } = recordingEndpoint()
const page = window as any
const built = (file: string) => readFileSync(join(import.meta.dirname, '../dist', file), 'utf8')

/** Runs the built snippet as an inline script; returns the <script> it asked the browser to load. */
function paste(code = built('snippet.min.js')) {
  const added: HTMLScriptElement[] = []
  const append = vi.spyOn(document.head, 'appendChild').mockImplementation((el) => (added.push(el as HTMLScriptElement), el))
  ;(0, eval)(code)
  append.mockRestore()
  return added[0]
}

/** The browser finished loading `script`: runs the built script-tag SDK with it as currentScript. */
function load(script: HTMLScriptElement) {
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  try {
    ;(0, eval)(built('userbeam.min.js'))
  } finally {
    delete (document as any).currentScript
  }
}

afterEach(() => {
  delete page.userbeam
  delete page.Growlytics
})

describe('the built snippet', () => {
  it('defines window.userbeam at once and asks for the SDK asynchronously', () => {
    const script = paste()
    expect(script.src).toMatch(/\/userbeam\.min\.js$/)
    expect(script.async).toBe(true)
    expect(script.hasAttribute('data-global')).toBe(false)
    expect(Object.keys(page.userbeam).sort()).toEqual(['_q', 'consent', 'flush', 'init', 'on', 'user'])
    expect(Object.keys(page.userbeam.user).sort()).toEqual(['identify', 'logout', 'push'])
  })

  it('records calls in order, in the [method, args, settle] form the SDK replays', () => {
    paste()
    page.userbeam.init({ endpoint: '/profiles' })
    page.userbeam.user.push({ city: 'Pune' })
    page.userbeam.user.identify('u-1', { plan: 'pro' })
    page.userbeam.user.logout()
    page.userbeam.consent(true)
    page.userbeam.flush()
    page.userbeam.on('sent', () => {})
    const q = page.userbeam._q as Call[]
    expect(q.map(([method, args]) => [method, [...(args as unknown[])]])).toEqual([
      ['init', [{ endpoint: '/profiles' }]],
      ['user.push', [{ city: 'Pune' }]],
      ['user.identify', ['u-1', { plan: 'pro' }]],
      ['user.logout', []],
      ['consent', [true]],
      ['flush', []],
      ['on', ['sent', expect.any(Function)]],
    ])
    expect(q.map(([, , settle]) => typeof settle)).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'function', 'function'])
  })

  it('replays the calls made before the SDK loaded, in order, then passes later calls straight on', async () => {
    const script = paste()
    page.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    page.userbeam.user.push({ a: 1 })
    page.userbeam.user.identify('u-1', { b: 2 })
    page.userbeam.user.push({ c: 3 })
    page.userbeam.user.logout()
    page.userbeam.user.push({ d: 4 })
    load(script)
    page.userbeam.user.push({ e: 5 }) // after the SDK arrived
    await page.userbeam.flush()
    const profiles = profilesOf(received)
    expect(profiles.map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { a: 1 }],
      ['u-1', { b: 2, c: 3 }],
      [null, { d: 4, e: 5 }],
    ])
    expect(profiles[2].anonymousId).not.toBe(profiles[0].anonymousId) // logout started a new visitor
  })

  it('a call made before the SDK loaded sends the object as it was at the call, though the page reuses it', async () => {
    const script = paste()
    page.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    const errors: any[] = []
    page.userbeam.on('error', (e: any) => errors.push(e))
    const step = { step: 'landing' }
    page.userbeam.user.identify('u-1', step)
    step.step = 'paid' // the page reuses its object for a later purpose
    page.userbeam.user.logout()
    page.userbeam.user.push([1, 2]) // not an object of attributes: still reported as an array
    load(script)
    await page.userbeam.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([['u-1', { step: 'landing' }]])
    expect(errors.map((e) => e.message)).toEqual(['userbeam: push: expected an object of attributes, got an array; nothing was stored'])
  })

  it('flush() made before the SDK loaded resolves when the SDK has delivered', async () => {
    const gate = deferred()
    state.reply = async () => {
      await gate.promise
      return HttpResponse.json({ ok: true })
    }
    const script = paste()
    page.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10_000 })
    page.userbeam.user.push({ plan: 'pro' })
    let settled = false
    const flushed = page.userbeam.flush().then(() => (settled = true))
    load(script)
    await until(() => received.length === 1) // the request is at the endpoint, unanswered
    expect(settled).toBe(false)
    gate.resolve()
    await flushed
    expect(attrs(profilesOf(received)[0])).toEqual({ plan: 'pro' })
  })

  it("on() through the stub: the listener gets the SDK's events; an unsubscribe made before the SDK loaded holds", async () => {
    const script = paste()
    page.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    const kept: unknown[] = []
    const cancelled: unknown[] = []
    const off = page.userbeam.on('sent', (e: unknown) => kept.push(e))
    page.userbeam.on('sent', (e: unknown) => cancelled.push(e))()
    page.userbeam.user.push({ step: 1 })
    load(script)
    await page.userbeam.flush()
    expect(kept).toEqual([expect.objectContaining({ status: 200, profiles: [expect.objectContaining({ attributes: { step: 1 } })] })])
    expect(cancelled).toEqual([])
    off() // the unsubscribe the stub returned now unsubscribes from the SDK
    page.userbeam.user.push({ step: 2 })
    await page.userbeam.flush()
    expect(received).toHaveLength(2)
    expect(kept).toHaveLength(1)
  })

  it('a reference the page kept to the stub still reaches the SDK after it loaded', async () => {
    const script = paste()
    const { user } = page.userbeam // e.g. `const { user } = window.userbeam` in a module
    page.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    load(script)
    user.push({ late: true })
    await page.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ late: true }])
  })

  it('when the SDK never loads (ad blocker, 404): accepts every call without throwing, keeps at most 1,000', () => {
    paste()
    const ub = page.userbeam
    let results: unknown[] = []
    expect(() => {
      ub.init({ endpoint: '/profiles' })
      for (let i = 0; i < 5000; i++) ub.user.push({ i })
      results = [ub.user.identify('u-1'), ub.user.logout(), ub.consent(true), ub.on('sent', () => {}), ub.flush()]
    }).not.toThrow()
    expect(results[3]).toBeTypeOf('function')
    expect(results[4]).toBeInstanceOf(Promise)
    const q = ub._q as Call[]
    expect(q).toHaveLength(LIMIT)
    // Kept: init, the calls that are not pushes, and the newest pushes (the oldest were evicted).
    expect(q[0][0]).toBe('init')
    expect(q.slice(-5).map(([m]) => m)).toEqual(['user.identify', 'user.logout', 'consent', 'on', 'flush'])
    expect(q[1][1][0]).toEqual({ i: 5000 - (LIMIT - 6) })
  })

  it('when the SDK never loads, flush(timeout) still resolves after the timeout: a page awaiting it before a navigation goes on', async () => {
    paste()
    page.userbeam.user.push({ a: 1 })
    let plain = false
    void page.userbeam.flush().then(() => (plain = true))
    const start = Date.now()
    await page.userbeam.flush(100)
    expect(Date.now() - start).toBeGreaterThanOrEqual(90)
    expect(plain).toBe(false)
  })

  it('pasting it twice (or after the SDK) changes nothing', () => {
    const script = paste()
    const first = page.userbeam
    expect(paste()).toBeUndefined() // no second request for the SDK
    expect(page.userbeam).toBe(first)
    load(script)
    const sdk = page.userbeam
    expect(paste()).toBeUndefined()
    expect(page.userbeam).toBe(sdk)
  })

  it('with another name (Growlytics) both names end up on one SDK, and Growlytics page code works unchanged', async () => {
    const script = paste(built('snippet.min.js').replace('"userbeam")})', '"Growlytics")})'))
    expect(script.dataset.global).toBe('Growlytics')
    expect(page.userbeam).toBeUndefined()
    const Growlytics = page.Growlytics
    Growlytics.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    Growlytics.user.push({ city: 'San Francisco' }) // from the Growlytics docs
    load(script)
    expect(page.Growlytics).toBe(page.userbeam)
    page.Growlytics.user.identify('THE_USER_ID_IN_YOUR_APP', { name: 'John Wick', email: 'john@gmail.com', mobile: '9876543210' })
    page.Growlytics.user.logout()
    await page.Growlytics.flush()
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { city: 'San Francisco' }],
      ['THE_USER_ID_IN_YOUR_APP', { name: 'John Wick', email: 'john@gmail.com', mobile: '9876543210' }],
    ])
  })
})

describe('record(): the stub buffer (source)', () => {
  it('when full of calls that are not pushes, stops recording but still returns what the method would', () => {
    const q: Call[] = []
    for (let i = 0; i < LIMIT; i++) record(q, 'consent', [true])
    const flushed = record(q, 'flush', [])
    expect(flushed).toBeInstanceOf(Promise)
    expect(record(q, 'on', ['sent', () => {}])).toBeTypeOf('function')
    expect(q).toHaveLength(LIMIT)
    expect(q.every(([m]) => m === 'consent')).toBe(true)
  })

  it('stub() leaves the SDK or a stub already there alone and loads nothing', () => {
    const sdk = { init() {}, user: {} }
    const w = { userbeam: sdk } as Record<string, any>
    const appendChild = vi.fn()
    stub(w, { createElement: () => ({}), head: { appendChild } } as unknown as Document, '/sdk.js', 'userbeam')
    expect(w.userbeam).toBe(sdk)
    expect(appendChild).not.toHaveBeenCalled()
  })

  it('stub() replaces anything else under the name (an element with id="userbeam" is a global) and loads the SDK', () => {
    const w = { userbeam: { tagName: 'DIV', id: 'userbeam' } } as Record<string, any>
    const appendChild = vi.fn()
    stub(w, { createElement: () => ({ setAttribute() {} }), head: { appendChild } } as unknown as Document, '/sdk.js', 'userbeam')
    expect(typeof w.userbeam.init).toBe('function')
    expect(w.userbeam.init({ endpoint: '/profiles' })).toBeUndefined()
    expect(w.userbeam._q.map((call: unknown[]) => call[0])).toEqual(['init'])
    expect(appendChild).toHaveBeenCalledWith(expect.objectContaining({ src: '/sdk.js', async: true }))
  })
})
