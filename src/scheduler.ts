/**
 * When to send: one phase value, one timer. New data waits `interval` after the first pending
 * update (or goes at once when a batch is full); failures back off with jitter or exactly as
 * long as the server asked; offline waits for the network; refused credentials pause.
 */
import { AUTH_PAUSE, backoffDelay, MAX_DELAY } from './backoff.js'
import type { RetryState } from './types.js'

/** A run of failures is given up only after at least this many attempts, however long it lasted. */
export const GIVE_UP_ATTEMPTS = 10

/** What a send cycle reports back. */
export type Outcome = { kind: 'done' } | { kind: 'retry'; after?: number; reason?: string } | { kind: 'auth' } | { kind: 'busy' }

export type Phase = 'idle' | 'waiting' | 'sending' | 'backoff' | 'offline' | 'paused' | 'off'

export interface Scheduler {
  readonly phase: Phase
  /** Sending is paused or the server asked for quiet: even the page-hide beacon holds back. */
  readonly holding: boolean
  /** New data is stored: send after the interval, or at once when a batch is `full`. */
  poke(full: boolean): void
  /** Send as soon as allowed: flush(), the page going hidden, the network coming back. */
  now(): void
  /** Resumes a wait saved by an earlier page. */
  restore(retry: RetryState): void
  /** How long (ms) sends have been failing, once they failed at least GIVE_UP_ATTEMPTS times; else 0. */
  readonly failing: number
  stop(): void
  start(): void
}

export function createScheduler(
  send: () => Promise<Outcome>,
  interval: number,
  save: (retry: RetryState) => void,
  now = Date.now,
  random = Math.random,
): Scheduler {
  let phase: Phase = 'idle'
  let timer: ReturnType<typeof setTimeout> | undefined
  let attempt = 0
  /** The waits of the current run of failures, summed (0: sends are not failing). */
  let failed = 0
  /** The current wait was set by the server (Retry-After, or a saved one): flush() honours it. */
  let told = false
  /** Asked to send again while sending: how soon. */
  let again: number | undefined
  /**
   * now() already cut a backoff of this run of failures short: once per run, so a page calling
   * flush() often does not hammer a failing endpoint (each early try would start a new wait).
   */
  let cut = false

  const wait = (ms: number, next: Phase) => {
    clearTimeout(timer)
    phase = next
    // Timers overflow past 2^31-1 ms (24.8 days) and would fire at once: a retry storm.
    timer = setTimeout(run, Math.min(ms, MAX_DELAY))
  }

  async function run() {
    clearTimeout(timer)
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      phase = 'offline'
      return
    }
    phase = 'sending'
    again = undefined
    const outcome = await send()
    if (phase !== 'sending') return // stopped meanwhile
    if (outcome.kind === 'retry') {
      // `Retry-After: 0`, or a date already past on this browser's clock, is no wait at all: back
      // off as for any failure, or a server that keeps answering so gets a request storm.
      told = !!outcome.after
      const delay = outcome.after || backoffDelay(attempt, random)
      failed += delay
      save({ attempt: ++attempt, until: now() + delay, failed, wait: delay, told })
      wait(delay, 'backoff')
    } else if (outcome.kind === 'auth') {
      wait(AUTH_PAUSE, 'paused')
    } else if (outcome.kind === 'busy') {
      // Another tab is sending (lease mode): look again after the interval, or after a second
      // when the interval is longer (the other tab's request is done by then, and a flush() waits).
      wait(Math.min(interval || 1000, 1000), 'waiting')
    } else {
      cut = false
      if (attempt) save({ attempt: (attempt = failed = 0), until: 0 })
      if (again === undefined) phase = 'idle'
      else wait(again, 'waiting')
    }
  }

  return {
    get phase() {
      return phase
    },
    get failing() {
      return attempt >= GIVE_UP_ATTEMPTS ? failed : 0
    },
    get holding() {
      return phase === 'paused' || phase === 'off' || (phase === 'backoff' && told)
    },
    poke(full) {
      const delay = full ? 0 : interval
      if (phase === 'idle' || (phase === 'waiting' && full)) wait(delay, 'waiting')
      else if (phase === 'sending') again = Math.min(again ?? delay, delay)
    },
    now() {
      if (phase === 'sending') again = 0
      else if (phase === 'idle' || phase === 'waiting' || phase === 'offline' || (phase === 'backoff' && !told && !cut && (cut = true))) run()
    },
    restore(retry) {
      attempt = retry.attempt
      failed = retry.failed || failed
      const left = Math.min(retry.until - now(), retry.wait ?? Infinity)
      if (left > 0 && phase !== 'off') {
        // A computed backoff saved by an earlier page may be cut short by flush(), as it would be there.
        told = retry.told ?? true
        wait(left, 'backoff')
      }
    },
    stop() {
      clearTimeout(timer)
      phase = 'off'
    },
    start() {
      if (phase === 'off') phase = 'idle'
    },
  }
}
