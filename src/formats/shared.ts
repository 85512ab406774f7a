/**
 * Helpers two or more vendor formats share. Pure.
 */
import type { AttributeValue, ProfileRecord } from '../types'

/** The id a vendor gets: the user id, or (only with holdAnonymous: false) the anonymous id. */
export const profileId = (record: ProfileRecord): string => record.userId ?? record.anonymousId

/** A record's attributes as a flat name -> value object (dates stay ISO 8601 strings). */
export function flatValues(record: ProfileRecord, rename: (name: string) => string = (n) => n) {
  const values: Record<string, AttributeValue> = {}
  for (const name in record.attributes) values[rename(name)] = record.attributes[name].value
  return values
}

/**
 * For vendors whose dates carry whole seconds: refuses a Date with milliseconds rather than
 * dropping them silently (that would change the instant).
 */
export function wholeSeconds(_name: string, typed: { type: string; value: unknown }): string | undefined {
  if (typed.type === 'date' && !String(typed.value).endsWith('.000Z')) {
    return 'this destination stores dates to the second and this Date has milliseconds; round it first (new Date(Math.floor(date / 1000) * 1000))'
  }
}

/** Reads a vendor's JSON error body; undefined when it is not JSON. */
export function parseBody(body: string): any {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

/** JSON request headers merged with the site's own. */
export const jsonHeaders = (headers: Record<string, string>, extra: Record<string, string> = {}) => ({
  'Content-Type': 'application/json',
  ...extra,
  ...headers,
})
