/**
 * Validation at the edge: turns whatever the page passed into typed attribute values, and says
 * exactly why each rejected one was rejected. Pure: no browser API, so the relay reuses it.
 * Nothing here throws, whatever the input (proxies with throwing traps, getters, cycles).
 */
import type { AttributeType, AttributeValue, Rules } from './types.js'
import { names, own } from './own.js'

/** The Growlytics limits: also the default limits of the `json` format. */
export const growlyticsRules: Rules = {
  idMax: 40,
  nameMax: 49,
  stringMax: 512,
  customMax: 100,
  standard: ['name', 'email', 'mobile'],
  typeLock: true,
}

export interface Typed {
  type: AttributeType
  value: AttributeValue
}

const asTyped = (type: AttributeType, value: AttributeValue): Typed => ({ type, value })

/** Why an attribute (or, without `attribute`, the whole attributes argument) was refused. */
export interface Rejection {
  attribute?: string
  reason: string
}

export interface Checked {
  attributes: Record<string, Typed>
  rejected: Rejection[]
}

const FORBIDDEN = ['__proto__', 'constructor', 'prototype']

/** Characters as the vendors' limits count them: code points, so an emoji is one, not two UTF-16 units. */
export const characters = (text: string): number => [...text].length

/** The characters of `text` when there are more than `max`, else 0. Within max UTF-16 units, no count (hot path). */
export function tooLong(text: string, max: number): number {
  if (text.length <= max) return 0
  const count = characters(text)
  return count > max ? count : 0
}

const getTime = Date.prototype.getTime
/**
 * The time of a Date (NaN when invalid), undefined for anything else. Any realm's Date: a same-origin
 * iframe's `new Date()` is no `instanceof Date` here. Throws inside for a non-Date: not for the push path.
 */
function timeOf(value: unknown): number | undefined {
  try {
    return getTime.call(value)
  } catch {}
}

/** Describes a value for a message without ever throwing (symbols, revoked proxies...). */
export function describe(value: unknown): string {
  try {
    if (value === null) return 'null'
    if (Array.isArray(value)) return 'an array'
    const time = timeOf(value)
    if (time !== undefined) return time === time ? 'a Date' : 'an invalid Date'
    const t = typeof value
    if (t === 'string') return `a string of ${characters(value as string)} characters`
    if (t === 'number' || t === 'bigint') return `${t} ${String(value)}`
    return t === 'object' ? 'an object' : t === 'undefined' ? t : `a ${t}`
  } catch {
    return 'an unreadable value'
  }
}

/**
 * The typed form of the value read last (typeInto): one object, reused, so that reading a value
 * allocates nothing on the push path. Read at once: the next read overwrites it.
 */
const probe: Typed = asTyped('string', '')
/** Sets `probe`; undefined: no problem. */
const found = (type: AttributeType, value: AttributeValue): undefined => {
  probe.type = type
  probe.value = value
}

/** One value to its typed form, or the reason it cannot be sent as it is. */
export function typeValue(value: unknown, rules: Rules, name = ''): Typed | string {
  return typeInto(value, rules, name) ?? asTyped(probe.type, probe.value)
}

/** Reads one value into `probe`, the destination's own check included; returns the reason it cannot be sent as it is. */
function typeInto(value: unknown, rules: Rules, name: string): string | undefined {
  return scalarInto(value, rules) ?? rules.value?.(name, probe)
}

function scalarInto(value: unknown, rules: Rules): string | undefined {
  if (Array.isArray(value) && rules.arrayMax) return arrayInto(value, rules, rules.arrayMax)
  switch (typeof value) {
    case 'string': {
      const over = tooLong(value, rules.stringMax)
      return over
        ? `the value has ${over} characters; the limit is ${rules.stringMax} (Userbeam never truncates: shorten it before sending)`
        : found('string', value)
    }
    case 'number':
      return Number.isFinite(value) ? found('number', value) : `${value} is not a finite number`
    case 'boolean':
      return found('boolean', value)
    case 'bigint': {
      const n = Number(value)
      // Sent only when JSON writes the integer's own digits: past 2^53 a number may round, and
      // 2n ** 64n, though exact, is written as 18446744073709552000, another integer to a precise parser.
      return String(n) === String(value)
        ? found('number', n)
        : `BigInt ${value} cannot be represented exactly as a JSON number; send it as a string`
    }
  }
  const time = timeOf(value)
  if (time !== undefined) return time === time ? found('date', new Date(time).toISOString()) : 'the value is an invalid Date'
  return `the value is ${describe(value)}; allowed are string, number, boolean, Date and exact BigInt`
}

/** Arrays of one scalar type (not dates), each item within the string limit. */
function arrayInto(list: unknown[], rules: Rules, max: number): string | undefined {
  if (list.length > max) return `the array has ${list.length} items; the limit is ${max}`
  const items: (string | number | boolean)[] = []
  let first: string | undefined
  for (let i = 0; i < list.length; i++) {
    const value = list[i]
    const t = typeof value
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint') return `item ${i} is ${describe(value)}; arrays hold strings, numbers or booleans`
    const problem = scalarInto(value, rules)
    if (problem) return `item ${i}: ${problem}`
    if (first && probe.type !== first) return `item ${i} is a ${probe.type} but item 0 is a ${first}; arrays hold one type`
    first = probe.type
    items.push(probe.value as string | number | boolean)
  }
  return found('array', items)
}

/** Checks a name against the rules; returns the reason it is refused, or undefined. */
export function nameProblem(name: string, rules: Rules): string | undefined {
  if (!name) return 'attribute names must not be empty'
  if (FORBIDDEN.includes(name)) return `"${name}" is a reserved JavaScript name`
  // Object.freeze(Object.prototype), a guard against prototype pollution, makes "toString" and its
  // like read-only on every plain object: such a name cannot be set, so it is refused on its own.
  const inherited = Object.getOwnPropertyDescriptor(Object.prototype, name)
  if (inherited && !inherited.writable && !inherited.set) return `"${name}" is read-only in this page (its Object.prototype is frozen)`
  const over = tooLong(name, rules.nameMax)
  if (over) return `the name has ${over} characters; the limit is ${rules.nameMax}`
  return rules.name?.(name)
}

/** Reads an attribute object as it is at the moment of the call (later mutation has no effect). */
export function checkAttributes(input: unknown, rules: Rules): Checked {
  const rejected: Rejection[] = []
  return { attributes: readAttributes(input, rules, (r) => rejected.push(r)), rejected }
}

/**
 * checkAttributes for calls applied later (before storage answers, identify): each refusal goes
 * to `reject` as it is found, and only the accepted values are returned.
 * @example
 * const typed = readAttributes({ plan: 'pro', bad: NaN }, rules, (r) => console.warn(r.attribute, r.reason))
 */
export function readAttributes(input: unknown, rules: Rules, reject: (rejection: Rejection) => void): Record<string, Typed> {
  const attributes: Record<string, Typed> = {}
  eachAttribute(input, rules, reject, (name, type, value) => (attributes[name] = asTyped(type, value)))
  return attributes
}

/** Names that passed nameProblem under the rules `namesOf`, up to 500: not checked again (push path). */
let namesOf: Rules | undefined
let accepted = new Set<string>()

/** Where eachAttribute hands each accepted attribute. */
export type Accept = (name: string, type: AttributeType, value: AttributeValue) => void

/**
 * Reads an attribute object as it is at the moment of the call: each refusal goes to `reject` as
 * it is found, each accepted value to `accept`. The push path: a plain value allocates nothing.
 * @example
 * eachAttribute({ plan: 'pro', bad: NaN }, rules, (r) => console.warn(r.reason), (name, type, value) => store(name, type, value))
 */
export function eachAttribute(input: unknown, rules: Rules, reject: (rejection: Rejection) => void, accept: Accept): void {
  if (input == null) return
  let keys: string[]
  try {
    // Enumerable own string keys: what a spread or JSON would see. Symbols are reported, not read.
    // A Date has none: only then is it told apart from an object (no exception per push).
    if (typeof input !== 'object' || Array.isArray(input) || (!(keys = Object.keys(input)).length && timeOf(input) !== undefined)) {
      return reject({ reason: `expected an object of attributes, got ${describe(input)}` })
    }
    const symbols = Object.getOwnPropertySymbols(input)
    for (let i = 0; i < symbols.length; i++) {
      reject({ attribute: String(symbols[i]), reason: 'attribute names must be strings, not symbols' })
    }
  } catch {
    return reject({ reason: 'the attributes object could not be read' })
  }
  if (rules !== namesOf) {
    namesOf = rules
    accepted = new Set()
  }
  // Indexed loops on the push path: before the code is optimized, for...of allocates an iterator
  // and a result object per step (about 120 bytes per push, and the collections they caused).
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    let problem = accepted.has(key) ? undefined : nameProblem(key, rules)
    if (!problem) {
      if (accepted.size < 500) accepted.add(key)
      try {
        problem = typeInto((input as Record<string, unknown>)[key], rules, key)
      } catch {
        problem = 'reading the value threw an error'
      }
    }
    if (problem) reject({ attribute: key, reason: problem })
    else accept(key, probe.type, probe.value)
  }
}

/** Checks a user id; returns the reason it is refused, or undefined. */
export function idProblem(id: unknown, rules: Rules): string | undefined {
  if (typeof id !== 'string') return `the user id must be a string, got ${describe(id)}`
  if (!id.trim()) return id ? 'the user id must not be only whitespace' : 'the user id must not be empty'
  const over = tooLong(id, rules.idMax)
  if (over) return `the user id has ${over} characters; the limit is ${rules.idMax}`
  return rules.id?.(id)
}

/**
 * Profile-wide limits for one attribute, applied in call order against what the profile already
 * holds: the first-type-wins lock and the custom attribute cap. Returns the reason it is refused,
 * or whether its type was newly recorded in `types`. A known name costs one lookup (push path);
 * a new custom name counts the profile's custom names.
 * @example
 * limitAttribute('plan', 'string', profile.types, rules) // true: a new name, its type now locked
 */
export function limitAttribute(name: string, type: AttributeType, types: Record<string, AttributeType>, rules: Rules): string | boolean {
  // Own properties only: toString, valueOf... are ordinary attribute names, not inherited types.
  const locked = own(types, name) ? types[name] : undefined
  if (locked) return rules.typeLock && locked !== type ? `its type is locked to ${locked} by its first value; got ${type}` : false
  // Counted only where there is a cap (MoEngage has none, and its profiles may hold many names).
  if (rules.customMax < Infinity && !rules.standard.includes(name) && Object.keys(types).filter((n) => !rules.standard.includes(n)).length >= rules.customMax) {
    return `the profile already has ${rules.customMax} custom attributes, the limit`
  }
  types[name] = type
  return true
}

/**
 * limitAttribute over attributes, in order, each refused one told to `reject`; returns whether a
 * type was newly recorded.
 * @example
 * applyProfileLimits(checked.attributes, profile.types, rules, (r) => console.warn(r.reason))
 */
export function applyProfileLimits(
  attributes: Record<string, { type: AttributeType }>,
  types: Record<string, AttributeType>,
  rules: Rules,
  reject: (rejection: Rejection) => void,
): boolean {
  let added = false
  for (const name of names(attributes)) {
    const verdict = limitAttribute(name, attributes[name].type, types, rules)
    if (typeof verdict === 'string') reject({ attribute: name, reason: verdict })
    else added ||= verdict
  }
  return added
}
