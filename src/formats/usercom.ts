/**
 * user.com: `POST users/update_or_create/` with the standard fields, then (only after it
 * succeeded) `POST users-by-id/<user_id>/set_multiple_attributes/` with the custom ones.
 * `endpoint` is the API base, e.g. `https://<app>.user.com/api/public/` or your relay's.
 */
import type { Format, ProfileRecord } from '../types'
import { flatValues, jsonHeaders, parseBody, profileId } from './shared'

/** The fields update_or_create accepts at top level. */
export const USERCOM_STANDARD = ['assigned_to', 'city', 'company_id', 'country', 'email', 'facebook_url', 'first_name', 'gender', 'google_url', 'gravatar_url', 'last_name', 'linkedin_url', 'notifications', 'phone_number', 'region', 'score', 'status', 'timezone', 'twitter_url', 'unsubscribed']

/** The SDK's reserved `mobile` is user.com's phone_number. */
const rename = (name: string) => (name === 'mobile' ? 'phone_number' : name)
const E164 = /^\+[1-9]\d{1,14}$/

export const usercom: Format = {
  name: 'usercom',
  rules: {
    idMax: Infinity,
    nameMax: 255,
    stringMax: Infinity,
    customMax: Infinity,
    standard: [...USERCOM_STANDARD, 'mobile'],
    typeLock: false,
    value(name, { value }) {
      if ((name === 'first_name' || name === 'last_name') && String(value).length > 40) return `${name} is limited to 40 characters`
      if ((name === 'phone_number' || name === 'mobile') && !E164.test(String(value))) return 'phone numbers must be in E.164 form, like +919876543210'
    },
  },
  anonymous: false,
  batch: 20,
  build(records, { endpoint, headers }) {
    const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`
    const head = jsonHeaders(headers, { Accept: '*/*; version=2' })
    return records.map((record: ProfileRecord) => {
      const id = profileId(record)
      const standard: Record<string, unknown> = { user_id: id }
      const custom: Record<string, unknown> = {}
      const values = flatValues(record, rename)
      for (const name in values) (USERCOM_STANDARD.includes(name) ? standard : custom)[name] = values[name]
      const then = Object.keys(custom).length
        ? { url: `${base}users-by-id/${encodeURIComponent(id)}/set_multiple_attributes/`, method: 'POST', headers: head, body: JSON.stringify(custom), records: [record] }
        : undefined
      return { url: `${base}users/update_or_create/`, method: 'POST', headers: head, body: JSON.stringify(standard), records: [record], then }
    })
  },
  classify(answer) {
    if (answer.status === 400 || answer.status === 404) {
      const body = parseBody(answer.body)
      return { kind: 'drop', reason: `user.com refused the profile (HTTP ${answer.status}): ${body?.detail ?? body?.errors ? JSON.stringify(body.detail ?? body.errors) : answer.body}` }
    }
  },
}
