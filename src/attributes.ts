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
  /** The call stamp, set when the value is staged: present from the start so every typed value has one shape. */
  at?: number
}

/**
 * Every typed value is made here, with its `at` slot already in place: stamping it later then
 * changes no object's shape. Adding the property afterwards cost a hidden-class change and an
 * allocation per attribute, a third of the push path's time.
 */
const asTyped = (type: AttributeType, value: AttributeValue): Typed => ({ type, value, at: undefined })

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

/** Describes a value for a message without ever throwing (symbols, revoked proxies...). */
export function describe(value: unknown): string {
  try {
    if (value === null) return 'null'
    if (Array.isArray(value)) return 'an array'
    if (value instanceof Date) return value.getTime() === value.getTime() ? 'a Date' : 'an invalid Date'
    const t = typeof value
    if (t === 'string') return `a string of ${characters(value as string)} characters`
    if (t === 'number' || t === 'bigint') return `${t} ${String(value)}`
    return t === 'object' ? 'an object' : t === 'undefined' ? t : `a ${t}`
  } catch {
    return 'an unreadable value'
  }
}

/** One value to its typed form, or the reason it cannot be sent as it is. */
export function typeValue(value: unknown, rules: Rules, name = ''): Typed | string {
  const typed = typeScalar(value, rules)
  if (typeof typed === 'string' || !rules.value) return typed
  return rules.value(name, typed) ?? typed
}

function typeScalar(value: unknown, rules: Rules): Typed | string {
  if (Array.isArray(value) && rules.arrayMax) return typeArray(value, rules, rules.arrayMax)
  switch (typeof value) {
    case 'string': {
      const over = tooLong(value, rules.stringMax)
      return over
        ? `the value has ${over} characters; the limit is ${rules.stringMax} (Userbeam never truncates: shorten it before sending)`
        : asTyped('string', value)
    }
    case 'number':
      return Number.isFinite(value)
        ? asTyped('number', value)
        : `${value} is not a finite number`
    case 'boolean':
      return asTyped('boolean', value)
    case 'bigint': {
      const n = Number(value)
      // Sent only when JSON writes the integer's own digits: past 2^53 a number may round, and
      // 2n ** 64n, though exact, is written as 18446744073709552000, another integer to a precise parser.
      return String(n) === String(value)
        ? asTyped('number', n)
        : `BigInt ${value} cannot be represented exactly as a JSON number; send it as a string`
    }
  }
  if (value instanceof Date) {
    const time = value.getTime()
    return time === time ? asTyped('date', value.toISOString()) : 'the value is an invalid Date'
  }
  return `the value is ${describe(value)}; allowed are string, number, boolean, Date and exact BigInt`
}

/** Arrays of one scalar type (not dates), each item within the string limit. */
function typeArray(list: unknown[], rules: Rules, max: number): Typed | string {
  if (list.length > max) return `the array has ${list.length} items; the limit is ${max}`
  const items: (string | number | boolean)[] = []
  let first: string | undefined
  for (let i = 0; i < list.length; i++) {
    const value = list[i]
    const t = typeof value
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint') return `item ${i} is ${describe(value)}; arrays hold strings, numbers or booleans`
    const item = typeScalar(value, rules)
    if (typeof item === 'string') return `item ${i}: ${item}`
    if (first && item.type !== first) return `item ${i} is a ${item.type} but item 0 is a ${first}; arrays hold one type`
    first = item.type
    items.push(item.value as string | number | boolean)
  }
  return asTyped('array', items)
}

/** Checks a name against the rules; returns the reason it is refused, or undefined. */
export function nameProblem(name: string, rules: Rules): string | undefined {
  if (!name) return 'attribute names must not be empty'
  if (FORBIDDEN.includes(name)) return `"${name}" is a reserved JavaScript name`
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
 * checkAttributes for the push path: each refusal goes to `reject` as it is found, and only the
 * accepted values are returned (no result object, no array when nothing is refused).
 * @example
 * const typed = readAttributes({ plan: 'pro', bad: NaN }, rules, (r) => console.warn(r.attribute, r.reason))
 */
export function readAttributes(input: unknown, rules: Rules, reject: (rejection: Rejection) => void): Record<string, Typed> {
  const attributes: Record<string, Typed> = {}
  if (input == null) return attributes
  let keys: string[]
  try {
    let date = false
    try {
      date = input instanceof Date
    } catch {
      // A Proxy whose getPrototypeOf trap throws: read it as a plain object.
    }
    if (typeof input !== 'object' || Array.isArray(input) || date) {
      reject({ reason: `expected an object of attributes, got ${describe(input)}` })
      return attributes
    }
    // Enumerable own string keys: what a spread or JSON would see. Symbols are reported, not read.
    keys = Object.keys(input)
    for (const symbol of Object.getOwnPropertySymbols(input)) {
      reject({ attribute: String(symbol), reason: 'attribute names must be strings, not symbols' })
    }
  } catch {
    reject({ reason: 'the attributes object could not be read' })
    return attributes
  }
  for (const key of keys) {
    const problem = nameProblem(key, rules)
    let typed: Typed | string
    if (problem) typed = problem
    else {
      try {
        typed = typeValue((input as Record<string, unknown>)[key], rules, key)
      } catch {
        typed = 'reading the value threw an error'
      }
    }
    if (typeof typed === 'string') reject({ attribute: key, reason: typed })
    else attributes[key] = typed
  }
  return attributes
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
function limitAttribute(name: string, type: AttributeType, types: Record<string, AttributeType>, rules: Rules): string | boolean {
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
 * limitAttribute over a call's attributes, in order: removes the refused ones (each told to
 * `reject`) from `attributes` and from `list`, their names (the push path reads them once);
 * returns whether a type was newly recorded.
 * @example
 * applyProfileLimits(checked.attributes, profile.types, rules, (r) => console.warn(r.reason))
 */
export function applyProfileLimits(
  attributes: Record<string, { type: AttributeType }>,
  types: Record<string, AttributeType>,
  rules: Rules,
  reject: (rejection: Rejection) => void,
  list = names(attributes),
): boolean {
  let added = false
  for (let i = 0; i < list.length; i++) {
    const name = list[i]
    const verdict = limitAttribute(name, attributes[name].type, types, rules)
    if (typeof verdict === 'string') {
      reject({ attribute: name, reason: verdict })
      delete attributes[name]
      list.splice(i--, 1)
    } else added ||= verdict
  }
  return added
}
