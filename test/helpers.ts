/** Test seams shared by the unit suites: a recording msw endpoint and event collectors. */
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Client } from '../src/client'

export const ENDPOINT = 'https://api.test/profiles'

export interface Received {
  body: any
  headers: Record<string, string>
  at: number
}

/** An endpoint that records every request body; `reply` decides each answer (200 by default). */
export function recordingEndpoint() {
  const received: Received[] = []
  const state = { reply: (_n: number, _body: any): Response | Promise<Response> => HttpResponse.json({ ok: true }) }
  const server = setupServer(
    // POST, and PUT (Haptik updates a user it registered).
    http.all(ENDPOINT, async ({ request }) => {
      const body = await request.json()
      received.push({ body, headers: Object.fromEntries(request.headers), at: Date.now() })
      return state.reply(received.length, body)
    }),
  )
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => {
    received.length = 0
    state.reply = () => HttpResponse.json({ ok: true })
  })
  afterAll(() => server.close())
  return { received, state }
}

/** Every profile that reached the endpoint, in arrival order. */
export function profilesOf(received: Received[]) {
  return received.flatMap((r) => r.body.profiles)
}

/** The attributes of a wire profile as a plain object. */
export function attrs(profile: { attributes: { name: string; value: unknown }[] }) {
  return Object.fromEntries(profile.attributes.map((a) => [a.name, a.value]))
}

/** Collects a client's events by type. */
export function collect(client: Client) {
  const events = { sent: [] as any[], error: [] as any[], drop: [] as any[] }
  client.on('sent', (e) => events.sent.push(e))
  client.on('error', (e) => events.error.push(e))
  client.on('drop', (e) => events.drop.push(e))
  return events
}

let n = 0
/** A storage name no other test uses. */
export const freshName = () => `test-${Date.now()}-${n++}`

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls until `check` passes or `timeout` ms have gone by. */
export async function until(check: () => boolean, timeout = 3000) {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeout) throw new Error('condition not met in time')
    await sleep(5)
  }
}

/** Reads what the SDK left in IndexedDB: the identity and the pending records. */
export async function stored(storageName: string) {
  const { createStore, entries } = await import('idb-keyval')
  const all = await entries(createStore(storageName, 'queue'))
  // Journals live in a database of their own.
  const journals = await entries(createStore(`${storageName}.journal`, 'queue'))
  const map = new Map([...all, ...journals] as [string, any][])
  return {
    identity: map.get('identity'),
    records: [...map].filter(([k]) => String(k).startsWith('r:')).map(([, v]) => v),
    raw: map,
  }
}

/** A promise with its resolve function, to hold an endpoint's answer. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

// ---------------------------------------------------------------------------------------------
// Additions for the behaviour suites (order, identity, queue, delivery, transport, storage,
// input, consent). Everything above is unchanged.

import { createStore as idbStore, set as idbSet } from 'idb-keyval'
import { vi } from 'vitest'
import { createClient } from '../src/client'
import type { Options } from '../src/types'

/**
 * A client factory for one test file: fresh storage name and the test endpoint by default, and a
 * safety net that closes any client a failing test left open (tests still close their own).
 */
export function clientFactory(defaults: Partial<Options> = {}) {
  const open = new Set<Client>()
  afterEach(() => {
    for (const c of open) c.close()
    open.clear()
  })
  return (options: Partial<Options> = {}) => {
    const client = createClient({ endpoint: ENDPOINT, storageName: freshName(), ...defaults, ...options })
    open.add(client)
    return client
  }
}

/** Writes `value` under `key` straight into the SDK's store, bypassing the SDK (corruption tests). */
export function putRaw(storageName: string, key: string, value: unknown) {
  return idbSet(key, value, idbStore(key.startsWith('j:') ? `${storageName}.journal` : storageName, 'queue'))
}

/** Counts IndexedDB transactions opened from now on (fake-indexeddb's IDBDatabase). */
export function countTransactions() {
  const spy = vi.spyOn(IDBDatabase.prototype, 'transaction')
  return () => spy.mock.calls.length
}

/**
 * Records every fetch call as it is made (synchronously, with its init: keepalive, method),
 * passing it on to the mocked endpoint. Restored after the test (restoreMocks).
 */
export function recordFetch() {
  const calls: { url: string; init: RequestInit; body: any }[] = []
  const real = globalThis.fetch
  vi.spyOn(globalThis, 'fetch').mockImplementation((input: any, init?: RequestInit) => {
    let body: any
    try {
      body = JSON.parse(String(init?.body))
    } catch {
      body = init?.body
    }
    calls.push({ url: String(input), init: init ?? {}, body })
    return real(input, init)
  })
  return calls
}

/** Sets navigator.onLine (undo with resetPage). */
export const setOnline = (value: boolean) =>
  Object.defineProperty(navigator, 'onLine', { get: () => value, configurable: true })

/** Sets document.visibilityState (undo with resetPage). */
export const setVisibility = (value: DocumentVisibilityState) =>
  Object.defineProperty(document, 'visibilityState', { get: () => value, configurable: true })

/** Back to an online, visible page. */
export function resetPage() {
  setOnline(true)
  setVisibility('visible')
}

/** The profiles that reached the endpoint for one user id (null: anonymous). */
export const profilesFor = (received: Received[], userId: string | null) =>
  profilesOf(received).filter((p) => p.userId === userId)

/** Lets pending storage work and timers of `ms` run. */
export const settle = (ms = 30) => sleep(ms)
