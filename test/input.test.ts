// Behaviour 10: bad input never throws; each rejected attribute is reported by name and reason;
// the valid attributes of the same call still go through; the json (Growlytics) limits.
import { describe, expect, it, vi } from 'vitest'
import { attrs, clientFactory, collect, freshName, profilesOf, putRaw, recordingEndpoint, stored } from './helpers'

const { received } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })
const rejectedNames = (events: ReturnType<typeof collect>) =>
  events.error.filter((e) => e.code === 'attribute').map((e) => e.attribute)
const sentAttributes = () => Object.assign({}, ...profilesOf(received).map(attrs))
const sentTyped = () => profilesOf(received).flatMap((p) => p.attributes)

function hostileInputs(): unknown[] {
  const circular: any = { a: 1 }
  circular.self = circular
  const throwing = () => {
    throw new Error('trap')
  }
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()
  return [
    null, undefined, 0, 42, NaN, Infinity, -Infinity, 'text', '', true, 10n,
    [1, 2], [], () => 1, function named() {}, Symbol('s'), circular, new Date('nope'), new Date(0),
    new Map([['a', 1]]), new Set([1]), /re/, new Error('e'), Object.create(null), new (class Foo {})(),
    JSON.parse('{"__proto__": {"polluted": true}}'),
    Object.defineProperty({}, 'boom', { enumerable: true, get: throwing }),
    new Proxy({}, { ownKeys: throwing }),
    new Proxy({ a: 1 }, { get: throwing }),
    new Proxy({ a: 1 }, { getOwnPropertyDescriptor: throwing }),
    new Proxy({ a: 1 }, { getPrototypeOf: throwing }),
    new Proxy({ a: 1 }, { has: throwing }),
    revoked.proxy,
    { [Symbol('k')]: 1 },
    new Proxy([], { get: throwing }),
  ]
}

describe('never throws', () => {
  it('push, identify and logout accept anything', async () => {
    const c = client()
    const inputs = hostileInputs()
    expect(() => {
      for (const input of inputs) {
        c.user.push(input as any)
        c.user.identify(input as any, input as any)
        c.user.identify('u-ok', input as any, input as any)
        c.user.logout()
        ;(c.user.logout as any)(input)
      }
      c.user.identify('x'.repeat(1000))
      ;(c.user.push as any)()
      ;(c.user.identify as any)()
      c.consent(undefined as any)
      c.consent({ get valueOf() { throw new Error('x') } } as any)
    }).not.toThrow()
    await c.flush()
    expect(({} as any).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    c.close()
  })

  it('before storage loaded too (the calls are replayed later): nothing escapes as an unhandled error', async () => {
    const c = client()
    const events = collect(c)
    for (const input of hostileInputs()) c.user.push(input as any)
    c.user.push({ fine: 1 })
    await c.flush()
    // `a: 1` is the valid attribute of the circular object (and of the Proxy with a throwing `has`).
    expect(sentAttributes()).toEqual({ a: 1, fine: 1 })
    expect(events.error.length).toBeGreaterThan(0)
    c.close()
  })

  it('a listener that throws does not break delivery', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = client()
    c.on('sent', () => {
      throw new Error('page bug')
    })
    c.on('error', () => {
      throw new Error('page bug')
    })
    c.user.push({ bad: NaN, good: 1 })
    await c.flush()
    c.user.push({ next: 2 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ good: 1 }, { next: 2 }])
    c.close()
  })
})

describe('calls given the wrong kind of argument', () => {
  it('each report says exactly what happened', async () => {
    const c = client()
    const events = collect(c)
    c.user.push(new Date() as any)
    c.user.push({ '': 1, ok: 2 })
    c.user.identify('u-1', 'oops' as any)
    await c.flush()
    expect(events.error.map((e) => [e.code, e.attribute, e.message])).toEqual([
      ['input', undefined, 'userbeam: push: expected an object of attributes, got a Date; nothing was stored'],
      ['attribute', '', 'userbeam: push: attribute "" rejected (json rules): attribute names must not be empty. The other attributes were kept.'],
      ['input', undefined, 'userbeam: identify: expected an object of attributes, got a string of 4 characters; no attributes were stored, the login itself went through'],
    ])
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      [null, { ok: 2 }],
      ['u-1', {}],
    ])
    c.close()
  })

  it('push() with nothing or null is reported (code "input") and stores nothing', async () => {
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.push(null as any)
    ;(c.user.push as any)()
    await c.flush()
    expect(events.error.map((e) => e.message)).toEqual([
      'userbeam: push: expected an object of attributes, got null; nothing was stored',
      'userbeam: push: expected an object of attributes, got undefined; nothing was stored',
    ])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it.each([['the string "false"', 'false'], ['0', 0], ['undefined', undefined]])(
    'consent(%s) is reported and ignored: it neither withdraws nor grants',
    async (_, value) => {
      const c = client()
      const events = collect(c)
      c.user.push({ kept: 1 })
      c.consent(value as any)
      await c.flush()
      expect(events.error.map((e) => e.code)).toEqual(['input'])
      expect(events.error[0].message).toMatch(/^userbeam: consent: expected true or false, got .+; the call was ignored$/)
      expect(profilesOf(received).map(attrs)).toEqual([{ kept: 1 }])
      c.close()
    },
  )
})

describe('each rejected attribute is reported; the rest of the call goes through', () => {
  it('names and reasons, code "attribute", valid siblings sent', async () => {
    const c = client()
    const events = collect(c)
    const circular: any = {}
    circular.me = circular
    c.user.push({
      ok: 'yes',
      nothing: null,
      undef: undefined,
      list: [1, 2],
      nested: { a: 1 },
      circular,
      fn: () => 1,
      sym: Symbol('s'),
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      bad: new Date('nope'),
      map: new Map(),
      good: 2,
    })
    await c.flush()
    expect(rejectedNames(events).sort()).toEqual(
      ['nothing', 'undef', 'list', 'nested', 'circular', 'fn', 'sym', 'nan', 'inf', 'ninf', 'bad', 'map'].sort(),
    )
    for (const e of events.error) expect(e.message).toContain(`"${e.attribute}"`)
    expect(sentAttributes()).toEqual({ ok: 'yes', good: 2 })
    c.close()
  })

  it('__proto__ (via JSON.parse), constructor and prototype are rejected by name, nothing is polluted', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    const events = collect(c)
    c.user.push(JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "prototype": 1, "fine": "ok"}'))
    await new Promise((r) => setTimeout(r, 30))
    const [record] = (await stored(storageName)).records
    expect(Object.keys(record.attributes)).toEqual(['fine'])
    await c.flush()
    expect(rejectedNames(events).sort()).toEqual(['__proto__', 'constructor', 'prototype'])
    expect(sentTyped().map((a: any) => a.name)).toEqual(['fine'])
    expect(({} as any).polluted).toBeUndefined()
    c.close()
  })

  it('a getter that throws is reported by name; the other attributes go through', async () => {
    const c = client()
    const events = collect(c)
    const input = { before: 1, after: 2 }
    Object.defineProperty(input, 'boom', { enumerable: true, get: () => { throw new Error('no') } })
    c.user.push(input)
    await c.flush()
    expect(rejectedNames(events)).toEqual(['boom'])
    expect(sentAttributes()).toEqual({ before: 1, after: 2 })
    c.close()
  })

  it('a Proxy whose get trap throws for one key: that key is reported, the others go through', async () => {
    const c = client()
    const events = collect(c)
    c.user.push(
      new Proxy({ a: 1, trap: 2, b: 3 }, {
        get(target, key, receiver) {
          if (key === 'trap') throw new Error('trap')
          return Reflect.get(target, key, receiver)
        },
      }),
    )
    await c.flush()
    expect(rejectedNames(events)).toEqual(['trap'])
    expect(sentAttributes()).toEqual({ a: 1, b: 3 })
    c.close()
  })

  it('a Proxy whose ownKeys trap throws: reported, nothing stored, later calls work', async () => {
    const c = client()
    const events = collect(c)
    c.user.push(new Proxy({ a: 1 }, { ownKeys: () => { throw new Error('trap') } }))
    c.user.push({ later: 1 })
    await c.flush()
    expect(events.error.length).toBeGreaterThan(0)
    expect(sentAttributes()).toEqual({ later: 1 })
    c.close()
  })

  it('a Proxy whose getPrototypeOf trap throws: its readable attributes still go through', async () => {
    const c = client()
    const events = collect(c)
    c.user.push(new Proxy({ a: 1, b: 'x' }, { getPrototypeOf: () => { throw new Error('trap') } }))
    await c.flush()
    expect(sentAttributes()).toEqual({ a: 1, b: 'x' })
    expect(events.error).toEqual([])
    c.close()
  })

  it('a non-object call is reported (code "input") and the client keeps working', async () => {
    const c = client()
    const events = collect(c)
    c.user.push(42 as any)
    c.user.push('text' as any)
    c.user.push([1, 2] as any)
    c.user.push({ fine: true })
    await c.flush()
    expect(events.error.map((e) => e.code)).toEqual(['input', 'input', 'input'])
    expect(sentAttributes()).toEqual({ fine: true })
    c.close()
  })

  it('identify reports its rejected attributes and keeps the valid ones', async () => {
    const c = client()
    const events = collect(c)
    c.user.identify('u-1', { email: 'a@example.com', age: NaN })
    await c.flush()
    expect(rejectedNames(events)).toEqual(['age'])
    expect(profilesOf(received).find((p) => p.userId === 'u-1')).toBeDefined()
    expect(sentAttributes()).toEqual({ email: 'a@example.com' })
    c.close()
  })

  it('debug: true warns on the console for each rejected attribute, with its name', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = client({ debug: true })
    c.user.push({ a: NaN, b: [1], ok: 1 })
    await c.flush()
    const rejections = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('rejected'))
    expect(rejections).toHaveLength(2)
    expect(rejections.some((m) => m.includes('"a"'))).toBe(true)
    expect(rejections.some((m) => m.includes('"b"'))).toBe(true)
    c.close()
  })

  it('without debug the console stays quiet (the error event still fires)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = client()
    const events = collect(c)
    c.user.push({ a: NaN, ok: 1 })
    await c.flush()
    expect(warn).not.toHaveBeenCalled()
    expect(rejectedNames(events)).toEqual(['a'])
    c.close()
  })
})

describe('limits of the json format (the Growlytics rules)', () => {
  it('names: 49 characters are fine, 50 are rejected', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ ['n'.repeat(49)]: 1, ['m'.repeat(50)]: 2, ['x'.repeat(200)]: 3 })
    await c.flush()
    expect(Object.keys(sentAttributes())).toEqual(['n'.repeat(49)])
    expect(rejectedNames(events).sort()).toEqual(['m'.repeat(50), 'x'.repeat(200)])
    expect(events.error[0].message).toContain('50 characters; the limit is 49')
    c.close()
  })

  it('an empty name is rejected', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ '': 1, ok: 2 })
    await c.flush()
    expect(events.error).toHaveLength(1)
    expect(sentAttributes()).toEqual({ ok: 2 })
    c.close()
  })

  it('names are case-sensitive: City and city are two attributes (each with its own type lock)', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ City: 'Pune', city: 'Mumbai' })
    c.user.push({ CITY: 3 })
    await c.flush()
    expect(sentAttributes()).toEqual({ City: 'Pune', city: 'Mumbai', CITY: 3 })
    expect(events.error).toEqual([])
    c.close()
  })

  it('names that are Object.prototype members (toString, valueOf, hasOwnProperty) are ordinary attributes', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ toString: 'a', valueOf: 1, hasOwnProperty: true, isPrototypeOf: 'x' })
    await c.flush()
    expect(events.error).toEqual([])
    expect(sentAttributes()).toEqual({ toString: 'a', valueOf: 1, hasOwnProperty: true, isPrototypeOf: 'x' })
    c.close()
  })

  it('types: string, number, boolean, Date (ISO, type date), exact BigInt (type number)', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({
      s: 'text',
      empty: '',
      n: -1.5,
      zero: 0,
      t: true,
      f: false,
      d: new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 123)),
      big: 2n ** 53n,
      small: -42n,
      huge: 2n ** 53n + 1n,
    })
    await c.flush()
    const byName = Object.fromEntries(sentTyped().map((a: any) => [a.name, a]))
    expect(byName).toEqual({
      s: { name: 's', type: 'string', value: 'text' },
      empty: { name: 'empty', type: 'string', value: '' },
      n: { name: 'n', type: 'number', value: -1.5 },
      zero: { name: 'zero', type: 'number', value: 0 },
      t: { name: 't', type: 'boolean', value: true },
      f: { name: 'f', type: 'boolean', value: false },
      d: { name: 'd', type: 'date', value: '2026-11-23T10:00:00.123Z' },
      big: { name: 'big', type: 'number', value: 2 ** 53 },
      small: { name: 'small', type: 'number', value: -42 },
    })
    expect(rejectedNames(events)).toEqual(['huge'])
    expect(events.error[0].message).toContain('cannot be represented exactly')
    c.close()
  })

  it('strings: 512 characters are sent whole, 513 are rejected (never truncated)', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ ok: 'y'.repeat(512), long: 'x'.repeat(513) })
    await c.flush()
    expect(sentAttributes()).toEqual({ ok: 'y'.repeat(512) })
    expect(rejectedNames(events)).toEqual(['long'])
    expect(events.error[0].message).toContain('513 characters; the limit is 512')
    expect(profilesOf(received).some((p) => attrs(p).long !== undefined)).toBe(false)
    c.close()
  })

  it('at most 100 custom attributes per profile, across calls; name, email and mobile do not count', async () => {
    const c = client()
    const events = collect(c)
    const first: Record<string, number> = {}
    for (let i = 0; i < 60; i++) first[`a${i}`] = i
    const second: Record<string, number> = {}
    for (let i = 60; i < 110; i++) second[`a${i}`] = i
    c.user.push({ name: 'Asha', ...first })
    c.user.push({ email: 'a@example.com', mobile: '+911234567890', ...second, a0: 1000 })
    await c.flush()
    const sent = sentAttributes()
    expect(Object.keys(sent)).toHaveLength(103)
    expect(sent.a0).toBe(1000) // a known name can still be updated at the limit
    expect(sent.a99).toBe(99)
    expect(rejectedNames(events)).toEqual(Array.from({ length: 10 }, (_, i) => `a${100 + i}`))
    expect(events.error[0].message).toContain('100 custom attributes')
    c.close()
  })

  it('a new anonymous profile after logout starts with its own 100', async () => {
    const c = client()
    const events = collect(c)
    const many: Record<string, number> = {}
    for (let i = 0; i < 100; i++) many[`a${i}`] = i
    c.user.identify('u-1', many)
    c.user.logout()
    c.user.push({ ...many })
    await c.flush()
    expect(events.error).toEqual([])
    c.close()
  })

  it('first type wins: a later value of another type is rejected with a reason; the first type stays', async () => {
    const c = client()
    const events = collect(c)
    c.user.push({ visits: 1, when: new Date(0) })
    c.user.push({ visits: 'many', when: '1970-01-01', other: true })
    c.user.push({ visits: 2 })
    await c.flush()
    expect(sentTyped()).toEqual(
      expect.arrayContaining([
        { name: 'visits', type: 'number', value: 2 },
        { name: 'when', type: 'date', value: '1970-01-01T00:00:00.000Z' },
        { name: 'other', type: 'boolean', value: true },
      ]),
    )
    expect(rejectedNames(events)).toEqual(['visits', 'when'])
    expect(events.error[0].message).toContain('locked to number')
    c.close()
  })

  it("a user's type locks come back when they log in again on this browser (and stay theirs)", async () => {
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.identify('u-1', { plan: 'pro' })
    c.user.logout()
    c.user.identify('u-2', { plan: 3 }) // another user: their own, fresh locks
    c.user.logout()
    await c.flush()
    c.close()
    const next = client({ storageName }) // a later page
    const later = collect(next)
    next.user.identify('u-1')
    next.user.push({ plan: 7 })
    await next.flush()
    expect(events.error).toEqual([])
    expect(later.error.map((e) => [e.attribute, e.message])).toEqual([
      ['plan', 'userbeam: push: attribute "plan" rejected (json rules): its type is locked to string by its first value; got number. The other attributes were kept.'],
    ])
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)])).toEqual([
      ['u-1', { plan: 'pro' }],
      ['u-2', { plan: 3 }],
      ['u-1', {}], // the later login links the new anonymous visitor; plan: 7 was refused
    ])
    next.close()
  })

  it('a held value refused at the login is reported once, also when its commit was in flight then', async () => {
    const storageName = freshName()
    const c = client({ storageName, holdAnonymous: true })
    const events = collect(c)
    c.user.identify('u-1', { plan: 5 })
    c.user.logout()
    await c.flush()
    c.user.push({ plan: 'pro', city: 'Pune' })
    // The held push's commit has started (it stores the anonymous record) when the login comes.
    await new Promise((resolve) => setTimeout(resolve, 0))
    c.user.identify('u-1')
    await c.flush()
    expect(events.error.map((e) => e.message)).toEqual([
      'userbeam: identify: attribute "plan" rejected (json rules): the value pushed before the login cannot join this user: its type is locked to number by its first value; got string. The other attributes were kept.',
    ])
    expect(profilesOf(received).map((p) => [p.userId, attrs(p)]).slice(-1)).toEqual([['u-1', { city: 'Pune' }]])
    c.close()
  })

  it("held anonymous values fold into a returning user only within the user's type locks and cap", async () => {
    const storageName = freshName()
    const c = client({ storageName, holdAnonymous: true })
    const events = collect(c)
    const hundred = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`c${i}`, i]))
    c.user.identify('u-1', { plan: 5, ...hundred }) // plan and c0..c98: the user's 100 custom attributes
    c.user.logout()
    c.user.push({ plan: 'pro', city: 'Pune', c1: 7 }) // held: another type, a 101st name, a fine value
    c.user.identify('u-1')
    await c.flush()
    expect(events.error.map((e) => [e.attribute, e.message])).toEqual([
      ['plan', 'userbeam: identify: attribute "plan" rejected (json rules): the value pushed before the login cannot join this user: its type is locked to number by its first value; got string. The other attributes were kept.'],
      ['city', 'userbeam: identify: attribute "city" rejected (json rules): the value pushed before the login cannot join this user: the profile already has 100 custom attributes, the limit. The other attributes were kept.'],
    ])
    const sent = profilesOf(received).map((p) => [p.userId, attrs(p)])
    expect(sent).toEqual([
      ['u-1', { plan: 5, ...hundred }],
      ['u-1', { c1: 7 }],
    ])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('the type locks of at most the 50 most recent users are kept', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    for (let i = 0; i < 60; i++) {
      c.user.identify(`user${i}`, { plan: 'pro' })
      c.user.logout()
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { users } = (await stored(storageName)).identity
    expect(users.map(([id]: [string]) => id)).toEqual(Array.from({ length: 50 }, (_, i) => `user${i + 10}`))
    c.close()
  })

  it('a stored users list with entries it cannot read (another version, damage) is read past: logins and logouts go on', async () => {
    const storageName = freshName()
    const first = client({ storageName, flushInterval: 60_000 })
    first.user.push({ city: 'Pune' })
    await first.flush()
    first.close()
    const { identity } = await stored(storageName)
    await putRaw(storageName, 'identity', { ...identity, users: ['u-9', null, ['u-1', { plan: 'number' }], 7] })
    const c = client({ storageName, flushInterval: 60_000 })
    const events = collect(c)
    c.user.identify('u-1', { plan: 'pro' }) // u-1's lock comes back from the one readable entry
    c.user.logout()
    await c.flush()
    expect(events.error.map((e) => e.message)).toEqual([
      'userbeam: identify: attribute "plan" rejected (json rules): its type is locked to number by its first value; got string. The other attributes were kept.',
    ])
    expect((await stored(storageName)).identity.users).toEqual([['u-1', { city: 'string', plan: 'number' }]]) // the anonymous visitor's locks joined the user (json sends anonymous profiles)
    c.close()
  })

  it('the 50 kept are the most recent ones, also with numeric ids, and a user "__proto__" gets their locks back', async () => {
    const storageName = freshName()
    const c = client({ storageName, flushInterval: 60_000 })
    const events = collect(c)
    // Descending numbers: an object by id would list them ascending, whatever the order of the logins.
    const ids = [...Array.from({ length: 59 }, (_, i) => String(1000 - i)), '__proto__']
    for (const id of ids) {
      c.user.identify(id, { plan: 'pro' })
      c.user.logout()
    }
    c.user.identify('__proto__', { plan: 1 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { users } = (await stored(storageName)).identity
    expect(users.map(([id]: [string]) => id)).toEqual(ids.slice(10))
    expect(events.error.map((e) => e.message)).toEqual([
      'userbeam: identify: attribute "plan" rejected (json rules): its type is locked to string by its first value; got number. The other attributes were kept.',
    ])
    c.close()
  })

  it('the type lock survives delivery and a reload', async () => {
    const storageName = freshName()
    const first = client({ storageName })
    first.user.push({ visits: 1 })
    await first.flush()
    first.close()
    const second = client({ storageName })
    const events = collect(second)
    second.user.push({ visits: 'many' })
    await second.flush()
    expect(rejectedNames(events)).toEqual(['visits'])
    expect(profilesOf(received).map(attrs)).toEqual([{ visits: 1 }])
    second.close()
  })

  it('the object is read at the moment of the call: later mutation has no effect', async () => {
    const c = client()
    const input: Record<string, unknown> = { plan: 'free' }
    c.user.push(input)
    input.plan = 'changed'
    input.added = true
    await c.flush()
    expect(sentAttributes()).toEqual({ plan: 'free' })
    c.close()
  })
})

describe('user ids', () => {
  it('a 40-character id is accepted, 41 is rejected (code "identity") and the call is ignored', async () => {
    const c = client()
    const events = collect(c)
    c.user.identify('y'.repeat(41), { leaked: true })
    c.user.identify('x'.repeat(40), { ok: true })
    await c.flush()
    expect(events.error.map((e) => e.code)).toEqual(['identity'])
    expect(events.error[0].message).toBe(
      'userbeam: identify: the user id has 41 characters; the limit is 40; the call was ignored (pass the id as a non-empty string of at most 40 characters)',
    )
    expect(profilesOf(received).map((p) => p.userId)).toEqual(['x'.repeat(40)])
    expect(sentAttributes()).toEqual({ ok: true })
    c.close()
  })

  it('a destination without an id length limit (MoEngage) does not name one in the hint', async () => {
    const c = client({ destination: 'moengage' })
    const events = collect(c)
    c.user.identify(42 as any)
    await c.flush()
    expect(events.error.map((e) => e.message)).toEqual([
      'userbeam: identify: the user id must be a string, got number 42; the call was ignored (pass the id as a non-empty string)',
    ])
    c.close()
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['an object', { id: 'u' }],
    ['a String object', new String('u-1')],
    ['an empty string', ''],
    ['blank', '   '],
    ['a symbol', Symbol('u')],
  ])('%s as the id is rejected with a reason and the identity stays', async (_, id) => {
    const c = client()
    const events = collect(c)
    c.user.push({ a: 1 })
    c.user.identify(id as any, { b: 2 })
    c.user.push({ c: 3 })
    await c.flush()
    expect(events.error.map((e) => e.code)).toEqual(['identity'])
    expect(typeof events.error[0].message).toBe('string')
    expect(profilesOf(received).map((p) => p.userId)).toEqual([null])
    expect(sentAttributes()).toEqual({ a: 1, c: 3 })
    c.close()
  })
})
