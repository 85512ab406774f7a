/**
 * Haptik: `POST <endpoint>` (`<base>/v1.0/user/`) the first time an id is sent, `PUT` afterwards.
 * name, email and mobile go to name, email and mobile_no, language_code to the top level, every
 * other attribute into a flat custom_data.
 */
import type { Format } from '../types.js'
import { readBody, refusal } from './answers.js'
import { jsonHeaders, plainValues } from './wire.js'
import { names, own, stringify } from '../own.js'

/** SDK name -> Haptik's top-level field. */
const TOP: Record<string, string> = { name: 'name', email: 'email', mobile: 'mobile_no', language_code: 'language_code' }
/** Top-level fields are strings; mobile_no too, so the relay (which sees wire names) checks it as well. */
const STRINGS = [...Object.keys(TOP), 'mobile_no']
/**
 * Every ISO 639-1 code (184, as Debian's iso-codes lists them): two letters alone would let "xx"
 * through. Written as first letter + every second letter ("aabe" is aa, ab, ae): a third of the bytes.
 */
const ISO_639_1 = new Set(
  'aabefkmnrsvyz baeghimnors caehorsuvy daevz eelnostu fafijory gadlnuv haeiortuyz iadegikostu jav kagijklmnorsuvwy labginotuv mghiklnrsty nabdeglnorvy ocjmrs pailst qu rmnouw sacdegiklmnoqrstuvw taeghiklnorstwy ugkrz veio wao xh yio zahu'
    .split(' ')
    .flatMap((group) => [...group.slice(1)].map((second) => group[0] + second)),
)

/**
 * Limits: auth_id alphanumeric; name, email, mobile and language_code strings; language_code a
 * lowercase ISO 639-1 code; no arrays or objects (custom_data is flat).
 * @example
 * createClient({ destination: 'haptik', endpoint: '/relay' }) // a relay mounted at /relay, vendorUrl <base>/v1.0/user/
 */
export const haptik: Format = {
  name: 'haptik',
  rules: {
    idMax: Infinity,
    nameMax: Infinity,
    stringMax: Infinity,
    customMax: Infinity,
    standard: Object.keys(TOP),
    typeLock: false,
    id: (id) => (/^[A-Za-z0-9]+$/.test(id) ? undefined : 'Haptik\'s auth_id must be alphanumeric (letters and digits only)'),
    value(name, { type, value }) {
      if (STRINGS.includes(name) && type !== 'string') return `Haptik takes ${name} as a string; got a ${type}`
      if (name === 'language_code' && !ISO_639_1.has(value as string)) {
        return `language_code must be a lowercase ISO 639-1 code such as "en" or "hi"; got "${value}"`
      }
    },
  },
  anonymous: false,
  batch: 20,
  build(records, { endpoint, headers, created }) {
    const head = jsonHeaders(headers)
    // A second record of the same user in one build (only the page-hide beacon's: sends build it
    // after the first one's answer) stays stored for the next visit: sent at once, it would race
    // the first, and a PUT could reach Haptik before the POST that registers the user.
    const seen = new Set<string>()
    return records.flatMap((record) => {
      // An anonymous id (only with holdAnonymous: false) is a UUID: its dashes are not alphanumeric.
      const id = record.userId ?? record.anonymousId.replace(/-/g, '')
      if (seen.has(id)) return []
      seen.add(id)
      const body: Record<string, unknown> = { auth_id: id }
      const custom: Record<string, unknown> = {}
      const values = plainValues(record)
      for (const name of names(values)) {
        if (own(TOP, name)) body[TOP[name]] = values[name]
        else custom[name] = values[name]
      }
      if (Object.keys(custom).length) body.custom_data = custom
      const create = !created(id)
      return {
        url: endpoint,
        method: create ? 'POST' : 'PUT',
        headers: head,
        body: stringify(body),
        records: [record],
        ...(create ? { creates: [id] } : {}),
      }
    })
  },
  classify(answer) {
    const message = readBody(answer.body)?.error_message
    return refusal('Haptik', answer, { message: typeof message === 'string' ? message : undefined })
  },
}
