/**
 * What every vendor request shares: the id a profile goes by, JSON headers merged with the
 * site's, and a record's attributes as plain name -> value pairs.
 */
import type { AttributeValue, ProfileRecord } from '../types.js'
import { names, own } from '../own.js'

/**
 * The vendor's content headers with the site's (or relay's) headers over them. A site header
 * replaces a default of the same name in any letter case, so none is sent twice.
 * @example
 * jsonHeaders({ 'x-growlytics-key': 'k' }, { Accept: 'application/json' })
 * // { 'Content-Type': 'application/json', Accept: 'application/json', 'x-growlytics-key': 'k' }
 */
export function jsonHeaders(site: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extra }
  for (const name of names(site)) {
    for (const own of names(headers)) if (own.toLowerCase() === name.toLowerCase()) delete headers[own]
    headers[name] = site[name]
  }
  return headers
}

/**
 * A record's attributes as name -> value (dates stay ISO strings), each name passed through
 * `rename`. When two names land on one field (user.com's `mobile` and `phone_number`), the
 * value set by the later call wins, as it would for one name.
 * @example
 * plainValues(record, (name) => (name === 'mobile' ? 'phone_number' : name))
 */
export function plainValues(record: ProfileRecord, rename = (name: string) => name): Record<string, AttributeValue> {
  const values: Record<string, AttributeValue> = {}
  const at: Record<string, number> = {}
  for (const name of names(record.attributes)) {
    const { value, at: when } = record.attributes[name]
    const field = rename(name)
    if (own(at, field) && at[field] > when) continue
    values[field] = value
    at[field] = when
  }
  return values
}
