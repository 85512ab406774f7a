/**
 * Sending: a cycle snapshots the stored records, posts them in batches through the format, and
 * settles each batch by its verdict. The beacon does the same synchronously when the page is
 * going away, from what this tab knows, with keepalive. At most one request per profile is in
 * flight.
 */
import { classify } from './classify.js'
import { recordBytes, runs, toProfile, version } from './records.js'
import type { Outcome } from './scheduler.js'
import { byteLength, KEEPALIVE_MAX, transmit } from './transport.js'
import type { Answer, EventMap, Format, OutgoingRequest, ProfileRecord, Verdict } from './types.js'
import { stringify } from './own.js'

export interface DeliveryConfig {
  endpoint: string
  headers: Record<string, string>
  format: Format
  /** Most profiles a request carries. */
  batch: number
  timeout: number
  /** Whether anonymous records are sent (false: held for identify). */
  anonymous: boolean
  /** Whether a send that failed again is given up (its records dropped) rather than retried. */
  giveUp?: () => string | undefined
  /** Sending must stop now (consent withdrawn): no further request, and nothing of an answer is stored. */
  stopped?: () => boolean
  /** Told when a request takes records off (true) and when its answer came (false): for the other tabs. */
  flight?: (records: ProfileRecord[], flying: boolean) => void
}

export interface Delivery {
  /** Sends everything stored that may be sent; resolves with what the scheduler should do next. */
  cycle(): Promise<Outcome>
  /**
   * Sends `records` now with keepalive, without waiting for anything: the page is leaving. `again`:
   * calls made after the first beacon of this pagehide, whose profiles its requests may carry.
   */
  beacon(records: ProfileRecord[], again?: boolean): void
  /** A request of this tab carries the profile `key` right now. */
  flying(key: string): boolean
}

interface Settler {
  settle(records: ProfileRecord[]): Promise<void>
  snapshot(): Promise<ProfileRecord[]>
  created: Set<string>
  remember(ids: string[]): Promise<void>
}

/** Adds the identity signatures of a request's users (and of its chained step) for a verifying relay. */
function signed(request: OutgoingRequest): OutgoingRequest {
  const signatures: Record<string, string> = {}
  for (const r of request.records) if (r.signature && r.userId !== null) signatures[r.userId] = r.signature
  if (!Object.keys(signatures).length) return request
  const header = { 'x-userbeam-signature': stringify(signatures) }
  return { ...request, headers: { ...request.headers, ...header }, then: request.then && signed(request.then) }
}

/** Groups records into requests of at most `batch` profiles and about KEEPALIVE_MAX bytes. */
export function chunk(records: ProfileRecord[], batch: number): ProfileRecord[][] {
  const out: ProfileRecord[][] = []
  let current: ProfileRecord[] = []
  let bytes = 0
  for (const record of records) {
    const size = recordBytes(record)
    if (current.length && (current.length >= batch || bytes + size > KEEPALIVE_MAX * 0.8)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(record)
    bytes += size
  }
  if (current.length) out.push(current)
  return out
}

export function createDelivery(
  queue: Settler,
  config: DeliveryConfig,
  emit: <K extends keyof EventMap>(type: K, event: EventMap[K]) => void,
  fetcher?: typeof fetch,
  now = Date.now,
): Delivery {
  const inFlight = new Set<string>()
  /** Versions the page-hide beacon carries, until it is refused: a cycle does not send them again. */
  const beaconed = new Set<string>()
  let keepaliveBytes = 0
  /**
   * Not in a request of this tab (one request per profile at a time), unless `anyway`: a page that
   * is going cannot wait for that answer, and the later request carries the newer version.
   */
  const sendable = (records: ProfileRecord[], anyway?: boolean) =>
    records.filter((r) => (anyway || !inFlight.has(r.key)) && (config.anonymous || r.userId !== null))
  const build = (records: ProfileRecord[]) =>
    config.format.build(records, {
      endpoint: config.endpoint,
      headers: config.headers,
      now: now(),
      created: (id) => queue.created.has(id),
    }).map(signed)

  /** One request, with its keys marked in flight and keepalive when it fits. */
  async function send(request: OutgoingRequest, keepalive: boolean): Promise<{ answer?: Answer; verdict: Verdict }> {
    const size = byteLength(request.body)
    keepalive &&= keepaliveBytes + size <= KEEPALIVE_MAX
    if (keepalive) keepaliveBytes += size
    for (const r of request.records) inFlight.add(r.key)
    config.flight?.(request.records, true)
    const answer = await transmit(request, config.timeout, keepalive, fetcher)
    for (const r of request.records) inFlight.delete(r.key)
    config.flight?.(request.records, false)
    if (keepalive) keepaliveBytes -= size
    if (typeof answer === 'string') return { verdict: { kind: 'retry', reason: answer } }
    return { answer, verdict: config.format.classify?.(answer, request) ?? classify(answer, now()) }
  }

  /**
   * The requests for `records`, one run at a time (see runs()), each run built only once the
   * requests before it were answered: a profile's second record goes after its first and knows
   * what that one did (Haptik: a POST refused means the next one is a POST again, not a PUT).
   */
  function* built(records: ProfileRecord[]) {
    for (const run of runs(records)) yield* build(run)
  }

  /** Records given up for good: settled (removed unless changed since) and told in a `drop` event. */
  async function drop(request: OutgoingRequest, reason: string, answer?: Answer) {
    await queue.settle(request.records)
    emit('drop', { reason, status: answer?.status, body: answer?.body, profiles: request.records.map(toProfile) })
  }

  /** Posts records; a refused multi-profile batch is halved so one bad profile cannot sink the rest. */
  async function post(records: ProfileRecord[]): Promise<Outcome | undefined> {
    for (const request of built(records)) {
      // Read before the page went into the back/forward cache, sent by its beacon meanwhile.
      if (request.records.some((r) => beaconed.has(version(r)))) continue
      // A chain (user.com: the user, then its custom attributes) counts as delivered only whole.
      let step: OutgoingRequest | undefined = request
      let result: Awaited<ReturnType<typeof send>>
      let steps = 0
      do {
        // Before each request and after each answer: a withdrawal in between ends the cycle, and
        // nothing an answer says (settled records, created ids) is written after the erase.
        if (config.stopped?.()) return { kind: 'done' }
        result = await send(step, true)
        if (config.stopped?.()) return { kind: 'done' }
        if (result.verdict.kind !== 'ok') break
        steps++
        if (step.creates) await queue.remember(step.creates)
      } while ((step = step.then))
      let { answer, verdict } = result
      // A chain refused part-way: what its first steps carried did arrive.
      if (steps && verdict.kind === 'drop') verdict = { ...verdict, reason: `${verdict.reason} (step ${steps + 1} of a chain: the steps before it were delivered)` }
      switch (verdict.kind) {
        case 'ok':
          await queue.settle(request.records)
          emit('sent', { status: answer!.status, profiles: request.records.map(toProfile) })
          break
        case 'split':
        case 'drop':
          if (request.records.length > 1) {
            const half = Math.ceil(request.records.length / 2)
            const outcome = (await post(request.records.slice(0, half))) || (await post(request.records.slice(half)))
            if (outcome) return outcome
            break
          }
          await drop(request, verdict.reason, answer)
          break
        case 'retry': {
          const given = config.giveUp?.()
          if (!given) return { kind: 'retry', after: verdict.after, reason: verdict.reason }
          await drop(request, `${given} (last: ${verdict.reason})`, answer)
          break
        }
        case 'auth':
          emit('error', { code: 'auth', message: `userbeam: ${verdict.reason}`, status: answer!.status })
          return { kind: 'auth' }
      }
    }
  }

  return {
    async cycle() {
      for (const records of chunk(sendable(await queue.snapshot()), config.batch)) {
        const outcome = await post(records)
        if (outcome) return outcome
      }
      return { kind: 'done' }
    },

    flying: (key) => inFlight.has(key),

    beacon(records, again) {
      for (const group of chunk(sendable(records, again), config.batch)) {
        for (const request of build(group)) {
          // A chained request needs its first answer before the second step: it waits for the next visit.
          if (request.then) continue
          // Too big for what keepalive has left: it goes on the next visit; smaller ones may still fit.
          if (keepaliveBytes + byteLength(request.body) > KEEPALIVE_MAX) continue
          // If the page survives (back/forward cache), settle as usual; if not, the records are
          // still stored and go again on the next visit, with the same content.
          const versions = request.records.map(version)
          versions.forEach((v) => beaconed.add(v))
          send(request, true).then(({ answer, verdict }) => {
            if (verdict.kind !== 'ok') return versions.forEach((v) => beaconed.delete(v))
            if (request.creates) queue.remember(request.creates).catch(() => {})
            queue.settle(request.records).catch(() => {})
            emit('sent', { status: answer!.status, profiles: request.records.map(toProfile) })
          })
        }
      }
    },
  }
}
