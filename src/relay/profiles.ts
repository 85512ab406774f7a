/**
 * What a request in a destination's format is, read back on the relay: which vendor paths and
 * methods the SDK uses (no other is forwarded with the credential), and the profile ids and
 * attribute values it carries, so the relay can apply the same rules again (never trusting the
 * browser).
 */
import { own } from '../own.js'

export interface CarriedProfile {
  /**
   * The user id as the body holds it (or, where the format has no other id, the anonymous id);
   * null for json anonymous profiles. Not trusted to be a string: the relay checks it as the
   * browser does.
   */
  id: unknown
  values: Record<string, unknown>
  /** A second set of values checked on their own (Haptik's custom_data, beside its top-level fields). */
  custom?: Record<string, unknown>
  /** The type each value declares, in the typed formats (json, Growlytics). */
  types?: Record<string, unknown>
  /** A signature the body itself carries (json). */
  signature?: string
}

/** A plain JSON object (not an array, not null), or an error naming what it is. */
function object(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/**
 * A typed attribute list (`[{ name, type, value }]`) as values and declared types by name. Each
 * name a string and given once: a repeated name would be checked once but reach the vendor twice.
 */
function typedList(list: unknown): Pick<CarriedProfile, 'values' | 'types'> {
  if (!Array.isArray(list)) throw new Error('attributes is not a list of { name, type, value }')
  // No prototype: a name "__proto__" is a key here too (the rules then refuse it), not this object's prototype.
  const values: Record<string, unknown> = Object.create(null)
  const types: Record<string, unknown> = Object.create(null)
  for (const entry of list) {
    const name = object(entry, 'an attribute').name
    if (typeof name !== 'string') throw new Error(`an attribute name is ${JSON.stringify(name) ?? 'missing'}, not a string`)
    if (own(values, name)) throw new Error(`the attribute "${name}" is given twice`)
    values[name] = entry.value
    types[name] = entry.type
  }
  return { values, types }
}

/** Haptik's top-level fields: the user id, the four the SDK maps there, and custom_data. */
const HAPTIK_TOP = ['auth_id', 'name', 'email', 'mobile_no', 'language_code', 'custom_data']

/** Reads the profiles of `body` sent to `path` in `destination`'s format; throws on a body the SDK never sends. */
export function carriedProfiles(destination: string, path: string, body: unknown): CarriedProfile[] {
  const request = object(body, 'the body')
  switch (destination) {
    case 'json': {
      if (!Array.isArray(request.profiles)) throw new Error('profiles is not a list')
      return request.profiles.map((p) => {
        const profile = object(p, 'a profile')
        return { id: profile.userId ?? null, ...typedList(profile.attributes), signature: profile.signature as string | undefined }
      })
    }
    case 'growlytics':
      return [{ id: request.id, ...typedList(request.attributes) }]
    case 'usercom': {
      const byId = /users-by-id\/([^/]+)\/set_multiple_attributes\/?$/.exec(path)
      if (byId) return [{ id: decodeURIComponent(byId[1]), values: request }]
      const { user_id, ...values } = request
      return [{ id: user_id, values }]
    }
    case 'moengage': {
      // Customers only: the bulk endpoint also imports events and devices, which the SDK never sends.
      const customers = request.type === 'transition' ? request.elements : [request]
      if (!Array.isArray(customers) || !customers.length) throw new Error('a bulk call is { type: "transition", elements: [customers] }')
      return customers.map((c) => {
        const customer = object(c, 'an element')
        if (customer.type !== 'customer') throw new Error(`only customers are forwarded, not type ${JSON.stringify(customer.type)}`)
        return { id: customer.customer_id, values: customer.attributes === undefined ? {} : object(customer.attributes, 'attributes') }
      })
    }
    case 'haptik': {
      const { auth_id, custom_data, ...top } = request
      const unknown = Object.keys(request).filter((name) => !HAPTIK_TOP.includes(name))
      if (unknown.length) throw new Error(`Haptik fields the SDK never sends: ${unknown.join(', ')}`)
      return [{ id: auth_id, values: top, custom: custom_data === undefined ? undefined : object(custom_data, 'custom_data') }]
    }
  }
  throw new Error(`unknown destination "${destination}"`)
}

/**
 * The vendor paths (after the relay's mount) and methods a destination's SDK requests use. The
 * relay forwards nothing else: with a write-scope key, any other path of the vendor's API would
 * be open to whoever can reach the relay.
 * @example
 * forwardable('usercom', 'users/update_or_create/', 'POST') // true
 * forwardable('usercom', 'users/42/delete/', 'POST') // false
 */
export function forwardable(destination: string, suffix: string, method: string): boolean {
  const post = method === 'POST'
  switch (destination) {
    case 'usercom':
      return post && /^(users\/update_or_create|users-by-id\/[^/]+\/set_multiple_attributes)\/?$/.test(suffix)
    case 'moengage':
      // A workspace id is letters, digits, - and _: no encoded slash or dot reaches the vendor.
      return post && (!suffix || /^(v1\/)?(customer|transition)\/[\w-]+\/?$/.test(suffix))
    case 'haptik':
      return !suffix
  }
  return post && !suffix
}
