/**
 * Who the visitor is: a random anonymous id from the first visit, a user id after identify.
 * Pure transitions over IdentityState; the client persists the state beside the queue.
 */
import type { IdentityState } from './types.js'

/** A v4 UUID: crypto.randomUUID where the page is a secure context, getRandomValues elsewhere. */
export function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 15) | 64
  b[8] = (b[8] & 63) | 128
  const h = [...b].map((x) => (x + 256).toString(16).slice(1)).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A new anonymous visitor, keeping only the consent decision of the previous state. */
export function anonymous(consent = true, anonymousId = uuid()): IdentityState {
  return { anonymousId, userId: null, types: {}, consent }
}

/** When the state's login, logout or consent decision was made; 0 when unknown (stored by an older version). */
export const since = (state: IdentityState | undefined): number => Number(state?.since) || 0

/** The queue key of the profile the state points at: one record per (user, anonymous id) pair. */
export function profileKey(state: IdentityState): string {
  return state.userId === null ? `a:${state.anonymousId}` : `u:${state.anonymousId}:${state.userId}`
}

/** Checks that a state read back from storage is usable. */
export function isIdentity(value: unknown): value is IdentityState {
  const s = value as IdentityState
  return (
    !!s &&
    typeof s.anonymousId === 'string' &&
    (s.userId === null || typeof s.userId === 'string') &&
    !!s.types &&
    typeof s.consent === 'boolean'
  )
}
