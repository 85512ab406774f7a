/**
 * Growlytics: `POST /rest-api/customer`, one profile per request, typed attributes, dates as
 * `YYYY-MM-DD HH:MM:SS` UTC. The json format's default limits are Growlytics' own.
 */
import { growlyticsRules } from '../attributes'
import type { Format } from '../types'
import { jsonHeaders, parseBody, profileId, wholeSeconds } from './shared'

/** ISO 8601 UTC (whole seconds) to Growlytics' `YYYY-MM-DD HH:MM:SS`. */
export const growlyticsDate = (iso: string) => iso.slice(0, 19).replace('T', ' ')

export const growlytics: Format = {
  name: 'growlytics',
  rules: { ...growlyticsRules, value: wholeSeconds },
  anonymous: false,
  batch: 20,
  build: (records, { endpoint, headers }) =>
    records.map((record) => ({
      url: endpoint,
      method: 'POST',
      headers: jsonHeaders(headers, { Accept: 'application/json' }),
      body: JSON.stringify({
        id: profileId(record),
        attributes: Object.keys(record.attributes).map((name) => {
          const { type, value } = record.attributes[name]
          return { name, type, value: type === 'date' ? growlyticsDate(value as string) : value }
        }),
      }),
      records: [record],
    })),
  classify(answer) {
    const body = parseBody(answer.body)
    if (answer.status === 200 && body?.success === false) return { kind: 'drop', reason: `Growlytics refused the profile: ${answer.body}` }
    if (answer.status === 422) return { kind: 'drop', reason: `Growlytics: invalid input: ${answer.body}` }
  },
}
