/**
 * The `json` format: Userbeam's own batch of typed profiles, for your backend or a relay.
 * Pure: records in, requests out.
 */
import { growlyticsRules } from '../attributes.js'
import type { Format, ProfileRecord } from '../types.js'
import { jsonHeaders } from './wire.js'
import { stringify } from '../own.js'

/** One profile on the wire. */
export function jsonProfile(record: ProfileRecord) {
  return {
    userId: record.userId,
    anonymousId: record.anonymousId,
    attributes: Object.keys(record.attributes).map((name) => {
      const { type, value } = record.attributes[name]
      return { name, type, value }
    }),
    messageId: record.messageId,
    ...(record.signature ? { signature: record.signature } : {}),
  }
}

export const json: Format = {
  name: 'json',
  rules: growlyticsRules,
  anonymous: true,
  batch: 100,
  build: (records, { endpoint, headers, now }) => [
    {
      url: endpoint,
      method: 'POST',
      headers: jsonHeaders(headers),
      body: stringify({ sentAt: new Date(now).toISOString(), profiles: records.map(jsonProfile) }),
      records,
    },
  ],
}
