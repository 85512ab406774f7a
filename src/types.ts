/**
 * Types shared by every layer. No runtime code lives here, so formats and the relay can
 * import it without pulling in anything that touches a browser API.
 */

/**
 * The four value types every endpoint understands (the Growlytics model), plus arrays of one
 * scalar type for the destinations that document them (MoEngage).
 */
export type AttributeType = 'string' | 'number' | 'boolean' | 'date' | 'array'

/** A value as stored and sent: dates travel as ISO 8601 UTC strings. */
export type AttributeValue = string | number | boolean | (string | number | boolean)[]

/**
 * One stored attribute: its type, its value, the record change (`seq`) that last set it, and
 * when it was called (`at`, ms since the epoch with sub-ms precision): across tabs, the later
 * call wins, whichever tab's write lands last.
 */
export interface StoredAttribute {
  type: AttributeType
  value: AttributeValue
  seq: number
  at: number
}

/**
 * One pending profile update as it sits in the queue: every push to the same profile is merged
 * into it, last write per attribute wins.
 */
export interface ProfileRecord {
  /** Queue key: one record per (userId, anonymousId) pair. */
  key: string
  userId: string | null
  anonymousId: string
  /** Identity-verification signature passed with identify, sent with this user's requests. */
  signature?: string
  /** Random id of this record's life: an ack only touches the record it was snapshotted from. */
  rid: string
  /** Change counter, raised by every merge. */
  seq: number
  /** The highest `seq` the endpoint has settled (accepted, or refused for good). */
  acked?: number
  /** Stays the same across retries of the same content; a new one whenever the content changes. */
  messageId: string
  /** When the record was first created (ms): the oldest records are sent and dropped first. */
  created: number
  attributes: Record<string, StoredAttribute>
}

/** What a call adds to one profile: validated attributes, in call order. */
export interface Delta {
  key: string
  userId: string | null
  anonymousId: string
  signature?: string
  attributes: Record<string, { type: AttributeType; value: AttributeValue; at: number }>
  /** Key of a held anonymous record to fold into this one first (hold-anonymous mode). */
  fold?: string
  /** Names of the folded record left out: they break the user's type locks or custom cap. */
  skip?: string[]
  /**
   * Ids chosen when the page-hide beacon already sent this delta: the stored copy is the same
   * message, if it is merged into the same version (`base`, rid:seq, '' for none) the beacon saw.
   */
  rid?: string
  messageId?: string
  base?: string
}

/**
 * Deltas written ahead of their commit, blind, in the task of their calls: a page torn down before
 * its commit lands leaves them for the next page. `key` names the stored entry; a commit merges
 * the deltas only while it is still stored (whoever merges them first deletes it). No key: never
 * written ahead, merged as they are.
 */
export interface Journal {
  key?: string
  deltas: Delta[]
}

/** The visitor's identity, persisted beside the queue. */
export interface IdentityState {
  anonymousId: string
  userId: string | null
  signature?: string
  /** First-type-wins lock: the type each attribute of the current profile was first seen with. */
  types: Record<string, AttributeType>
  /** False after consent(false): nothing is stored or sent. */
  consent: boolean
  /**
   * When its login, logout or consent decision was made (the page clock, comparable across tabs):
   * an older state, announced or stored late by a tab that had not heard of this one, is not taken.
   */
  since?: number
  /** Its ids are placeholders (read back from a withdrawal, which stores no id): another tab's real ones win. */
  blank?: boolean
  /**
   * The type locks of users who logged out on this browser, as [user id, locks] pairs, the most
   * recent last: restored when they log in again. A list, not an object by id: an object lists
   * ids such as "42" first, whatever their order, and makes new hidden classes at every logout.
   */
  users?: [string, Record<string, AttributeType>][]
}

/** Retry bookkeeping, persisted so a reload does not hammer a failing endpoint. */
export interface RetryState {
  attempt: number
  /** Epoch ms before which nothing is sent. */
  until: number
  /**
   * How long that wait was (ms): a later page waits no longer than this, even if its clock is
   * behind the one that saved it (the clock was set back). Absent in older entries.
   */
  wait?: number
  /** The server asked for that wait (Retry-After): flush() does not cut it. Absent: it did. */
  told?: boolean
  /**
   * How long (ms) this run of failures has waited between its tries: the sum of its waits, not
   * the wall clock, so a computer asleep for a week has not failed for a week (absent in older entries).
   */
  failed?: number
}

/** A profile as the public events show it. */
export interface Profile {
  userId: string | null
  anonymousId: string
  messageId: string
  attributes: Record<string, AttributeValue>
}

/** A request ready for fetch, with the records it carries. */
export interface OutgoingRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: string
  /** The records this request delivers: settled when it (and its `then` chain) succeeded. */
  records: ProfileRecord[]
  /** A second step sent only after this one succeeded (user.com's custom attributes). */
  then?: OutgoingRequest
  /** User ids the destination knows once this request succeeded (Haptik: POST once, PUT after). */
  creates?: string[]
}

/** What a format may know when it builds requests. */
export interface BuildContext {
  endpoint: string
  headers: Record<string, string>
  now: number
  /** Whether an earlier request already created this user at the destination. */
  created(userId: string): boolean
}

/** What to do with an answer (or a network failure). */
export type Verdict =
  | { kind: 'ok' }
  | { kind: 'retry'; after?: number; reason: string }
  | { kind: 'split'; reason: string }
  | { kind: 'drop'; reason: string }
  | { kind: 'auth'; reason: string }

/** An answer as the transport hands it to a classifier. */
export interface Answer {
  status: number
  body: string
  retryAfter: string | null
}

/** Limits a destination applies in the browser before anything is stored. */
export interface Rules {
  /** Longest user id, in characters. */
  idMax: number
  /** Longest attribute name, in characters. */
  nameMax: number
  /** Longest string value, in characters. */
  stringMax: number
  /** Most custom attributes one profile may hold. */
  customMax: number
  /** Standard fields: they do not count against customMax. */
  standard: readonly string[]
  /** A later value of another type than the first one tracked is rejected. */
  typeLock: boolean
  /** Arrays of one scalar type are allowed with at most this many items (absent: no arrays). */
  arrayMax?: number
  /** Destination-specific checks; each returns the reason for refusing, or undefined. */
  id?(id: string): string | undefined
  name?(name: string): string | undefined
  value?(name: string, typed: { type: AttributeType; value: AttributeValue }): string | undefined
}

/** One destination: its wire format and its rules. Pure: no browser API. */
export interface Format {
  name: string
  rules: Rules
  /** Send anonymous profiles (true) or hold them until identify (false). */
  anonymous: boolean
  /** Profiles one request may carry. */
  batch: number
  /** Records in, requests out, in the order they must be sent. Pure. */
  build(records: ProfileRecord[], context: BuildContext): OutgoingRequest[]
  /** The vendor's own reading of an answer; undefined falls back to the HTTP status rules. */
  classify?(answer: Answer, request: OutgoingRequest): Verdict | undefined
}

/** Why something was rejected or failed. `code` is stable; `message` says what to do. */
export interface UserbeamError {
  code: 'attribute' | 'input' | 'identity' | 'storage' | 'auth' | 'config'
  message: string
  attribute?: string
  status?: number
}

/** Data that will never be delivered, and why. */
export interface DropEvent {
  reason: string
  status?: number
  body?: string
  profiles: Profile[]
}

/** Data the endpoint accepted. */
export interface SentEvent {
  status: number
  profiles: Profile[]
}

export interface EventMap {
  sent: SentEvent
  error: UserbeamError
  drop: DropEvent
}

/** The destinations: each a wire format and its vendor's rules. */
export type Destination = 'json' | 'growlytics' | 'usercom' | 'moengage' | 'haptik'

/** Options of createClient and userbeam.init. */
export interface Options {
  /** Upsert endpoint URL (required): your backend or a relay on your own origin. */
  endpoint: string | URL
  /** Extra request headers (an object, a Headers or a Map). Never put a vendor secret here: use a relay. */
  headers?: Record<string, string> | Headers | Map<string, string>
  /** Wait this long (ms) after the first pending update before sending. Default 1000. */
  flushInterval?: number
  /** Most profiles in one request; reaching it sends at once. Default 100. */
  maxBatchSize?: number
  /** IndexedDB database name. Default 'userbeam'. */
  storageName?: string
  /** Most bytes the queue may hold before the oldest (anonymous first) data is dropped. Default 1 MB. */
  maxQueueBytes?: number
  /** Request timeout (ms). Default 10000. */
  timeout?: number
  /**
   * A send that keeps failing (network, timeout, 408, 429, 5xx) for longer than this (ms), and at
   * least 10 times, is given up: its profiles are dropped with a `drop` event. The time is the sum
   * of the waits between tries: time offline or asleep is not failing. Default 7 days.
   */
  giveUpAfter?: number
  /** Log every rejection and delivery to the console. Default false. */
  debug?: boolean
  /** Wire format and rule set: 'json' (default), 'growlytics', 'usercom', 'moengage' or 'haptik'. */
  destination?: Destination
  /**
   * Keep anonymous updates in the browser and fold them into the profile at identify, instead of
   * sending anonymous profiles. Default: false for 'json', true for the vendors (they need an id).
   */
  holdAnonymous?: boolean
  /** Accept sending Growlytics' x-growlytics-key from the page without the secret-header warning. Default false. */
  allowPublicKey?: boolean
}
