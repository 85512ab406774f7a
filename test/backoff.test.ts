// backoff.ts: full-jitter exponential backoff and Retry-After parsing (pure).
import { describe, expect, it } from 'vitest'
import { AUTH_PAUSE, BACKOFF_BASE, BACKOFF_CAP, backoffDelay, parseRetryAfter } from '../src/backoff'

describe('backoffDelay', () => {
  it('is uniform between 0 and a ceiling that starts at 1 s and doubles per attempt', () => {
    expect(BACKOFF_BASE).toBe(1000)
    expect(backoffDelay(0, () => 0)).toBe(0)
    expect(backoffDelay(0, () => 0.5)).toBe(500)
    expect(backoffDelay(1, () => 0.5)).toBe(1000)
    expect(backoffDelay(2, () => 0.5)).toBe(2000)
    expect(backoffDelay(3, () => 0.999)).toBeLessThanOrEqual(8000)
  })

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(30, () => 0.999999)).toBeLessThanOrEqual(BACKOFF_CAP)
    expect(backoffDelay(5000, () => 1)).toBe(BACKOFF_CAP)
    expect(BACKOFF_CAP).toBe(5 * 60 * 1000)
    expect(AUTH_PAUSE).toBe(30 * 60 * 1000)
  })

  it('is a finite, non-negative number of ms even for a damaged attempt count', () => {
    for (const attempt of [NaN, undefined as any, -1, Infinity]) {
      const delay = backoffDelay(attempt, () => 0.5)
      expect(Number.isFinite(delay)).toBe(true)
      expect(delay).toBeGreaterThanOrEqual(0)
    }
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 23, 10, 0, 0)

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000)
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000)
    expect(parseRetryAfter('0', now)).toBe(0)
  })

  it('reads an HTTP date, relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0)
  })

  it('is undefined when absent', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
  })

  it('is undefined for text that is neither seconds nor a date', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})
