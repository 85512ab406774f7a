/**
 * The merge rules of the queue, as pure functions over profile records: how a call's delta joins
 * a record, what an acknowledged snapshot removes, and which records a full queue gives up first.
 * Both storage backends run these same functions inside their transactions.
 */
import type { Delta, Profile, ProfileRecord } from './types.js'
import { names, own, stringify } from './own.js'

/** A record's version: its rid and seq, which every change of its content moves. */
export const version = (r: ProfileRecord) => `${r.rid}:${r.seq}`

/** Merges a delta (and, in hold-anonymous mode, a folded anonymous record) into a record. */
export function mergeRecord(
  current: ProfileRecord | undefined,
  delta: Delta,
  folded: ProfileRecord | undefined,
  newId: () => string,
  now: number,
  floor?: Record<string, [at: number, delivered: number]>,
): ProfileRecord | undefined {
  const base = current ? version(current) : ''
  /** A delivery floor kept one of the delta's values out: the result is not what a beacon sent. */
  let floored = false
  const record: ProfileRecord = current
    ? { ...current, attributes: { ...current.attributes } }
    : {
        key: delta.key,
        userId: delta.userId,
        anonymousId: delta.anonymousId,
        rid: delta.rid ?? newId(),
        seq: 0,
        messageId: '',
        created: folded ? folded.created : now,
        attributes: {},
      }
  const seq = ++record.seq
  let applied = 0
  for (const source of [folded?.attributes, delta.attributes]) {
    for (const name of names(source)) {
      if (source !== delta.attributes && delta.skip?.includes(name)) continue
      const { type, value, at } = source![name]
      // Last call wins, not last write: another tab's older call may commit after a newer one,
      // even after the newer one was delivered (the floor remembers it).
      const before = Math.max(own(record.attributes, name) ? record.attributes[name].at ?? 0 : 0, own(floor, name) ? floor![name][0] : 0)
      if (before <= at) {
        record.attributes[name] = { type, value, seq, at }
        applied++
      } else floored ||= own(floor, name) && floor![name][0] > at
    }
  }
  // Every value was older than what is known: nothing new to store (a link still is).
  if (!current && !applied && Object.keys(delta.attributes).length) return undefined
  if (delta.signature) record.signature = delta.signature
  // The beacon's id only for what the beacon sent: the same base, every value it carried. Merged
  // into a record that changed since (another tab's newer call), this is another message.
  record.messageId = delta.messageId && delta.base === base && !floored ? delta.messageId : newId()
  return record
}

/**
 * After the endpoint accepted `sent`, removes from `current` exactly what is unchanged since
 * that snapshot. Returns what is left to send, or undefined when nothing is.
 */
export function settleRecord(
  current: ProfileRecord | undefined,
  sent: ProfileRecord,
  newId: () => string,
): ProfileRecord | undefined {
  // A record created anew since the snapshot (after an erase) is none of this answer's business.
  if (!current || current.rid !== sent.rid) return current
  if (current.seq === sent.seq) return undefined
  const attributes: ProfileRecord['attributes'] = {}
  let left = false
  for (const name of names(current.attributes)) {
    if (current.attributes[name].seq > sent.seq) {
      attributes[name] = current.attributes[name]
      left = true
    }
  }
  return left ? { ...current, attributes, acked: sent.seq, messageId: newId() } : undefined
}

/** Sizes already measured. Records are never changed in place (a merge makes a new one). */
const sizes = new WeakMap<ProfileRecord, number>()

/**
 * Rough stored size of a record, for the queue's byte budget. The budget is checked after every
 * commit over the whole queue: measured afresh each time, 1,000 queued profiles cost about 6 ms
 * of main thread per commit; remembered, only the records that changed are measured.
 */
export function recordBytes(record: ProfileRecord): number {
  let bytes = sizes.get(record)
  if (bytes === undefined) sizes.set(record, (bytes = stringify(record).length))
  return bytes
}

/**
 * Which records to give up so the queue fits `max` bytes: anonymous ones first, oldest first,
 * then identified ones, oldest first. Records `spare` names (a request carries them right now,
 * and its answer settles them) are counted but never given up.
 */
export function overBudget(records: ProfileRecord[], max: number, spare: (key: string) => boolean = () => false): ProfileRecord[] {
  let total = 0
  const sized = records.map((record) => {
    const bytes = recordBytes(record)
    total += bytes
    return { record, bytes }
  })
  if (total <= max) return []
  sized.sort(
    (a, b) => Number(a.record.userId !== null) - Number(b.record.userId !== null) || a.record.created - b.record.created,
  )
  const drop: ProfileRecord[] = []
  for (const { record, bytes } of sized) {
    if (total <= max) break
    if (spare(record.key)) continue
    drop.push(record)
    total -= bytes
  }
  return drop
}

/**
 * The id a profile is known by: the user id, else the anonymous id. Vendor formats have
 * `anonymous: false`, so the client only passes them identified records; the anonymous id is the
 * fallback for a site that sets `holdAnonymous: false` anyway.
 * @example
 * profileId(record) // 'u-42'
 */
export const profileId = (record: ProfileRecord): string => record.userId ?? record.anonymousId

/**
 * Records in runs, in order, where no profile (user id, else anonymous id) appears twice: a
 * login, logout and login again leaves two records for one user, and the second must go after
 * the first (and, built after its answer, know what it did: Haptik registered the user or not).
 * @example
 * runs([u1a, u2, u1b]) // [[u1a, u2], [u1b]]
 */
export function runs(records: ProfileRecord[]): ProfileRecord[][] {
  const out: ProfileRecord[][] = []
  let seen = new Set<string>()
  for (const record of records) {
    const id = profileId(record)
    if (!out.length || seen.has(id)) out.push([]), (seen = new Set())
    seen.add(id)
    out[out.length - 1].push(record)
  }
  return out
}

/** A record as the public events show it. */
export function toProfile(record: ProfileRecord): Profile {
  const attributes: Profile['attributes'] = {}
  for (const name of names(record.attributes)) attributes[name] = record.attributes[name].value
  return { userId: record.userId, anonymousId: record.anonymousId, messageId: record.messageId, attributes }
}

/** The fields a stored record and a journaled delta share: profile key, ids, attributes. */
const isProfile = (r: Delta | ProfileRecord, stamp: 'seq' | 'at') =>
  !!r &&
  typeof r.key === 'string' &&
  typeof r.anonymousId === 'string' &&
  (r.userId === null || typeof r.userId === 'string') &&
  !!r.attributes &&
  typeof r.attributes === 'object' &&
  Object.values(r.attributes).every((a) => isAttribute(a, stamp))

/** Checks that something read back from storage is a record this version can send. */
export function isRecord(value: unknown): value is ProfileRecord {
  const r = value as ProfileRecord
  return isProfile(r, 'seq') && typeof r.rid === 'string' && typeof r.seq === 'number' && typeof r.messageId === 'string' && typeof r.created === 'number'
}

/** Checks that something read back from a journal is a delta this version can merge. */
export function isDelta(value: unknown): value is Delta {
  const d = value as Delta
  return isProfile(d, 'at') && (d.fold === undefined || typeof d.fold === 'string') && (d.skip === undefined || Array.isArray(d.skip))
}

const VALUE_TYPES: Record<string, string> = { string: 'string', date: 'string', number: 'number', boolean: 'boolean' }

/** One stored attribute: a known type, a value of that type, a numeric stamp (`seq` stored, `at` journaled). */
function isAttribute(a: unknown, stamp: 'seq' | 'at'): boolean {
  const { type, value } = (a ?? {}) as ProfileRecord['attributes'][string]
  if (typeof (a as Record<string, unknown>)?.[stamp] !== 'number') return false
  if (type === 'array') return Array.isArray(value)
  return VALUE_TYPES[type] !== undefined && typeof value === VALUE_TYPES[type]
}
