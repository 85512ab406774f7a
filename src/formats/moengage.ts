/**
 * MoEngage: `POST <endpoint>` (`.../v1/customer/<workspace_id>`) with one customer body, or, when
 * several profiles are pending, `POST .../v1/transition/<workspace_id>` with
 * `{ type: 'transition', elements }`, each call under 100 KB. Dates `YYYY-MM-DDTHH:mm:ssZ`.
 */
import { profileId, runs } from '../records.js'
import type { Format, OutgoingRequest, ProfileRecord } from '../types.js'
import { explain, readBody, refusal, type Said } from './answers.js'
import { secondsDate, wholeSecondDates } from './dates.js'
import { jsonHeaders, plainValues } from './wire.js'
import { names, stringify } from '../own.js'

/** customer_id values MoEngage refuses, compared trimmed and in lower case (the strictest reading). */
export const MOENGAGE_BLOCKED_IDS = ['unknown', 'guest', 'null', '0', '1', 'true', 'false', 'user_attribute_unique_id', '', 'na', 'n/a', "''", 'dummy_seller_code', 'user_id', 'id', 'customer_id', 'uid', 'userid', 'none', '-2', '-1', '2']
const RESERVED = ['MOE_TIME_FORMAT', 'MOE_TIME_TIMEZONE', 'MOE_GAID', 'INSTALL', 'UPDATE', 'MOE_ISLAT', 'status', 'user_id', 'source']
/** "At most 100 KB" per bulk call and 128 KB per single call, read as 1000-byte KB and kept under. */
const BULK_MAX = 100_000
const SINGLE_MAX = 128_000
/** The largest array value: with the customer's envelope it must still fit one single call. */
const VALUE_MAX = 120_000
const BULK_OPEN = '{"type":"transition","elements":['

/** UTF-8 bytes of a string, without TextEncoder: formats use no platform API. */
function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const pair = code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3
    if (pair) i++
  }
  return bytes
}

/** Greedy groups, in order, whose sizes plus one comma between items stay under `room`. */
function pack<T>(items: T[], size: (item: T) => number, room: number): T[][] {
  const groups: T[][] = []
  let used = 0
  for (const item of items) {
    const bytes = size(item)
    if (groups.length && used + 1 + bytes < room) {
      groups[groups.length - 1].push(item)
      used += 1 + bytes
    } else {
      groups.push([item])
      used = bytes
    }
  }
  return groups
}

/**
 * One profile as MoEngage's customer body, dates to the second.
 * @example
 * moengageCustomer(record) // { type: 'customer', customer_id: 'cust-1', attributes: { expiry_date: '2026-11-23T10:00:00Z' } }
 */
function moengageCustomer(record: ProfileRecord) {
  const attributes = plainValues(record)
  for (const name of names(record.attributes)) {
    if (record.attributes[name].type === 'date') attributes[name] = secondsDate(attributes[name] as string, 'T', 'Z')
  }
  return { type: 'customer', customer_id: profileId(record), attributes }
}

/** The bulk URL beside the customer one; undefined when the endpoint has no `/customer/<id>` to swap. */
function transitionUrl(endpoint: string): string | undefined {
  const url = endpoint.replace(/\/customer\/(?=[^/?#]+\/?(?:[?#]|$))/, '/transition/')
  return url === endpoint ? undefined : url
}

/**
 * One profile in customer calls. Over 128 KB, its attributes are spread over several calls
 * (each an upsert of part of the profile) chained in `then`, so the records settle only when all
 * of them succeeded.
 */
function single(record: ProfileRecord, url: string, headers: Record<string, string>): OutgoingRequest {
  const customer = moengageCustomer(record)
  const records = [record]
  const request = (body: string): OutgoingRequest => ({ url, method: 'POST', headers, body, records })
  const whole = stringify(customer)
  if (utf8Length(whole) < SINGLE_MAX) return request(whole)
  const envelope = utf8Length(stringify({ ...customer, attributes: {} }))
  const entry = ([name, value]: [string, unknown]) => utf8Length(stringify(name) + stringify(value)) + 1
  const parts = pack(Object.entries(customer.attributes), entry, SINGLE_MAX - envelope)
  const steps = parts.map((part) => request(stringify({ ...customer, attributes: Object.fromEntries(part) })))
  for (let i = 1; i < steps.length; i++) steps[i - 1].then = steps[i]
  return steps[0]
}

/** MoEngage's error `{ type, message, attribute? }` as the verdict's label and message. */
function said(body: any): Said {
  const error = body?.error
  if (!error || typeof error !== 'object') return {}
  const attribute = error.attribute ? ` (attribute ${error.attribute})` : ''
  return { label: typeof error.type === 'string' ? error.type : undefined, message: `${error.message ?? ''}${attribute}`.trim() }
}

/**
 * Limits: customer_id at least 2 characters and not a blocked value; names at most 200
 * characters, not id, _id, a moe_ prefix, USER_ATTRIBUTE_* or another reserved name; strings at
 * most 512 characters; arrays of one type, at most 50 items and 120,000 bytes of JSON; dates to
 * the second.
 * @example
 * createClient({ destination: 'moengage', endpoint: '/relay/moengage/v1/customer/<workspace_id>' })
 */
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
      id.length < 2
        ? 'MoEngage needs a customer_id of at least 2 characters'
        : MOENGAGE_BLOCKED_IDS.includes(id.trim().toLowerCase())
          ? `MoEngage refuses "${id}" as a customer_id (a placeholder value)`
          : undefined,
    name: (name) =>
      name === 'id' || name === '_id'
        ? `"${name}" is blocked as an attribute name by MoEngage`
        : /^moe_/i.test(name)
          ? 'the name starts with the reserved prefix moe_'
          : /^USER_ATTRIBUTE_/i.test(name)
            ? 'the name starts with the reserved prefix USER_ATTRIBUTE_'
            : RESERVED.includes(name)
              ? `"${name}" is a name MoEngage reserves`
              : undefined,
    value(name, typed) {
      // Within the item limits, an array of escaped control characters can still pass 128 KB: it
      // could never be sent, and would hold back the rest of its profile.
      const bytes = typed.type === 'array' ? utf8Length(stringify(typed.value)) : 0
      return bytes > VALUE_MAX
        ? `the array takes ${bytes} bytes as JSON; one value may take at most 120,000 (a MoEngage call carries 128,000)`
        : wholeSecondDates(name, typed)
    },
  },
  anonymous: false,
  batch: 100,
  build(records, { endpoint, headers }) {
    const head = jsonHeaders(headers)
    const bulk = transitionUrl(endpoint)
    if (!bulk) return records.map((record) => single(record, endpoint, head))
    const room = BULK_MAX - utf8Length(`${BULK_OPEN}]}`)
    const elements = (run: ProfileRecord[]) => run.map((record) => ({ record, text: stringify(moengageCustomer(record)) }))
    // A group of one goes alone to the customer URL, whose limit (128 KB) is the larger one. A
    // customer's second record goes in a later call: MoEngage does not say in which order it
    // applies one call's elements (the page-hide beacon builds with such records too).
    return runs(records).flatMap((run) => pack(elements(run), (e) => utf8Length(e.text), room)).map((group) =>
      group.length === 1
        ? single(group[0].record, endpoint, head)
        : { url: bulk, method: 'POST', headers: head, body: `${BULK_OPEN}${group.map((e) => e.text).join(',')}]}`, records: group.map((e) => e.record) },
    )
  },
  classify(answer) {
    const body = readBody(answer.body)
    // A 2xx whose body says "fail" was not taken.
    if (answer.status >= 200 && answer.status < 300) {
      return body?.status === 'fail' ? { kind: 'drop', reason: explain('MoEngage', answer, said(body)) } : undefined
    }
    return refusal('MoEngage', answer, said(body))
  },
}
