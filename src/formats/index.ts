/** Every destination by name. */
import { json } from './json'

export const formats = { json }
