/**
 * MoEngage: `POST /v1/customer/<workspace_id>` with one customer body, or, when several
 * profiles are pending, `POST /v1/transition/<workspace_id>` with `elements`, each call under
 * 100 KB. Dates `YYYY-MM-DDTHH:mm:ssZ`. `endpoint` is the customer URL (or your relay's).
 */
import type { Format, OutgoingRequest, ProfileRecord } from '../types'
import { flatValues, jsonHeaders, parseBody, profileId, wholeSeconds } from './shared'

/** customer_id values MoEngage refuses. */
export const MOENGAGE_BLOCKED_IDS = ['unknown', 'guest', 'null', '0', '1', 'true', 'false', 'user_attribute_unique_id', '', 'na', 'n/a', "''", 'dummy_seller_code', 'user_id', 'id', 'customer_id', 'uid', 'userid', 'none', '-2', '-1', '2']
const RESERVED = ['MOE_TIME_FORMAT', 'MOE_TIME_TIMEZONE', 'MOE_GAID', 'INSTALL', 'UPDATE', 'MOE_ISLAT', 'status', 'user_id', 'source']
/** Bulk calls stay under 100 KB; a single call under 128 KB. */
const BULK_MAX = 100_000

/** A customer body, dates to the second. */
export function moengageCustomer(record: ProfileRecord) {
  const attributes = flatValues(record)
  for (const name in record.attributes) {
    if (record.attributes[name].type === 'date') attributes[name] = (attributes[name] as string).slice(0, 19) + 'Z'
  }
  return { type: 'customer', customer_id: profileId(record), attributes }
}

export const moengage: Format = {
  name: 'moengage',
  rules: {
    idMax: Infinity,
    nameMax: 200,
    stringMax: 512,
    customMax: Infinity,
    standard: ['name', 'first_name', 'last_name', 'email', 'mobile', 'gender', 'age'],
    typeLock: false,
    arrayMax: 50,
    id: (id) =>
      id.length < 2 || MOENGAGE_BLOCKED_IDS.includes(id.toLowerCase()) ? `MoEngage refuses "${id}" as a customer_id` : undefined,
    name: (name) =>
      name === 'id' || name === '_id'
        ? `"${name}" is blocked by MoEngage`
        : /^moe_/i.test(name)
          ? 'the name starts with the reserved prefix moe_'
          : RESERVED.includes(name) || name.startsWith('USER_ATTRIBUTE_')
            ? `"${name}" is reserved by MoEngage`
            : undefined,
    value: wholeSeconds,
  },
  anonymous: false,
  batch: 100,
  build(records, { endpoint, headers }) {
    const head = jsonHeaders(headers)
    const one = (record: ProfileRecord): OutgoingRequest => ({ url: endpoint, method: 'POST', headers: head, body: JSON.stringify(moengageCustomer(record)), records: [record] })
    if (records.length === 1) return [one(records[0])]
    const bulk = endpoint.replace('/customer/', '/transition/')
    const requests: OutgoingRequest[] = []
    let group: ProfileRecord[] = []
    let elements: string[] = []
    const close = () => {
      if (!group.length) return
      requests.push(group.length === 1 ? one(group[0]) : { url: bulk, method: 'POST', headers: head, body: `{"type":"transition","elements":[${elements.join(',')}]}`, records: group })
      group = []
      elements = []
    }
    for (const record of records) {
      const element = JSON.stringify(moengageCustomer(record))
      if (group.length && elements.join(',').length + element.length + 40 > BULK_MAX) close()
      group.push(record)
      elements.push(element)
    }
    close()
    return requests
  },
  classify(answer) {
    const body = parseBody(answer.body)
    const error = body?.error
    const message = error ? `MoEngage ${error.type ?? 'error'}: ${error.message ?? ''}${error.attribute ? ` (attribute ${error.attribute})` : ''}` : answer.body
    if (answer.status >= 200 && answer.status < 300) return body?.status === 'fail' ? { kind: 'drop', reason: message } : undefined
    if (answer.status === 400 || answer.status === 409 || answer.status === 415) return { kind: 'drop', reason: message }
    if (answer.status === 401 || answer.status === 403) return { kind: 'auth', reason: `HTTP ${answer.status}: MoEngage refused the credentials (${message}). Queued updates are kept.` }
  },
}
