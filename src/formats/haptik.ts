/**
 * Haptik: `POST <endpoint>` (`<base>/v1.0/user/`) the first time an id is sent, `PUT` afterwards.
 * name, email and mobile go to name, email and mobile_no, language_code to the top level, every
 * other attribute into a flat custom_data.
 */
import type { Format } from '../types'
import { readBody, refusal } from './answers'
import { jsonHeaders, plainValues } from './wire'

/** SDK name -> Haptik's top-level field. */
const TOP: Record<string, string> = { name: 'name', email: 'email', mobile: 'mobile_no', language_code: 'language_code' }
/** Top-level fields are strings; mobile_no too, so the relay (which sees wire names) checks it as well. */
const STRINGS = [...Object.keys(TOP), 'mobile_no']
/** Every ISO 639-1 code (184, as Debian's iso-codes lists them): two letters alone would let "xx" through. */
const ISO_639_1 = new Set(
  ('aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ' +
    'ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln ' +
    'lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si ' +
    'sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu').split(' '),
)

/**
 * Limits: auth_id alphanumeric; name, email, mobile and language_code strings; language_code a
 * lowercase ISO 639-1 code; no arrays or objects (custom_data is flat).
 * @example
 * createClient({ destination: 'haptik', endpoint: '/relay/haptik/v1.0/user/' })
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
    // A second record of the same user in this build goes after the POST: it updates.
    const posted = new Set<string>()
    return records.map((record) => {
      // An anonymous id (only with holdAnonymous: false) is a UUID: its dashes are not alphanumeric.
      const id = record.userId ?? record.anonymousId.replace(/-/g, '')
      const body: Record<string, unknown> = { auth_id: id }
      const custom: Record<string, unknown> = {}
      const values = plainValues(record)
      for (const name in values) {
        if (TOP[name]) body[TOP[name]] = values[name]
        else custom[name] = values[name]
      }
      if (Object.keys(custom).length) body.custom_data = custom
      const create = !created(id) && !posted.has(id)
      if (create) posted.add(id)
      return {
        url: endpoint,
        method: create ? 'POST' : 'PUT',
        headers: head,
        body: JSON.stringify(body),
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
