/**
 * Several tabs, one queue. Sending happens under an exclusive Web Lock, so one tab sends at a
 * time and that tab sends what every tab stored; identity changes and committed records travel
 * to the other tabs over a BroadcastChannel. Without Web Locks, a lease written in an IndexedDB
 * transaction (atomic, unlike a localStorage flag) plays the lock: it may delay, never duplicate.
 */
import type { KV } from './store.js'

export interface Tabs {
  /** Runs `fn` as the only sender across tabs; undefined when another tab holds the lease. */
  exclusive<T>(fn: () => Promise<T>): Promise<T | undefined>
  /** Tells the other tabs. */
  post(message: unknown): void
  close(): void
}

/**
 * Whether this JavaScript context is one visitor's: a page or a worker in a browser. On a server
 * (Node has a BroadcastChannel too) the clients of one process are visitors rendered at once.
 */
export const oneVisitor = () => typeof window == 'object' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope == 'function'

/** A lease outlives a tab that died holding it by at most this long (ms). */
const LEASE = 30_000

export function createTabs(
  name: string,
  kv: KV,
  onMessage: (message: any) => void,
  locks: LockManager | undefined = globalThis.navigator?.locks,
): Tabs {
  const me = Math.random().toString(36).slice(2)
  let channel: BroadcastChannel | undefined
  try {
    // On a server, the clients of one process must not hear each other.
    if (oneVisitor()) {
      channel = new BroadcastChannel(name)
      channel.onmessage = (event) => onMessage(event.data)
    }
  } catch {
    // No BroadcastChannel: each tab still reads the shared queue before sending; identity
    // changes reach the other tabs on their next load.
  }

  const take = (until: number) =>
    kv.update(['lease'], ([lease]) => {
      const held = lease as { tab: string; until: number } | undefined
      if (held && held.tab !== me && held.until > Date.now()) return [[], false]
      return [[['lease', until ? { tab: me, until } : undefined]], true]
    }, true)

  return {
    async exclusive(fn) {
      if (locks) {
        let ran = false
        try {
          return await locks.request(name, () => ((ran = true), fn()))
        } catch (error) {
          // Refused before running (a sandboxed frame: "Access to the Locks API is denied"): the
          // lease from now on. An error of `fn` itself is the caller's.
          if (ran) throw error
          locks = undefined
        }
      }
      if (!(await take(Date.now() + LEASE))) return undefined
      try {
        return await fn()
      } finally {
        await take(0).catch(() => {})
      }
    },
    post(message) {
      try {
        channel?.postMessage(message)
      } catch {}
    },
    close() {
      channel?.close()
    },
  }
}
