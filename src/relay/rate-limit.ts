/**
 * A fixed-window rate limit per client. The store is the only state a relay keeps, so it is
 * pluggable: memory for one machine, or any shared counter (Redis INCR + PEXPIRE, a Durable
 * Object, Deno KV) when the relay scales out.
 */

export interface RateStore {
  /** Counts one hit for `key` in the window that contains `now`; returns the count and when the window ends. */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>
}

/** The in-memory store: per process, with expired windows swept as it goes. */
export function memoryRateStore(): RateStore {
  const windows = new Map<string, { count: number; resetAt: number }>()
  return {
    async hit(key, windowMs, now) {
      let window = windows.get(key)
      if (!window || window.resetAt <= now) {
        if (windows.size > 10_000) for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k)
        windows.set(key, (window = { count: 0, resetAt: now + windowMs }))
      }
      window.count++
      return { ...window }
    },
  }
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
