/**
 * Every destination by name: the `destination` option (and the relay's) picks one.
 * @example
 * formats.moengage.build(records, context)
 */
import { growlytics } from './growlytics.js'
import { haptik } from './haptik.js'
import { json } from './json.js'
import { moengage } from './moengage.js'
import { usercom } from './usercom.js'

export const formats = { json, growlytics, usercom, moengage, haptik }
