/**
 * The durable queue: merged profile records in a KV store, plus `pending`, this tab's view of
 * them (the page-hide beacon must be built synchronously, without a storage round trip).
 * Every change is one transaction: a group of calls is merged in one commit, an answer settles
 * the records it carried in one more.
 */
import { isIdentity, since, uuid } from './identity.js'
import { isDelta, isRecord, mergeRecord, settleRecord } from './records.js'
import type { KV } from './store.js'
import type { Delta, IdentityState, Journal, ProfileRecord, RetryState } from './types.js'
import { names, own } from './own.js'

const RECORD = 'r:'
const JOURNAL = 'j:'
const IDENTITY = 'identity'
const RETRY = 'retry'
const CREATED = 'created'
/** Every profile's floor, in one entry: one read and one write per transaction, whatever the batch. */
const FLOORS = 'floors'
/**
 * How long a delivered value keeps older calls from other tabs out (ms): the race lasts moments.
 * And for at most this many profiles: the entry is read by every commit, so its size is a cost on
 * every push (2,000 profiles delivered in 10 minutes made each commit take 9-12 ms).
 */
const FLOOR_TTL = 60 * 1000
const FLOOR_PROFILES = 200

/** Per attribute: the call stamp of the last delivered value, and when it was delivered. */
type Floor = Record<string, [at: number, delivered: number]>
/** Floors by profile key. */
type Floors = Record<string, Floor>

/** The stored floors, or none when the entry is missing or damaged. */
const readFloors = (value: unknown): Floors => (value && typeof value === 'object' ? (value as Floors) : {})

/**
 * The floors after delivering `sent`: their attributes' stamps raised, every expired entry swept
 * (so the entry holds the last minute of deliveries, at most FLOOR_PROFILES profiles, not every
 * profile ever sent).
 */
function raiseFloors(stored: unknown, sent: ProfileRecord[], time: number): Floors | undefined {
  const floors = readFloors(stored)
  const next: Floors = {}
  for (const key of names(floors)) {
    for (const name of names(floors[key])) {
      const entry = floors[key][name]
      if (entry?.[1] > time - FLOOR_TTL) (next[key] ||= {})[name] = entry
    }
  }
  for (const record of sent) {
    const floor = (next[record.key] ||= {})
    for (const name of names(record.attributes)) {
      const { at = 0 } = record.attributes[name]
      if (!own(floor, name) || floor[name][0] <= at) floor[name] = [at, time]
    }
  }
  // The earliest kept go first: keys keep the order they were first delivered in.
  const keys = Object.keys(next)
  for (const key of keys.slice(0, keys.length - FLOOR_PROFILES)) delete next[key]
  return keys.length ? next : undefined
}

export interface Queue {
  /** This tab's view of the stored records, by key. */
  pending: Map<string, ProfileRecord>
  /** User ids the destination has created (loaded with the identity). */
  created: Set<string>
  /** Remembers that the destination now knows these users. */
  remember(ids: string[]): Promise<void>
  /**
   * Reads the stored identity, retry state and pending records (in one transaction), the latest
   * call stamp the delivery floors hold (a new call must be stamped past it), and the journals a
   * page left unmerged (its commit died with it).
   */
  load(): Promise<[IdentityState | undefined, RetryState | undefined, ProfileRecord[], number, Journal[]]>
  /**
   * Writes deltas ahead of their commit under `key`: blind (no read), with a transaction created
   * now, so it lands even when the page is torn down in this task. False when it cannot.
   */
  journal(key: string, deltas: Delta[]): boolean
  /**
   * Merges, in one transaction: the journals still stored, then the deltas, in order. Once that
   * landed, deletes those journals and the journal `written` (the deltas' own copy). A page that
   * dies in between leaves them to be merged again: merged twice (the same calls, the same
   * stamps), never lost.
   */
  commit(deltas: Delta[], written?: string, journals?: Journal[]): Promise<void>
  /**
   * Writes the identity state, not behind the queue's other operations. `blind`: at once, with no
   * read first (this tab's own login, logout or consent decision must survive a page that
   * navigates in the same task); else only over a stored state no newer (another tab's decision).
   */
  keep(identity: IdentityState, blind?: boolean): void
  /** Reads every stored record (every tab's), oldest first; refreshes `pending`. */
  snapshot(): Promise<ProfileRecord[]>
  /** Removes what the endpoint took (or refused for good) and has not changed since. */
  settle(sent: ProfileRecord[]): Promise<void>
  /** Removes whole records (the byte budget), unless they were re-created meanwhile. */
  remove(records: ProfileRecord[]): Promise<void>
  /** Erases every record. */
  clear(): Promise<void>
  /** Lets the storage go once the operations queued so far are done (the client was closed). */
  close(): void
  saveRetry(retry: RetryState): Promise<void>
  /** What memory should start with if storage fails: the records known to be pending. */
  dump(): [string, unknown][]
}

export function createQueue(
  kv: KV,
  onCorrupt: (count: number) => void,
  onChange: (changes: [string, ProfileRecord | undefined][]) => void = () => {},
  now = Date.now,
  /** Told the ids the destination has just created, for the other tabs. */
  onCreated: (ids: string[]) => void = () => {},
  /**
   * Where journals are written: a database of their own in the browser. A blind write queued
   * behind a commit in flight died with the page in 14 of 30 Chromium runs; in a database of its
   * own it does not wait for that commit (1 of 30).
   */
  ahead: KV = kv,
): Queue {
  const pending = new Map<string, ProfileRecord>()
  const created = new Set<string>()
  // Creation stamps strictly increase within a tab, so "oldest first" is call order, even within a millisecond.
  let stamp = 0
  // One operation at a time, in call order: `pending` can never be overwritten by an older read.
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = tail.then(op)
    tail = next.catch(() => {})
    return next
  }
  const sync = (records: (ProfileRecord | undefined)[], keys: string[]) => {
    keys.forEach((key, i) => (records[i] ? pending.set(key, records[i]!) : pending.delete(key)))
    onChange(keys.map((key, i) => [key, records[i]]))
  }
  /** Rewrites records by key with `fn`, in one transaction, and mirrors the outcome. */
  const rewrite = (
    keys: string[],
    fn: (current: ProfileRecord | undefined, i: number) => ProfileRecord | undefined,
  ) =>
    kv
      .update(
        keys.map((key) => RECORD + key),
        (values) => {
          const next = values.map((value, i) => fn(isRecord(value) ? value : undefined, i))
          return [next.map((record, i) => [RECORD + keys[i], record]), next]
        },
      )
      .then((next) => sync(next, keys))

  return {
    pending,
    created,
    load: () =>
      serial(async () => {
        // Everything in one read: the identity, the retry state, the created ids and what an
        // earlier page left to send. The sooner this answers, the sooner calls can be stored.
        const [main, journaled] = await Promise.all([kv.all(''), ahead === kv ? [] : ahead.all(JOURNAL)])
        const entries = new Map([...main, ...journaled])
        const ids = entries.get(CREATED)
        if (Array.isArray(ids)) ids.forEach((id) => created.add(id))
        const identity = entries.get(IDENTITY)
        const retry = entries.get(RETRY) as RetryState | undefined
        // A damaged retry entry must not turn the backoff into a request storm.
        const valid = !!retry && Number.isFinite(retry.attempt) && retry.attempt >= 0 && Number.isFinite(retry.until)
        const records: ProfileRecord[] = []
        const journals: Journal[] = []
        for (const [key, value] of entries) {
          if (key.startsWith(RECORD) && isRecord(value)) records.push(value)
          // A damaged journal is merged as nothing: the commit deletes it.
          if (key.startsWith(JOURNAL)) journals.push({ key: key.slice(2), deltas: Array.isArray(value) ? value.filter(isDelta) : [] })
        }
        for (const record of records) pending.set(record.key, record)
        // A delivered call's stamp outlives its record in the floors: a page whose clock is behind
        // the one that delivered it (the clock was set back) must still stamp its calls later.
        let floor = 0
        const floors = readFloors(entries.get(FLOORS))
        for (const key of names(floors)) {
          for (const name of names(floors[key])) {
            const at = Number(floors[key][name]?.[0])
            if (at > floor) floor = at
          }
        }
        return [isIdentity(identity) ? identity : undefined, valid ? retry : undefined, records.sort((a, b) => a.created - b.created), floor, journals]
      }),

    remember: (ids) => (
      onCreated(ids),
      serial(() =>
        kv.update([CREATED], ([stored]) => {
          for (const id of Array.isArray(stored) ? stored : []) created.add(id)
          ids.forEach((id) => created.add(id))
          return [[[CREATED, [...created]]], undefined]
        }),
      )
    ),

    journal: (key, deltas) => ahead.putNow(JOURNAL + key, deltas, true),

    commit: (deltas, written, journals = []) => serial(async () => {
      const marks = journals.map((j) => JOURNAL + j.key)
      // A journal another page (or tab) already merged is gone: its deltas are not merged again.
      const present = marks.length ? await ahead.update(marks, (values) => [[], values.map((value) => value !== undefined)]) : []
      // Every key touched, in order: a fold reads (and deletes) the anonymous record it folds.
      const merged = [...journals.filter((_, i) => present[i]).flatMap((j) => j.deltas), ...deltas]
      const keys = [...new Set(merged.flatMap((d) => (d.fold ? [d.fold, d.key] : [d.key])))]
      const next = await kv.update(
        [...keys.map((key) => RECORD + key), FLOORS],
        (values) => {
          const current = new Map(keys.map((key, i) => [key, isRecord(values[i]) ? values[i] : undefined]))
          const floors = readFloors(values[keys.length])
          stamp = Math.max(now(), stamp)
          for (const delta of merged) {
            const folded = delta.fold ? current.get(delta.fold) : undefined
            if (delta.fold) current.set(delta.fold, undefined)
            current.set(delta.key, mergeRecord(current.get(delta.key), delta, folded, uuid, ++stamp, floors[delta.key]))
          }
          return [keys.map((key): [string, unknown] => [RECORD + key, current.get(key)]), keys.map((key) => current.get(key))]
        },
        // A merge: against a copy that missed earlier changes it would write stale records.
        true,
      )
      sync(next, keys)
      const done = written ? [...marks, JOURNAL + written] : marks
      if (done.length) await ahead.update([], () => [done.map((mark) => [mark, undefined]), 0]).catch(() => {})
    }),

    snapshot: () => serial(async () => {
      const entries = await kv.all(RECORD)
      const broken = entries.filter(([, value]) => !isRecord(value)).map(([key]) => key)
      if (broken.length) {
        // Unreadable entries (damaged, or another version's) would otherwise block the queue for ever.
        await kv.update([], () => [broken.map((key) => [key, undefined]), 0])
        onCorrupt(broken.length)
      }
      const records = entries.map(([, value]) => value).filter(isRecord)
      pending.clear()
      for (const record of records) pending.set(record.key, record)
      return records.sort((a, b) => a.created - b.created)
    }),

    settle: (sent) =>
      serial(() => {
        const keys = sent.map((r) => r.key)
        return kv
          .update([...keys.map((key) => RECORD + key), FLOORS], (values) => {
            const next = keys.map((_, i) => settleRecord(isRecord(values[i]) ? values[i] : undefined, sent[i], uuid))
            // Remember what was delivered, so another tab's older call that commits late cannot
            // overwrite it at the endpoint once the record is gone.
            const writes = keys.map((key, i): [string, unknown] => [RECORD + key, next[i]])
            writes.push([FLOORS, raiseFloors(values[keys.length], sent, now())])
            return [writes, next]
          })
          .then((next) => sync(next, keys))
      }),

    remove: (records) =>
      serial(() => rewrite(
        records.map((r) => r.key),
        (current, i) => (current && current.rid === records[i].rid ? undefined : current),
      )),

    clear: () => serial(async () => {
      const journals = ahead === kv ? [] : (await ahead.all(JOURNAL)).map(([key]) => key)
      if (journals.length) await ahead.update([], () => [journals.map((key) => [key, undefined]), 0])
      // The ids a destination registered are user ids too: withdrawn consent keeps none.
      const stored = (await kv.all('')).map(([key]) => key).filter((key) => key.startsWith(RECORD) || key.startsWith(JOURNAL))
      await kv.update([], () => [[...stored, FLOORS, CREATED].map((key) => [key, undefined]), 0])
      pending.clear()
    }),

    // A transaction created now, in this task, when storage is open (a later write always carries
    // a state at least as new, so the order of the two paths does not matter).
    keep: (identity, blind) =>
      void ((blind && kv.putNow(IDENTITY, identity)) ||
        kv.update([IDENTITY], ([stored]) => [isIdentity(stored) && since(stored) > since(identity) ? [] : [[IDENTITY, identity]], undefined]).catch(() => {})),

    saveRetry: (retry) => serial(() => kv.update([], () => [[[RETRY, retry]], undefined])),

    close: () =>
      void serial(async () => {
        kv.close?.()
        ahead.close?.()
      }),

    dump: () => [...pending].map(([key, record]) => [RECORD + key, record]),
  }
}
