/**
 * Haptik: `POST <base>/v1.0/user/` the first time an id is sent, `PUT` afterwards. name, email
 * and mobile map to name, email and mobile_no, language_code goes top level, everything else
 * into a flat custom_data.
 */
import type { Format } from '../types'
import { flatValues, jsonHeaders, parseBody, profileId } from './shared'

const TOP = { name: 'name', email: 'email', mobile: 'mobile_no', language_code: 'language_code' } as Record<string, string>

/** Haptik's auth_id is alphanumeric; an anonymous id loses its dashes. */
const authId = (id: string) => id.replace(/-/g, '')

export const haptik: Format = {
  name: 'haptik',
  rules: {
    idMax: Infinity,
    nameMax: Infinity,
    stringMax: Infinity,
    customMax: Infinity,
    standard: Object.keys(TOP),
    typeLock: false,
    id: (id) => (/^[A-Za-z0-9]+$/.test(id) ? undefined : 'Haptik auth_id must be alphanumeric (letters and digits only)'),
    value: (name, { value }) =>
      name === 'language_code' && !/^[a-z]{2}$/.test(String(value)) ? 'language_code must be an ISO 639-1 code such as "en" or "hi"' : undefined,
  },
  anonymous: false,
  batch: 20,
  build: (records, { endpoint, headers, created }) =>
    records.map((record) => {
      const id = authId(profileId(record))
      const body: Record<string, unknown> = { auth_id: id }
      const custom: Record<string, unknown> = {}
      const values = flatValues(record)
      for (const name in values) (TOP[name] ? body : custom)[TOP[name] ?? name] = values[name]
      if (Object.keys(custom).length) body.custom_data = custom
      const known = created(id)
      return { url: endpoint, method: known ? 'PUT' : 'POST', headers: jsonHeaders(headers), body: JSON.stringify(body), records: [record], creates: known ? undefined : [id] }
    }),
  classify(answer) {
    const message = parseBody(answer.body)?.error_message
    if (answer.status === 401) return { kind: 'auth', reason: `HTTP 401: Haptik refused the credentials (${message ?? 'no message'}). Queued updates are kept.` }
    if (answer.status >= 400 && answer.status < 500 && ![401, 403, 408, 413, 429].includes(answer.status)) {
      return { kind: 'drop', reason: `Haptik refused the user (HTTP ${answer.status}): ${message ?? answer.body}` }
    }
  },
}
