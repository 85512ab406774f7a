/**
 * What a request in a destination's format is, read back on the relay: which vendor paths and
 * methods the SDK uses (no other is forwarded with the credential), and the profile ids and
 * attribute values it carries, so the relay can apply the same rules again (never trusting the
 * browser).
 */

export interface CarriedProfile {
  /** The user id (or, where the format has no other id, the anonymous id); null for json anonymous profiles. */
  id: string | null
  values: Record<string, unknown>
  /** The type each value declares, in the typed formats (json, Growlytics). */
  types?: Record<string, unknown>
  /** A signature the body itself carries (json). */
  signature?: string
}

/** A typed attribute list (`[{ name, type, value }]`) as values and declared types by name. */
function typedList(list: unknown): Pick<CarriedProfile, 'values' | 'types'> {
  const entries = Array.isArray(list) ? list : []
  return {
    values: Object.fromEntries(entries.map((a: any) => [String(a?.name), a?.value])),
    types: Object.fromEntries(entries.map((a: any) => [String(a?.name), a?.type])),
  }
}

/** Reads the profiles of `body` sent to `path` in `destination`'s format; throws on a malformed body. */
export function carriedProfiles(destination: string, path: string, body: any): CarriedProfile[] {
  if (!body || typeof body !== 'object') throw new Error('the body is not a JSON object')
  switch (destination) {
    case 'json':
      return (body.profiles as any[]).map((p) => ({ id: p.userId ?? null, ...typedList(p.attributes), signature: p.signature }))
    case 'growlytics':
      return [{ id: String(body.id), ...typedList(body.attributes) }]
    case 'usercom': {
      const byId = /users-by-id\/([^/]+)\/set_multiple_attributes\/?$/.exec(path)
      if (byId) return [{ id: decodeURIComponent(byId[1]), values: body }]
      const { user_id, ...values } = body
      return [{ id: String(user_id), values }]
    }
    case 'moengage': {
      const customers = body.type === 'transition' ? body.elements : [body]
      return (customers as any[]).map((c) => ({ id: String(c.customer_id), values: c.attributes ?? {} }))
    }
    case 'haptik': {
      const { auth_id, custom_data, ...top } = body
      return [{ id: String(auth_id), values: { ...top, ...custom_data } }]
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
      return post && (!suffix || /^(v1\/)?(customer|transition)\/[^/]+\/?$/.test(suffix))
    case 'haptik':
      return !suffix
  }
  return post && !suffix
}
