// scheduler.ts: one phase value, one timer; interval, full batch, backoff, Retry-After, auth
// pause, offline, stop/start. Driven with fake timers and injected clock/random.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createScheduler, type Outcome } from '../src/scheduler'
import type { RetryState } from '../src/types'

let outcomes: Outcome[]
let sends: number
let saved: RetryState[]
const make = (interval = 1000, random = () => 0.5) =>
  createScheduler(
    async () => {
      sends++
      return outcomes.shift() ?? { kind: 'done' }
    },
    interval,
    (r) => saved.push(r),
    () => Date.now(),
    random,
  )
const setOnline = (value: boolean) => Object.defineProperty(navigator, 'onLine', { get: () => value, configurable: true })

beforeEach(() => {
  vi.useFakeTimers()
  outcomes = []
  sends = 0
  saved = []
})
afterEach(() => {
  vi.useRealTimers()
  setOnline(true)
})

describe('new data', () => {
  it('waits the interval after the first poke; later pokes do not push the deadline back', async () => {
    const s = make(1000)
    s.poke(false)
    expect(s.phase).toBe('waiting')
    await vi.advanceTimersByTimeAsync(600)
    s.poke(false)
    await vi.advanceTimersByTimeAsync(399)
    expect(sends).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(1)
    expect(s.phase).toBe('idle')
  })

  it('a full batch sends at once, also while waiting', async () => {
    const s = make(1000)
    s.poke(false)
    await vi.advanceTimersByTimeAsync(100)
    s.poke(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
  })

  it('a poke while sending sends again after the interval; now() while sending, at once', async () => {
    const s = make(1000)
    s.now()
    expect(s.phase).toBe('sending')
    s.poke(false)
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
    expect(s.phase).toBe('waiting')
    await vi.advanceTimersByTimeAsync(1000)
    expect(sends).toBe(2)
    s.now()
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(4)
  })
})

describe('failures', () => {
  it('backs off with full jitter, doubling per attempt, saves the retry state, and resets it on success', async () => {
    outcomes = [{ kind: 'retry' }, { kind: 'retry' }, { kind: 'done' }]
    const s = make(1000, () => 0.5)
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(s.phase).toBe('backoff')
    await vi.advanceTimersByTimeAsync(499)
    expect(sends).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(2)
    await vi.advanceTimersByTimeAsync(999)
    expect(sends).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(3)
    expect(saved.map((r) => r.attempt)).toEqual([1, 2, 0])
    expect(saved[2].until).toBe(0)
    expect(s.phase).toBe('idle')
  })

  it('now() cuts a computed backoff short, but not a wait the server asked for', async () => {
    outcomes = [{ kind: 'retry' }, { kind: 'retry', after: 5000 }]
    const s = make(1000, () => 0.9)
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    s.now() // computed backoff: go now
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(2)
    s.now() // Retry-After: ignored
    s.poke(true)
    await vi.advanceTimersByTimeAsync(4999)
    expect(sends).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(3)
  })

  it('Retry-After: 0 (or a date already past here) backs off like any failure: no request storm', async () => {
    outcomes = Array.from({ length: 5 }, () => ({ kind: 'retry', after: 0 }))
    const s = make(1000, () => 0.5) // backoff: 500 ms, 1 s, 2 s, 4 s...
    s.now()
    await vi.advanceTimersByTimeAsync(3000)
    expect(sends).toBe(3) // at 0, 500 and 1,500 ms; the next at 3,500
    expect(saved.map((r) => r.until - saved[0].until + 500)).toEqual([500, 1500, 3500])
    s.now() // a computed wait: now() may cut it short
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(4)
  })

  it('failing: the waits of a run of failures, summed, once it failed 10 times; not the wall clock (a computer asleep); kept across a reload; 0 after a success', async () => {
    outcomes = Array.from({ length: 10 }, () => ({ kind: 'retry', after: 60_000 }))
    const s = make(1000)
    s.now()
    await vi.advanceTimersByTimeAsync(8 * 60_000)
    expect(sends).toBe(9)
    expect(s.failing).toBe(0) // 9 failures: not yet
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sends).toBe(10)
    expect(s.failing).toBe(10 * 60_000)
    vi.setSystemTime(Date.now() + 8 * 24 * 3600_000) // asleep for 8 days: no time failing
    expect(s.failing).toBe(10 * 60_000)
    expect(saved.at(-1)!.failed).toBe(10 * 60_000)
    const later = make(1000)
    later.restore(saved.at(-1)!) // a reload
    expect(later.failing).toBe(10 * 60_000)
    await vi.advanceTimersByTimeAsync(60_000) // the 11th send succeeds
    expect(s.failing).toBe(0)
    expect(saved.at(-1)).toEqual({ attempt: 0, until: 0 })
  })

  it('now() cuts a computed backoff short once per run of failures: a page calling flush() often does not hammer a failing endpoint', async () => {
    outcomes = Array.from({ length: 50 }, () => ({ kind: 'retry' }))
    const s = make(1000, () => 0.99) // waits of about 1 s, 2 s, 4 s...
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
    for (let i = 0; i < 20; i++) s.now() // flush(), flush(), ... within the first wait
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(2) // one early try; the others wait for the backoff
    for (let i = 0; i < 20; i++) s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(2) // the early try failed too: its wait (about 2 s) is kept
    await vi.advanceTimersByTimeAsync(1990)
    expect(sends).toBe(3)
  })

  it('an enormous server wait is not turned into an immediate retry', async () => {
    outcomes = [{ kind: 'retry', after: 2 ** 31 + 1000 }]
    const s = make(1000)
    s.now()
    await vi.advanceTimersByTimeAsync(10)
    expect(sends).toBe(1)
  })

  it('auth pauses: no poke or now() sends until the pause is over', async () => {
    outcomes = [{ kind: 'auth' }]
    const s = make(10)
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(s.phase).toBe('paused')
    s.now()
    s.poke(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sends).toBe(1)
    await vi.advanceTimersByTimeAsync(30 * 60 * 1000)
    expect(sends).toBe(2)
  })

  it('busy (another tab sends) looks again after the interval', async () => {
    outcomes = [{ kind: 'busy' }]
    const s = make(300)
    s.now()
    await vi.advanceTimersByTimeAsync(299)
    expect(sends).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(2)
  })

  it('busy with a long interval looks again after a second: a flush() waits for the other tab\'s request, not a minute', async () => {
    outcomes = [{ kind: 'busy' }]
    const s = make(60_000)
    s.now()
    await vi.advanceTimersByTimeAsync(999)
    expect(sends).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(2)
  })
})

describe('restore', () => {
  it('a saved wait in the future is honoured and not cut short by now()', async () => {
    const s = make(10)
    s.restore({ attempt: 2, until: Date.now() + 3000 })
    s.now()
    s.poke(true)
    await vi.advanceTimersByTimeAsync(2999)
    expect(sends).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(1)
  })

  it('a saved wait lasts no longer than it was, though the clock is now behind the one that saved it (set back)', async () => {
    const s = make(10)
    // Saved 1 h ahead of this clock: 2 s left there, 1 h + 2 s here.
    s.restore({ attempt: 2, until: Date.now() + 3600_000 + 2000, wait: 2000, told: true })
    s.poke(true)
    await vi.advanceTimersByTimeAsync(1999)
    expect(sends).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends).toBe(1)
  })

  it("a computed backoff saved by an earlier page can be cut short by now() (flush), as it could there; a server's wait cannot", async () => {
    const computed = make(10)
    computed.restore({ attempt: 2, until: Date.now() + 3000, wait: 3000, told: false })
    computed.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
    const server = make(10)
    server.restore({ attempt: 2, until: Date.now() + 3000, wait: 3000, told: true })
    server.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
  })

  it('a saved wait in the past changes nothing but the attempt count', async () => {
    outcomes = [{ kind: 'retry' }]
    const s = make(10, () => 1)
    s.restore({ attempt: 2, until: Date.now() - 1 })
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
    expect(saved[0]).toEqual({ attempt: 3, until: Date.now() + 4000, failed: 4000, wait: 4000, told: false }) // 1 s * 2^2; an older entry had no `failed`: this wait starts the sum
  })
})

describe('offline, stop and start', () => {
  it('offline: nothing is sent; now() after coming online sends', async () => {
    setOnline(false)
    const s = make(10)
    s.poke(false)
    await vi.advanceTimersByTimeAsync(100)
    expect(s.phase).toBe('offline')
    expect(sends).toBe(0)
    s.now()
    expect(sends).toBe(0)
    setOnline(true)
    s.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends).toBe(1)
  })

  it('stop: no timer fires and nothing sends; start: back to idle', async () => {
    const s = make(100)
    s.poke(false)
    s.stop()
    expect(s.phase).toBe('off')
    s.now()
    s.poke(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sends).toBe(0)
    s.start()
    expect(s.phase).toBe('idle')
    s.poke(false)
    await vi.advanceTimersByTimeAsync(100)
    expect(sends).toBe(1)
  })

  it('stopped while sending: the outcome does not restart anything', async () => {
    outcomes = [{ kind: 'retry', after: 10 }]
    const s = make(100)
    s.now()
    s.stop()
    await vi.advanceTimersByTimeAsync(1000)
    expect(sends).toBe(1)
    expect(s.phase).toBe('off')
  })
})
