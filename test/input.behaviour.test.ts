// Behaviour 10: bad input never throws; every rejection is named and explained; the rest goes through.
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordingEndpoint } from './helpers'

const { received } = recordingEndpoint()
const client = (debug = false) => createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10, debug })

describe('bad input', () => {
  it('never throws, whatever the calls are given', async () => {
    const c = client()
    const circular: any = { a: 1 }
    circular.self = circular
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap') } })
    const getter = Object.defineProperty({ ok: 1 }, 'boom', { enumerable: true, get: () => { throw new Error('getter') } })
    const inputs: any[] = [null, undefined, 42, 'text', [1, 2], () => 1, Symbol('s'), circular, NaN, Infinity,
      new Date('nope'), JSON.parse('{"__proto__": {"polluted": true}}'), hostile, getter, { [Symbol('k')]: 1 }, Object.create(null)]
    expect(() => {
      for (const input of inputs) {
        c.user.push(input)
        c.user.identify(input, input)
        c.user.logout()
      }
      c.user.identify('x'.repeat(1000))
      c.consent(undefined as any)
      c.on('nope' as any, null as any)
    }).not.toThrow()
    await c.flush()
    expect(({} as any).polluted).toBeUndefined()
    c.close()
  })

  it('reports each rejected attribute by name and reason, and sends the valid ones of the same call', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = client(true)
    const events = collect(c)
    c.user.push({
      city: 'Mumbai',
      nested: { a: 1 },
      list: [1, 2],
      nan: NaN,
      inf: Infinity,
      when: new Date('nope'),
      fn: () => 1,
      nothing: null,
      huge: 2n ** 60n + 1n,
      long: 'x'.repeat(513),
      ['n'.repeat(50)]: 1,
      ok49: 'y'.repeat(512),
      signedUp: new Date('2026-11-23T10:00:00.000Z'),
      big: 2n ** 40n,
    })
    await c.flush()
    const rejected = Object.fromEntries(events.error.map((e) => [e.attribute, e.message]))
    expect(Object.keys(rejected).sort()).toEqual(['fn', 'huge', 'inf', 'list', 'long', 'n'.repeat(50), 'nan', 'nested', 'nothing', 'when'].sort())
    expect(events.error.every((e) => e.code === 'attribute')).toBe(true)
    expect(rejected.long).toContain('513 characters; the limit is 512')
    expect(rejected.nan).toContain('not a finite number')
    expect(rejected.huge).toContain('cannot be represented exactly')
    expect(rejected['n'.repeat(50)]).toContain('50 characters; the limit is 49')
    expect(rejected.nested).toContain('an object')
    const [profile] = profilesOf(received)
    expect(profile.attributes).toEqual([
      { name: 'city', type: 'string', value: 'Mumbai' },
      { name: 'ok49', type: 'string', value: 'y'.repeat(512) },
      { name: 'signedUp', type: 'date', value: '2026-11-23T10:00:00.000Z' },
      { name: 'big', type: 'number', value: 2 ** 40 },
    ])
    expect(warn.mock.calls.filter(([m]) => String(m).includes('rejected'))).toHaveLength(10)
    c.close()
  })

  it('treats names case-sensitively', async () => {
    const c = client()
    c.user.push({ City: 'Pune', city: 'Mumbai' })
    await c.flush()
    expect(attrs(profilesOf(received)[0])).toEqual({ City: 'Pune', city: 'Mumbai' })
    c.close()
  })

  it('locks a type to its first value: a later value of another type is rejected', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ visits: 1 })
    c.user.push({ visits: 'many', other: true })
    await c.flush()
    expect(attrs(profilesOf(received)[0])).toEqual({ visits: 1, other: true })
    expect(events.error[0]).toMatchObject({ code: 'attribute', attribute: 'visits' })
    expect(events.error[0].message).toContain('locked to number')
    c.close()
  })

  it('allows at most 100 custom attributes per profile; name, email and mobile do not count', async () => {
    const c = client()
    const events = collect(c)
    const many: Record<string, number> = {}
    for (let i = 0; i < 101; i++) many[`a${i}`] = i
    c.user.push({ name: 'Asha', email: 'a@example.com', mobile: '+911234567890', ...many })
    await c.flush()
    expect(profilesOf(received)[0].attributes).toHaveLength(103)
    expect(events.error.map((e) => e.attribute)).toEqual(['a100'])
    expect(events.error[0].message).toContain('100 custom attributes')
    c.close()
  })

  it('keeps each call on its own profile when another call is made inside it (an error listener, a getter)', async () => {
    const c = client()
    await c.flush()
    c.on('error', (e) => e.attribute === 'bad' && c.user.identify('u-inner', { from: 'listener' }))
    const attributes = { before: 1, bad: NaN, after: 2, get last() { c.user.push({ inner: true }); return 3 } }
    c.user.push(attributes)
    await c.flush()
    const profiles = profilesOf(received)
    // The outer push was made while anonymous: all its values stay there.
    const anonymous = profiles.find((p) => p.userId === null)
    expect(attrs(anonymous)).toEqual({ before: 1, after: 2, last: 3 })
    const user = profiles.find((p) => p.userId === 'u-inner')
    expect(attrs(user)).toEqual({ from: 'listener', inner: true })
    c.close()
  })

  it('snapshots the object at the moment of the call', async () => {
    const c = client()
    const attributes = { plan: 'free' }
    c.user.push(attributes)
    attributes.plan = 'changed later'
    await c.flush()
    expect(attrs(profilesOf(received)[0])).toEqual({ plan: 'free' })
    c.close()
  })
})

describe('secrets in page headers', () => {
  it.each([
    [{ Authorization: 'Token abc' }, 'Authorization'],
    [{ authorization: 'Basic d3M6a2V5' }, 'authorization'],
    [{ Authorization: 'Bearer t' }, 'Authorization'],
    [{ 'x-growlytics-key': 'k' }, 'x-growlytics-key'],
  ])('warns once, loudly, about %o', (headers, name) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), headers })
    const warnings = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('vendor secret'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`"${name}"`)
    expect(warnings[0]).toContain('relay')
    c.close()
  })

  it('stays quiet for a Growlytics key explicitly allowed, and for ordinary headers', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    createClient({ endpoint: ENDPOINT, storageName: freshName(), headers: { 'x-growlytics-key': 'k' }, allowPublicKey: true }).close()
    createClient({ endpoint: ENDPOINT, storageName: freshName(), headers: { 'x-request-source': 'web', Authorization: 'session-cookie-less' } }).close()
    expect(warn).not.toHaveBeenCalled()
  })
})
