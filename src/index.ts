/**
 * Userbeam: keeps a site's user profiles in sync with its engagement backend.
 * The npm entry only re-exports; nothing runs at import time.
 */
export { createClient } from './client'
export type { Client, User } from './client'
export type {
  AttributeType,
  AttributeValue,
  DropEvent,
  EventMap,
  Options,
  Profile,
  SentEvent,
  UserbeamError,
} from './types'
