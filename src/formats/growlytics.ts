/**
 * Growlytics: `POST <endpoint>` (https://dcqs-india.growlytics.in/rest-api/customer or a relay),
 * one profile per request as `{ id, attributes: [{ name, type, value }] }`, dates as
 * `YYYY-MM-DD HH:MM:SS` UTC. The json format's default limits are Growlytics' own.
 */
import { growlyticsRules } from '../attributes.js'
import type { Format, ProfileRecord } from '../types.js'
import { explain, readBody, refusal } from './answers.js'
import { secondsDate, wholeSecondDates } from './dates.js'
import { jsonHeaders } from './wire.js'
import { profileId } from '../records.js'
import { stringify } from '../own.js'

/**
 * One profile as Growlytics' customer body.
 * @example
 * growlyticsCustomer(record)
 * // { id: 'u-42', attributes: [{ name: 'Last Order Date', type: 'date', value: '2026-11-23 10:00:00' }] }
 */
function growlyticsCustomer(record: ProfileRecord) {
  return {
    id: profileId(record),
    attributes: Object.keys(record.attributes).map((name) => {
      const { type, value } = record.attributes[name]
      return { name, type, value: type === 'date' ? secondsDate(value as string, ' ', '') : value }
    }),
  }
}

/**
 * Limits: id 1-40 characters; names 1-49 characters; at most 100 custom attributes (name, email,
 * mobile do not count); strings at most 512 characters; no arrays; first type wins; dates to the
 * second, years 0000-9999.
 * @example
 * createClient({ destination: 'growlytics', endpoint: '/relay/growlytics' })
 */
export const growlytics: Format = {
  name: 'growlytics',
  rules: { ...growlyticsRules, value: wholeSecondDates },
  anonymous: false,
  // No batch endpoint exists: each profile is its own request, sent one after another.
  batch: 20,
  build: (records, { endpoint, headers }) =>
    records.map((record) => ({
      url: endpoint,
      method: 'POST',
      headers: jsonHeaders(headers, { Accept: 'application/json' }),
      body: stringify(growlyticsCustomer(record)),
      records: [record],
    })),
  classify(answer) {
    // The 422 body "lists what is wrong" in no documented shape: the raw body is the message.
    if (answer.status >= 200 && answer.status < 300 && readBody(answer.body)?.success === false) {
      return { kind: 'drop', reason: explain('Growlytics', answer) }
    }
    return refusal('Growlytics', answer)
  },
}
