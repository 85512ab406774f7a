/**
 * Userbeam: keeps a site's user profiles in sync with its engagement backend.
 * The npm entry only re-exports; nothing runs at import time.
 */
export { createClient } from './client.js'
export type { Client, User } from './client.js'
/** The script tag's `window.userbeam` (and the snippet's): `declare global { interface Window { userbeam: Global } }`. */
export type { Global } from './global.js'
export type {
  AttributeType,
  AttributeValue,
  Destination,
  DropEvent,
  EventMap,
  Options,
  Profile,
  SentEvent,
  UserbeamError,
} from './types.js'
