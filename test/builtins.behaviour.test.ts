// A page that changed the built-ins (old libraries, polluted prototypes) still gets its data
// delivered as sent, with no stray warning and no record thrown away.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { createEmitter } from '../src/emitter'
import { install } from '../src/global'
import { record, type Call } from '../src/snippet'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordingEndpoint, stored } from './helpers'

const { received } = recordingEndpoint()
const proto = Object.prototype as Record<string, unknown>

afterEach(() => {
  delete proto.extend
  delete proto.foo
  delete (Array.prototype as unknown as Record<string, unknown>).toJSON
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

/** Two visits: the second one finds the first one's records in IndexedDB, and sends them. */
async function twoVisits(change: () => void) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const storageName = freshName()
  change()
  const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000, destination: 'growlytics' })
  const events = collect(first)
  first.user.push({ plan: 'pro', visits: 3 })
  first.user.identify('u-1', { email: 'u1@example.com' })
  await new Promise((r) => setTimeout(r, 50))
  first.close()
  const second = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10, destination: 'growlytics' })
  const later = collect(second)
  await second.flush()
  second.close()
  return { warn, errors: [...events.error, ...later.error], storageName }
}

describe('a page that changed the built-ins', () => {
  for (const [what, value] of [
    ['a function', function () {}],
    ['a number', 1],
  ] as const) {
    it(`an enumerable Object.prototype property holding ${what}: delivered as sent, nothing reported`, async () => {
      const { warn, errors, storageName } = await twoVisits(() => (proto.extend = proto.foo = value))
      expect(received.map((r) => r.body)).toEqual([
        { id: 'u-1', attributes: [{ name: 'plan', type: 'string', value: 'pro' }, { name: 'visits', type: 'number', value: 3 }, { name: 'email', type: 'string', value: 'u1@example.com' }] },
      ])
      expect(errors).toEqual([])
      expect(warn).not.toHaveBeenCalled()
      expect((await stored(storageName)).records).toEqual([])
    })
  }

  it("Array.prototype.toJSON (Prototype.js 1.6): arrays still go as JSON arrays, not strings", async () => {
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    // As Prototype.js 1.6 has it: an array becomes the text of its JSON.
    ;(Array.prototype as unknown as Record<string, unknown>).toJSON = function (this: unknown[]) {
      return `[${this.map((item) => JSON.stringify(item)).join(',')}]`
    }
    c.user.push({ plan: 'pro' })
    await c.flush()
    expect(Array.isArray(received[0].body.profiles)).toBe(true)
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'pro' }])
    c.close()
  })

  it('a page without performance.timeOrigin (Safari before 15): calls are stamped and delivered', async () => {
    vi.resetModules()
    vi.stubGlobal('performance', { now: performance.now.bind(performance) })
    const { createClient: fresh } = await import('../src/client')
    const c = fresh({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    c.user.push({ a: 2 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 2 }])
    c.close()
  })

  it('console.warn replaced by something that throws, or console removed: a second init() does not throw', () => {
    const w: Record<string, any> = {}
    install(w)
    w.userbeam.init({ endpoint: ENDPOINT, storageName: freshName() })
    vi.spyOn(console, 'warn').mockImplementation(() => {
      throw new Error('no console here')
    })
    expect(() => w.userbeam.init({ endpoint: ENDPOINT })).not.toThrow()
    vi.stubGlobal('console', undefined)
    expect(() => w.userbeam.init({ endpoint: ENDPOINT })).not.toThrow()
    expect(() => createEmitter(true).warnOnce('userbeam: something to say')).not.toThrow()
  })

  it('Array.prototype frozen (SES lockdown): the SDK takes over the snippet stub and replays its calls', async () => {
    const w: Record<string, any> = {}
    const q: Call[] = []
    record(q, 'init', [{ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 }])
    record(q, 'user.push', [{ plan: 'pro' }])
    // Freezing the real Array.prototype would break the test runner: the stub's array gets a
    // prototype of its own whose push cannot be assigned over, as under a frozen Array.prototype.
    Object.setPrototypeOf(q, Object.freeze(Object.create(Array.prototype, { push: { value: Array.prototype.push, writable: false } })))
    w.userbeam = { _q: q }
    expect(() => install(w)).not.toThrow()
    await w.userbeam.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'pro' }])
  })

  it('Array.from replaced by one that ignores its map function (Prototype.js, MooTools): the stub still copies each call', () => {
    vi.spyOn(Array, 'from').mockImplementation(((list: ArrayLike<unknown>) => Array.prototype.slice.call(list)) as typeof Array.from)
    const q: Call[] = []
    const attributes = { plan: 'free' }
    record(q, 'user.push', [attributes])
    attributes.plan = 'pro'
    expect(q[0][1]).toEqual([{ plan: 'free' }])
  })

  it('a <base href> on another origin: a relative endpoint still means this page\'s origin', async () => {
    const base = document.createElement('base')
    base.href = 'https://cdn.example.com/assets/'
    document.head.appendChild(base)
    try {
      const { resolveOptions } = await import('../src/options')
      expect(resolveOptions({ endpoint: '/profiles' }).config.endpoint).toBe(new URL('/profiles', location.href).href)
    } finally {
      base.remove()
    }
  })
})
