/** Every destination by name: the `destination` option picks one. */
import { growlytics } from './growlytics'
import { haptik } from './haptik'
import { json } from './json'
import { moengage } from './moengage'
import { usercom } from './usercom'

export const formats = { json, growlytics, usercom, moengage, haptik }
