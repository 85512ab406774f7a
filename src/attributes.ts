/**
 * Validation at the edge: turns whatever the page passed into typed attribute values, and says
 * exactly why each rejected one was rejected. Pure: no browser API, so the relay reuses it.
 * Nothing here throws, whatever the input (proxies with throwing traps, getters, cycles).
 */
import type { AttributeType, AttributeValue, Rules } from './types'
import { own } from './own'

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

/** Describes a value for a message without ever throwing (symbols, revoked proxies...). */
export function describe(value: unknown): string {
  try {
    if (value === null) return 'null'
    if (Array.isArray(value)) return 'an array'
    if (value instanceof Date) return value.getTime() === value.getTime() ? 'a Date' : 'an invalid Date'
    const t = typeof value
    if (t === 'string') return `a string of ${(value as string).length} characters`
    if (t === 'number' || t === 'bigint') return `${t} ${String(value)}`
    return t === 'object' ? 'an object' : `a ${t}`
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
    case 'string':
      return value.length > rules.stringMax
        ? `the value has ${value.length} characters; the limit is ${rules.stringMax} (Userbeam never truncates: shorten it before sending)`
        : asTyped('string', value)
    case 'number':
      return Number.isFinite(value)
        ? asTyped('number', value)
        : `${value} is not a finite number`
    case 'boolean':
      return asTyped('boolean', value)
    case 'bigint': {
      const n = Number(value)
      // Only a BigInt that survives the round trip is sent: anything else would change the number.
      return BigInt(n) === value
        ? asTyped('number', n)
        : `BigInt ${value} cannot be represented exactly as a number; send it as a string`
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
    const item = typeScalar(list[i], { ...rules, arrayMax: 0 })
    if (typeof item === 'string') return `item ${i}: ${item}`
    if (item.type === 'date' || item.type === 'array') return `item ${i} is a ${item.type}; arrays hold strings, numbers or booleans`
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
  if (name.length > rules.nameMax) return `the name has ${name.length} characters; the limit is ${rules.nameMax}`
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
  if (!id.trim()) return 'the user id must not be empty'
  if (id.length > rules.idMax) return `the user id has ${id.length} characters; the limit is ${rules.idMax}`
  return rules.id?.(id)
}

/**
 * Profile-wide limits, applied in call order against what the profile already holds: the
 * first-type-wins lock and the custom attribute cap. Removes refused attributes from `attributes`
 * (each one told to `reject`) and records newly seen types in `types`; returns whether it did.
 * On the push path: nothing is allocated when every name is known.
 * @example
 * applyProfileLimits(checked.attributes, profile.types, rules, (r) => console.warn(r.reason))
 */
export function applyProfileLimits(
  attributes: Record<string, Typed>,
  types: Record<string, AttributeType>,
  rules: Rules,
  reject: (rejection: Rejection) => void,
): boolean {
  let added = false
  let custom = -1 // counted on the first new name only: pushes of known names stay O(attributes)
  for (const name in attributes) {
    const { type } = attributes[name]
    // Own properties only: toString, valueOf... are ordinary attribute names, not inherited types.
    const locked = own(types, name) ? types[name] : undefined
    if (locked) {
      if (rules.typeLock && locked !== type) {
        reject({ attribute: name, reason: `its type is locked to ${locked} by its first value; got ${type}` })
        delete attributes[name]
      }
      continue
    }
    if (!rules.standard.includes(name)) {
      if (custom < 0) custom = Object.keys(types).filter((n) => !rules.standard.includes(n)).length
      if (custom >= rules.customMax) {
        reject({ attribute: name, reason: `the profile already has ${rules.customMax} custom attributes, the limit` })
        delete attributes[name]
        continue
      }
      custom++
    }
    types[name] = type
    added = true
  }
  return added
}
