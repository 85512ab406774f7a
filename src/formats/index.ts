/**
 * Every destination by name: the `destination` option (and the relay's) picks one.
 * @example
 * formats.moengage.build(records, context)
 */
import { growlytics } from './growlytics'
import { haptik } from './haptik'
import { json } from './json'
import { moengage } from './moengage'
import { usercom } from './usercom'

export const formats = { json, growlytics, usercom, moengage, haptik }
