/** An open of the database that takes longer than this (ms) counts as failed. */
const OPEN_TIMEOUT = 3000

/**
 * Key-value storage with atomic read-then-write, on IndexedDB (idb-keyval's store) or in memory.
 * The resilient wrapper moves to memory the first time IndexedDB fails (missing, blocked, quota,
 * private mode), says so once, and replays the failed operation there: nothing is lost and
 * nothing throws.
 */
import { promisifyRequest } from 'idb-keyval'

/**
 * Reads `keys`, then writes what `fn` returns (undefined deletes), in one transaction. `local`:
 * the writes build on values only this copy has (a merge into a record, the lease), so after
 * IndexedDB failed they are not repeated there (see resilientKV).
 */
export type Update = <T>(
  keys: string[],
  fn: (values: unknown[]) => [writes: [string, unknown][], result: T],
  local?: boolean,
) => Promise<T>

export interface KV {
  update: Update
  /** Every entry whose key starts with `prefix`, in key order. */
  all(prefix: string): Promise<[string, unknown][]>
  /**
   * Writes one entry with a transaction created now, in this task; false when it cannot (not open
   * yet). `ahead`: a copy written ahead of a later write, worth nothing anywhere but IndexedDB.
   */
  putNow(key: string, value: unknown, ahead?: boolean): boolean
  /** Lets the storage go (the database connection): the client was closed. */
  close?(): void
}

/**
 * IndexedDB: one database, one object store, grouped transactions, with idb-keyval's request
 * promises. Opened at once (one open, not one per operation), and `created()` tells as soon as the
 * browser knows that the database did not exist: a first visit, with no stored identity and no
 * stored consent decision to wait for.
 */
export function idbKV(name: string): KV & { created(): boolean } {
  let created = false
  let db: Promise<IDBDatabase> | undefined
  /** The open connection, for putNow. */
  let live: IDBDatabase | undefined
  const open = () =>
    (db ||= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      const fail = (error: unknown) => {
        clearTimeout(timer)
        db = undefined
        reject(error)
      }
      // Every open, not only the first: a reopen (after another connection's versionchange) can
      // wait for ever behind an upgrade that a third connection blocks. Failing moves the queue to
      // memory, where it is still sent, instead of a queue that silently stops.
      const timer = setTimeout(() => fail(new Error(`IndexedDB did not answer within ${OPEN_TIMEOUT} ms`)), OPEN_TIMEOUT)
      request.onupgradeneeded = () => {
        created = true
        request.result.createObjectStore('queue')
      }
      request.onsuccess = () => {
        clearTimeout(timer)
        const connection = request.result
        // Too late (memory has taken over) or closed meanwhile: let it go, and whoever waits fails.
        if (!db) {
          connection.close()
          return reject(new Error('IndexedDB was let go'))
        }
        // Safari may close the connection by itself; another tab may need to upgrade: reopen next time.
        connection.onclose = connection.onversionchange = () => {
          connection.close()
          db = live = undefined
        }
        resolve((live = connection))
      }
      request.onerror = () => fail(request.error)
    }))
  try {
    open().catch(() => {})
  } catch {
    // No IndexedDB here: the first operation fails too, and the resilient wrapper moves to memory.
  }
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => Promise<T>) =>
    Promise.resolve()
      .then(open)
      .then((connection) => fn(connection.transaction('queue', mode).objectStore('queue')))
  return {
    created: () => created,
    close() {
      live?.close()
      db = live = undefined
    },
    putNow(key, value) {
      try {
        const tx = live!.transaction('queue', 'readwrite')
        tx.objectStore('queue').put(value, key)
        tx.commit?.()
        return true
      } catch {
        return false
      }
    },
    update: (keys, fn) =>
      run('readwrite', (s) => {
        const values: unknown[] = []
        let left = keys.length
        let result: any
        // Callbacks, not awaits: the transaction must stay active between the reads and the writes.
        const write = () => {
          const [writes, r] = fn(values)
          result = r
          for (const [key, value] of writes) value === undefined ? s.delete(key) : s.put(value, key)
          // Commit now rather than after one more round trip: the writes land sooner, and a page
          // closed right after they were issued has a better chance to keep them.
          s.transaction.commit?.()
        }
        keys.forEach((key, i) => {
          s.get(key).onsuccess = (e) => {
            values[i] = (e.target as IDBRequest).result
            if (!--left) write()
          }
        })
        if (!left) write()
        return promisifyRequest(s.transaction).then(() => result)
      }),
    all: (prefix) =>
      run('readonly', (s) => {
        const range = IDBKeyRange.bound(prefix, prefix + '\uffff')
        // Both requests run in one transaction, so keys and values line up.
        const keys = promisifyRequest(s.getAllKeys(range))
        return promisifyRequest(s.getAll(range)).then(async (values) => {
          const k = await keys
          return values.map((value, i): [string, unknown] => [k[i] as string, value])
        })
      }),
  }
}

/** The same contract in memory: the fallback, and the store of environments without IndexedDB. */
export function memoryKV(map = new Map<string, unknown>()): KV {
  return {
    update: async (keys, fn) => {
      const [writes, result] = fn(keys.map((key) => map.get(key)))
      for (const [key, value] of writes) value === undefined ? map.delete(key) : map.set(key, value)
      return result
    },
    all: async (prefix) => [...map].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)),
    putNow: (key, value) => !!map.set(key, value),
  }
}

/**
 * Uses `primary` until it fails once, then memory for good. `seed` gives what memory should start
 * with (what is known to be pending); `onFail` is told once.
 *
 * What IndexedDB held when it failed stays there, and the next visit reads it: an update delivered
 * since would be sent again over newer ones, a logout since would be undone. So, once it worked
 * and then failed, every change that does not build on memory's own values (not `local`) is
 * repeated there, as best it can: what memory settles, removes or erases goes from IndexedDB too
 * (deletes need no quota), and the identity is written again until it is stored.
 */
export function resilientKV(primary: KV, seed: () => [string, unknown][], onFail: (error: unknown) => void): KV {
  let current = primary
  let worked = false
  /** IndexedDB failed after it worked: changes are repeated there (until close). */
  let mirroring = false
  /** The latest identity (putNow's entry) that IndexedDB has not confirmed since it failed. */
  let owed: [string, unknown] | undefined
  const pay = (debt = owed) => {
    if (debt) primary.update([], () => [[debt], 0]).then(() => owed === debt && (owed = undefined), () => {})
  }
  const guard = <T>(op: (kv: KV) => Promise<T>): Promise<T> => {
    if (current !== primary) return op(current)
    return op(primary).then(
      (result) => ((worked = true), result),
      (error) => {
        if (current === primary) {
          current = memoryKV(new Map(seed()))
          mirroring = worked
          onFail(error)
        }
        return op(current)
      },
    )
  }
  /** Repeats a change on IndexedDB: all its writes, or (quota) its deletes alone; then the identity. */
  const mirror = (keys: string[], fn: (values: unknown[]) => [[string, unknown][], unknown]) => {
    const repeat = (all: boolean) => primary.update(keys, (values) => [fn(values)[0].filter(([, value]) => all || value === undefined), 0])
    repeat(true)
      .catch(() => repeat(false))
      .then(() => pay(), () => {})
  }
  return {
    update: (keys, fn, local) => {
      const done = guard((kv) => kv.update(keys, fn))
      // Not waited for: the change is made (in memory); IndexedDB is only kept from lying.
      if (!local) done.then(() => mirroring && mirror(keys, fn), () => {})
      return done
    },
    all: (prefix) => guard((kv) => kv.all(prefix)),
    putNow: (key, value, ahead) => {
      // Memory has taken over: a copy ahead of memory's own write would only be left behind there.
      if (ahead) return current === primary && primary.putNow(key, value)
      if (mirroring) pay((owed = [key, value]))
      return current.putNow(key, value)
    },
    // Anything after this (a cycle's last read) goes to memory, silently: the client is gone.
    close() {
      mirroring = false
      primary.close?.()
      current = memoryKV()
    },
  }
}
