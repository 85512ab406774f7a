// The script-tag runtime: the snippet's record replayed in order, data-attribute set-up, a second global name.
import { describe, expect, it, vi } from 'vitest'
import { install, optionsFromData } from '../src/global'
import { stub } from '../src/snippet'
import { attrs, ENDPOINT, freshName, profilesOf, recordingEndpoint } from './helpers'

const { received } = recordingEndpoint()

/** A fake window, and a document whose head records the script the stub adds (never loaded). */
const page = () => ({}) as Record<string, any>
const added: Record<string, any>[] = []
const doc = {
  createElement: () => ({ setAttribute(name: string, value: string) { (this as any)[name] = value } }),
  head: { appendChild: (el: Record<string, any>) => added.push(el) },
} as unknown as Document
const script = (data: Record<string, string>) => {
  const el = document.createElement('script')
  for (const [k, v] of Object.entries(data)) el.dataset[k] = v
  return el
}

describe('the snippet stub', () => {
  it('records calls, returns a flush promise and an unsubscribe function, loads the SDK async', () => {
    const w = page()
    stub(w, doc, '/sdk.js', 'userbeam')
    expect(added.at(-1)).toMatchObject({ src: '/sdk.js', async: true })
    w.userbeam.init({ endpoint: ENDPOINT })
    w.userbeam.user.push({ a: 1 })
    expect(w.userbeam.flush()).toBeInstanceOf(Promise)
    expect(typeof w.userbeam.on('sent', () => {})).toBe('function')
    expect(w.userbeam._q.map(([m]: [string]) => m)).toEqual(['init', 'user.push', 'flush', 'on'])
  })

  it('keeps accepting calls without throwing when the SDK never loads, and stays bounded', () => {
    const w = page()
    stub(w, doc, '/missing.js', 'userbeam')
    expect(() => {
      for (let i = 0; i < 5000; i++) w.userbeam.user.push({ i })
      w.userbeam.user.identify('x')
      w.userbeam.consent(false)
    }).not.toThrow()
    expect(w.userbeam._q).toHaveLength(1000)
  })
})

describe('the runtime takes over', () => {
  it('replays calls made before it loaded, in order, then resolves the stub flush promise', async () => {
    const w = page()
    stub(w, doc, '/sdk.js', 'userbeam')
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    w.userbeam.user.push({ step: 1 })
    w.userbeam.user.identify('u-1', { step: 2 })
    const sent: unknown[] = []
    w.userbeam.on('sent', (e: unknown) => sent.push(e))
    const flushed = w.userbeam.flush()
    install(w)
    w.userbeam.user.push({ step: 3 }) // after load: straight to the SDK
    await flushed
    await w.userbeam.flush()
    const profiles = profilesOf(received)
    expect(profiles.map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { step: 1 }],
      ['u-1', { step: 3 }],
    ])
    expect(sent.length).toBeGreaterThan(0)
  })

  it('initialises itself from data attributes', async () => {
    const w = page()
    const storageName = freshName()
    install(w, script({ endpoint: ENDPOINT, destination: 'json', storageName, flushInterval: '10' }))
    w.userbeam.user.push({ auto: true })
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ auto: true }])
    expect(optionsFromData(script({ endpoint: '/p', flushInterval: '250', debug: '' }).dataset)).toEqual({ endpoint: '/p', flushInterval: 250, debug: true })
  })

  it('exposes the same object under data-global, so a Growlytics page works unchanged', async () => {
    const w = page()
    stub(w, doc, '/sdk.js', 'Growlytics')
    expect(added.at(-1)).toMatchObject({ 'data-global': 'Growlytics' })
    w.Growlytics.user.push({ city: 'San Francisco' })
    install(w, script({ endpoint: ENDPOINT, global: 'Growlytics', storageName: freshName(), flushInterval: '10' }))
    expect(w.Growlytics).toBe(w.userbeam)
    w.Growlytics.user.identify('THE_USER_ID', { name: 'John Wick', email: 'john@gmail.com', mobile: '9876543210' })
    w.Growlytics.user.logout()
    await w.Growlytics.flush()
    const profiles = profilesOf(received)
    expect(attrs(profiles[0])).toEqual({ city: 'San Francisco' })
    expect(profiles[1].userId).toBe('THE_USER_ID')
  })

  it('warns about an unknown method recorded by an old or wrong stub, and ignores a second init', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const w = page()
    w.userbeam = { _q: [['track', ['x']]] }
    install(w)
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName() })
    w.userbeam.init({ endpoint: ENDPOINT })
    expect(warn.mock.calls.map(([m]) => String(m))).toEqual([
      expect.stringContaining('unknown method "track"'),
      expect.stringContaining('init() was called twice'),
    ])
  })
})
