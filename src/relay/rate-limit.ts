/**
 * A fixed-window rate limit per client. The store is the only state a relay keeps, so it is
 * pluggable: memory for one machine, or any shared counter (Redis INCR + PEXPIRE, a Durable
 * Object, Deno KV) when the relay scales out.
 */

export interface RateStore {
  /** Counts one hit for `key` in the window that contains `now`; returns the count and when the window ends. */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>
}

/** Windows the in-memory store holds at most: past it, the oldest are forgotten (those clients start a new window). */
const MAX_WINDOWS = 100_000

/**
 * The in-memory store: per process. Windows are kept in the order they opened, so the expired
 * ones are swept from the front, a few at each hit, never by scanning them all; and at most
 * MAX_WINDOWS, so a flood of new clients costs bounded memory.
 */
export function memoryRateStore(): RateStore {
  const windows = new Map<string, { count: number; resetAt: number }>()
  return {
    async hit(key, windowMs, now) {
      let window = windows.get(key)
      if (!window || window.resetAt <= now) {
        // Re-inserted at the back: the map stays in opening order (one windowMs for every key).
        windows.delete(key)
        for (const [k, w] of windows) {
          if (w.resetAt > now && windows.size < MAX_WINDOWS) break
          windows.delete(k)
        }
        windows.set(key, (window = { count: 0, resetAt: now + windowMs }))
      }
      window.count++
      return { ...window }
    },
  }
}

/**
 * The rate-limit key of a client address: an IPv6 client is its /64 (one home or device network
 * holds 2^64 addresses, each a new key otherwise); an IPv4-mapped address is the IPv4 one.
 * @example
 * addressKey('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * addressKey('::ffff:203.0.113.7') // '203.0.113.7'
 */
export function addressKey(address: string | undefined): string | undefined {
  if (!address || !address.includes(':')) return address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]
  const [head, tail = ''] = address.replace(/%.*$/, '').toLowerCase().split('::')
  const front = head ? head.split(':') : []
  const back = address.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = [...front, ...Array(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

export interface RateLimit {
  /** Requests allowed per client per window. */
  limit: number
  windowMs: number
  store?: RateStore
}

/** Seconds to wait when `key` is over the limit, or 0 when the request may go. */
export async function overLimit(rate: RateLimit, store: RateStore, key: string, now = Date.now()): Promise<number> {
  const { count, resetAt } = await store.hit(key, rate.windowMs, now)
  return count > rate.limit ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : 0
}
