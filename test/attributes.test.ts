// attributes.ts: validation at the edge (pure): typed values or a reason, never a throw.
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { applyProfileLimits, checkAttributes, growlyticsRules as rules, idProblem, nameProblem, typeValue } from '../src/attributes'
import type { AttributeType } from '../src/types'

describe('typeValue', () => {
  it.each([
    ['text', { type: 'string', value: 'text' }],
    ['', { type: 'string', value: '' }],
    [0, { type: 'number', value: 0 }],
    [-1.5, { type: 'number', value: -1.5 }],
    [Number.MAX_SAFE_INTEGER, { type: 'number', value: Number.MAX_SAFE_INTEGER }],
    [false, { type: 'boolean', value: false }],
    [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), { type: 'date', value: '2026-01-02T03:04:05.006Z' }],
    [2n ** 53n, { type: 'number', value: 2 ** 53 }],
    [-(2n ** 53n), { type: 'number', value: -(2 ** 53) }],
  ])('%o is accepted as %o', (input, expected) => {
    expect(typeValue(input, rules)).toEqual(expected)
  })

  it.each([
    ['NaN', NaN, 'finite'],
    ['Infinity', Infinity, 'finite'],
    ['an invalid Date', new Date('x'), 'invalid Date'],
    ['a BigInt past 2^53 that is not exact', 2n ** 53n + 1n, 'exactly'],
    ['an exact BigInt whose JSON digits are another integer', 2n ** 64n, 'cannot be represented exactly as a JSON number'],
    ['a 513-character string', 'x'.repeat(513), '513 characters; the limit is 512'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an array', [1], 'array'],
    ['an object', { a: 1 }, 'object'],
    ['a function', () => 1, 'function'],
    ['a symbol', Symbol('s'), 'symbol'],
  ])('%s is rejected with a reason', (_, input, words) => {
    const result = typeValue(input, rules)
    expect(typeof result).toBe('string')
    expect(result).toContain(words)
  })

  it('accepts a 512-character string whole', () => {
    expect(typeValue('y'.repeat(512), rules)).toEqual({ type: 'string', value: 'y'.repeat(512) })
  })

  it('counts characters, not UTF-16 units: 512 emoji pass, 513 are reported as 513 characters', () => {
    expect(typeValue('😀'.repeat(512), rules)).toEqual({ type: 'string', value: '😀'.repeat(512) })
    expect(typeValue('😀'.repeat(513), rules)).toBe('the value has 513 characters; the limit is 512 (Userbeam never truncates: shorten it before sending)')
    expect(nameProblem('é'.repeat(10) + '😀'.repeat(39), rules)).toBeUndefined()
    expect(idProblem('😀'.repeat(41), rules)).toBe('the user id has 41 characters; the limit is 40')
  })

  it('says what an unusable value is, in words', () => {
    expect(typeValue(undefined, rules)).toBe('the value is undefined; allowed are string, number, boolean, Date and exact BigInt')
    expect(typeValue(() => 1, rules)).toBe('the value is a function; allowed are string, number, boolean, Date and exact BigInt')
  })
})

describe('nameProblem', () => {
  it('49 characters are fine, 50 are not; empty and reserved names are refused', () => {
    expect(nameProblem('n'.repeat(49), rules)).toBeUndefined()
    expect(nameProblem('n'.repeat(50), rules)).toContain('50 characters; the limit is 49')
    expect(nameProblem('', rules)).toBeDefined()
    for (const name of ['__proto__', 'constructor', 'prototype']) expect(nameProblem(name, rules)).toContain('reserved')
    for (const name of ['toString', 'valueOf', 'City', 'city']) expect(nameProblem(name, rules)).toBeUndefined()
  })

  it('a name read-only on Object.prototype (a page froze it, or defined it so) is refused: it cannot be set on any plain object', () => {
    Object.defineProperty(Object.prototype, 'frozenName', { value: 1, writable: false, configurable: true })
    try {
      expect(nameProblem('frozenName', rules)).toBe('"frozenName" is read-only in this page (its Object.prototype is frozen)')
      expect(checkAttributes({ frozenName: 'x', city: 'Pune' }, rules)).toEqual({
        attributes: { city: { type: 'string', value: 'Pune' } },
        rejected: [{ attribute: 'frozenName', reason: '"frozenName" is read-only in this page (its Object.prototype is frozen)' }],
      })
    } finally {
      delete (Object.prototype as any).frozenName
    }
  })
})

describe('values of another realm (a same-origin iframe)', () => {
  it("its Date is a date; its invalid Date is refused as one; a Date as the whole call is refused", () => {
    const other = runInNewContext('({ date: new Date(Date.UTC(1990, 0, 2)), invalid: new Date(NaN) })')
    expect(other.date instanceof Date).toBe(false)
    expect(typeValue(other.date, rules)).toEqual({ type: 'date', value: '1990-01-02T00:00:00.000Z' })
    expect(typeValue(other.invalid, rules)).toBe('the value is an invalid Date')
    expect(checkAttributes(other.date, rules).rejected).toEqual([{ reason: 'expected an object of attributes, got a Date' }])
  })
})

describe('checkAttributes', () => {
  it('splits a call into accepted values and named rejections', () => {
    const { attributes, rejected } = checkAttributes({ ok: 1, bad: NaN, also: 'x', ['n'.repeat(50)]: 1 }, rules)
    expect(Object.keys(attributes)).toEqual(['ok', 'also'])
    expect(rejected.map((r) => r.attribute)).toEqual(['bad', 'n'.repeat(50)])
  })

  it('null and undefined are an empty call', () => {
    expect(checkAttributes(null, rules)).toEqual({ attributes: {}, rejected: [] })
    expect(checkAttributes(undefined, rules)).toEqual({ attributes: {}, rejected: [] })
  })

  it.each([42, 'text', [1], new Date(), () => 1, Symbol('s')])('%o as the whole call is one unnamed rejection', (input) => {
    const { attributes, rejected } = checkAttributes(input, rules)
    expect(attributes).toEqual({})
    expect(rejected).toHaveLength(1)
    expect(rejected[0].attribute).toBeUndefined() // the argument itself, not an attribute named ''
  })

  it('never throws: throwing getters, traps, revoked proxies, symbol keys, __proto__', () => {
    const thrower = () => {
      throw new Error('x')
    }
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    const inputs = [
      Object.defineProperty({ a: 1 }, 'boom', { enumerable: true, get: thrower }),
      new Proxy({ a: 1 }, { ownKeys: thrower }),
      new Proxy({ a: 1 }, { get: thrower }),
      new Proxy({ a: 1 }, { getOwnPropertyDescriptor: thrower }),
      new Proxy({ a: 1 }, { getPrototypeOf: thrower }),
      revoked.proxy,
      { [Symbol('k')]: 1, a: 1 },
      JSON.parse('{"__proto__": {"x": 1}, "a": 1}'),
      { v: revoked.proxy },
    ]
    for (const input of inputs) expect(() => checkAttributes(input, rules)).not.toThrow()
    const symbolic = checkAttributes({ [Symbol('k')]: 1, a: 1 }, rules)
    expect(symbolic.rejected.map((r) => r.attribute)).toEqual(['Symbol(k)'])
    const polluted = checkAttributes(JSON.parse('{"__proto__": {"x": 1}, "a": 1}'), rules)
    expect(polluted.rejected.map((r) => r.attribute)).toEqual(['__proto__'])
    expect(Object.keys(polluted.attributes)).toEqual(['a'])
    expect(Object.getPrototypeOf(polluted.attributes)).toBe(Object.prototype)
  })
})

describe('idProblem', () => {
  it('a string of 1 to 40 characters', () => {
    expect(idProblem('u', rules)).toBeUndefined()
    expect(idProblem('x'.repeat(40), rules)).toBeUndefined()
    expect(idProblem('x'.repeat(41), rules)).toContain('41 characters; the limit is 40')
    expect(idProblem('', rules)).toBeDefined()
    expect(idProblem('  ', rules)).toBeDefined()
    for (const id of [42, null, undefined, {}, Symbol('u'), new String('u')]) expect(idProblem(id, rules)).toContain('must be a string')
  })
})

describe('applyProfileLimits', () => {
  const typed = (values: Record<string, unknown>) => checkAttributes(values, rules).attributes
  /** The reports applyProfileLimits makes, collected, with its answer. */
  const limit = (attributes: ReturnType<typeof typed>, types: Record<string, AttributeType>) => {
    const rejected: { attribute: string; reason: string }[] = []
    const added = applyProfileLimits(attributes, types, rules, (r) => rejected.push(r))
    return { rejected, added }
  }

  it('locks each name to its first type; a later other type is refused with a reason', () => {
    const types: Record<string, AttributeType> = {}
    expect(limit(typed({ visits: 1 }), types)).toEqual({ rejected: [], added: true })
    const next = typed({ visits: 'many', other: true })
    const { rejected, added } = limit(next, types)
    expect(rejected).toEqual([{ attribute: 'visits', reason: expect.stringContaining('locked to number') }])
    expect(added).toBe(true)
    expect(types).toEqual({ visits: 'number', other: 'boolean' })
  })

  it('known names of the same type add nothing', () => {
    const types: Record<string, AttributeType> = { visits: 'number' }
    expect(limit(typed({ visits: 2 }), types)).toEqual({ rejected: [], added: false })
  })

  it('inherited Object.prototype names are not locked types', () => {
    const types: Record<string, AttributeType> = {}
    const { rejected } = limit(typed({ toString: 'a', hasOwnProperty: 1 }), types)
    expect(rejected).toEqual([])
  })

  it('caps custom attributes at 100; name, email and mobile do not count', () => {
    const types: Record<string, AttributeType> = {}
    const many: Record<string, number> = {}
    for (let i = 0; i < 101; i++) many[`a${i}`] = i
    const input = typed({ name: 'n', email: 'e', mobile: 'm', ...many })
    const { rejected } = limit(input, types)
    expect(rejected.map((r) => r.attribute)).toEqual(['a100'])
    expect(Object.keys(types)).toHaveLength(103)
    const later = typed({ a0: 5, b: 1, email: 'x' })
    expect(limit(later, types).rejected.map((r) => r.attribute)).toEqual(['b'])
    expect(Object.keys(types)).toHaveLength(103)
  })
})
