/**
 * user.com: `POST <base>users/update_or_create/` with `user_id` and the standard fields, then,
 * only after it succeeded, `POST <base>users-by-id/<user_id>/set_multiple_attributes/` with the
 * custom attributes. `<base>` is the API base (`https://<app>.user.com/api/public/`) or a relay's.
 */
import { tooLong } from '../attributes.js'
import type { Format, OutgoingRequest, ProfileRecord } from '../types.js'
import { readBody, refusal } from './answers.js'
import { dateProblem } from './dates.js'
import { jsonHeaders, plainValues } from './wire.js'
import { profileId } from '../records.js'
import { names, stringify } from '../own.js'

/** The fields update_or_create takes at top level (user_id is the profile's id). */
const USERCOM_FIELDS = ['assigned_to', 'city', 'company_id', 'country', 'email', 'facebook_url', 'first_name', 'gender', 'google_url', 'gravatar_url', 'last_name', 'linkedin_url', 'notifications', 'phone_number', 'region', 'score', 'status', 'timezone', 'twitter_url', 'unsubscribed']

/** The SDK's reserved `mobile` is user.com's phone_number. */
const field = (name: string) => (name === 'mobile' ? 'phone_number' : name)
const E164 = /^\+[1-9]\d{1,14}$/

/**
 * The update_or_create request and, when the profile has custom attributes, its
 * set_multiple_attributes step in `then`. Both carry the same records: they settle only when
 * the whole chain succeeded.
 */
function upsert(record: ProfileRecord, base: string, query: string, headers: Record<string, string>): OutgoingRequest {
  const id = profileId(record)
  const records = [record]
  const standard: Record<string, unknown> = { user_id: id }
  const custom: Record<string, unknown> = {}
  const values = plainValues(record, field)
  for (const name of names(values)) (USERCOM_FIELDS.includes(name) ? standard : custom)[name] = values[name]
  const post = (path: string, body: object) => ({ url: base + path + query, method: 'POST', headers, body: stringify(body), records })
  const first: OutgoingRequest = post('users/update_or_create/', standard)
  if (Object.keys(custom).length) first.then = post(`users-by-id/${encodeURIComponent(id)}/set_multiple_attributes/`, custom)
  return first
}

/**
 * Limits: names 1-255 characters, not user_id (set it with identify); first_name and last_name
 * strings of at most 40 characters; phone_number (and `mobile`) strings in E.164; dates in the
 * years 0000-9999 (sent as ISO 8601 with the `Z` offset).
 * @example
 * createClient({ destination: 'usercom', endpoint: '/relay/usercom/' })
 */
export const usercom: Format = {
  name: 'usercom',
  rules: {
    idMax: Infinity,
    nameMax: 255,
    stringMax: Infinity,
    customMax: Infinity,
    standard: [...USERCOM_FIELDS, 'mobile'],
    typeLock: false,
    name: (name) => (name === 'user_id' ? 'user_id is the profile\'s id: pass it to identify(userId)' : undefined),
    // The id is a path segment of set_multiple_attributes: a URL reads "." and ".." as directories.
    id: (id) => (id === '.' || id === '..' ? `user.com ids cannot be "${id}": in the request's URL it would name another path` : undefined),
    value(name, { type, value }) {
      if (name === 'first_name' || name === 'last_name') {
        if (type !== 'string') return `${name} must be a string`
        const over = tooLong(value as string, 40)
        if (over) return `${name} has ${over} characters; user.com allows at most 40`
      } else if (name === 'phone_number' || name === 'mobile') {
        if (type !== 'string' || !E164.test(value as string)) return 'the phone number must be a string in E.164 form, like "+919876543210"'
      } else if (type === 'date') return dateProblem(value as string, 'millisecond')
    },
  },
  anonymous: false,
  batch: 20,
  build(records, { endpoint, headers }) {
    // The paths go before the endpoint's query or fragment, if it has one.
    const [, path, query] = /^([^?#]*)(.*)$/.exec(endpoint)!
    const base = path.endsWith('/') ? path : `${path}/`
    const head = jsonHeaders(headers, { Accept: '*/*; version=2' })
    return records.map((record) => upsert(record, base, query, head))
  },
  classify(answer) {
    // user.com answers in Django REST framework style: `{ detail }`, or field errors like `{ email: [...] }`.
    const detail = readBody(answer.body)?.detail
    return refusal('user.com', answer, { message: typeof detail === 'string' ? detail : undefined })
  },
}
