/**
 * createClient: the composition root, the only file that knows every part. Public calls are
 * synchronous and never throw; each is validated at once (so later mutation of the caller's
 * object has no effect), then applied in call order once the stored identity is loaded, merged
 * into per-profile deltas, and committed to the queue in one transaction per tick.
 */
import { applyProfileLimits, describe, eachAttribute, idProblem, limitAttribute, readAttributes, type Rejection, type Typed } from './attributes.js'
import { MAX_DELAY } from './backoff.js'
import { createDelivery } from './delivery.js'
import { createEmitter, type Listener } from './emitter.js'
import { formats } from './formats/index.js'
import { json } from './formats/json.js'
import { anonymous, profileKey, since, uuid } from './identity.js'
import { resolveOptions } from './options.js'
import { createQueue } from './queue.js'
import { mergeRecord, overBudget, toProfile, version } from './records.js'
import { createScheduler, type Outcome } from './scheduler.js'
import { idbKV, memoryKV, resilientKV } from './store.js'
import { createTabs, oneVisitor } from './tabs.js'
import type { AttributeType, AttributeValue, Delta, EventMap, Format, IdentityState, Journal, Options, ProfileRecord, RetryState } from './types.js'
import { names, own } from './own.js'

export interface User {
  /** Adds or updates attributes of the current visitor, anonymous or identified. */
  push(attributes: Record<string, unknown>): void
  /** Logs a user in; a different user than the current one logs the current one out first. */
  identify(userId: string, attributes?: Record<string, unknown>, options?: { signature?: string }): void
  /** Logs out: what is queued stays with the old user; later pushes go to a new anonymous id. */
  logout(): void
}

export interface Client {
  user: User
  /**
   * Resolves once everything queued before the call is delivered or dropped for good (or sending
   * is paused), or after `timeout` ms at the latest: offline or during a server's Retry-After,
   * delivery can take hours (before a navigation, `await flush(1000)` bounds the wait).
   */
  flush(timeout?: number): Promise<void>
  /** Subscribes to 'sent', 'error' or 'drop'; returns the unsubscribe function. */
  on<K extends keyof EventMap>(type: K, listener: Listener<K>): () => void
  /** consent(false) stops sending and erases the queue; consent(true) resumes. Remembered across visits. */
  consent(granted: boolean): void
  /** Stops timers and listeners; what is queued stays stored for the next client. */
  close(): void
}

/**
 * Call time with sub-millisecond precision, comparable across tabs of one browser. timeOrigin is
 * read once: it is fixed for the page, and reading it per call was the push path's largest cost.
 * Read when the first client is made, not at import: server-side rendering may import this file.
 */
let origin: number | undefined
// Safari before 15 has no timeOrigin: the page's start, from the two clocks it has.
const clock = () => (origin ??= performance.timeOrigin || Date.now() - performance.now()) + performance.now()

/**
 * The anonymous id of a first visit, per storageName: the clients of one page made before any of
 * them loaded (a component mounted twice at once, as React's StrictMode does, or a module replaced
 * in development) are one visitor, not several. Forgotten at the first load: a later client reads
 * the stored identity, or (storage in memory, a withdrawal that stored no id) is a new visitor.
 */
const firstVisits = new Map<string, string>()

/**
 * Creates a client. Safe to call anywhere; nothing throws into the page.
 * @example
 * const client = createClient({ endpoint: '/profiles' })
 * client.user.push({ city: 'Mumbai' })
 * client.user.identify('u-42', { email: 'asha@example.com' })
 */
export function createClient(options: Options): Client {
  const { config, problems } = resolveOptions(options)
  const events = createEmitter(config.debug)
  const chosen = own(formats, config.destination) ? (formats as Record<string, Format>)[config.destination] : undefined
  if (!chosen) {
    problems.push(
      `destination must be one of ${Object.keys(formats).join(', ')}; got "${config.destination}". Updates are stored but not sent (dist/userbeam.min.js has every destination)`,
    )
  }
  const format = chosen ?? json
  const rules = format.rules
  const holds = config.holdAnonymous ?? !format.anonymous
  for (const problem of problems) events.warnOnce(`userbeam: ${problem}`)
  // As events too, after createClient returns: a listener attached right after it hears them.
  Promise.resolve().then(() => problems.forEach((problem) => report({ code: 'config', message: `userbeam: ${problem}` })))

  let state: IdentityState | undefined
  /** An identity another tab announced before this one finished loading. */
  let announced: IdentityState | undefined
  let ops: (() => void)[] | undefined = []
  /** identify() was called before storage answered: those calls name their profile themselves. */
  let named = false
  let deltas = new Map<string, Delta>()
  /** The journal key `deltas` are written ahead under (once written), and whether a call since is not. */
  let ahead: string | undefined
  let unwritten = false
  /**
   * What tabs that left had not stored yet (their page-hide message) and what pages that died left
   * in journals: stored by this tab's next commit.
   */
  const foreign: Journal[] = []
  /** What a commit is writing right now: neither in `deltas` nor in `queue.pending` yet. */
  let writing: Journal[] = []
  /** The identity a first visit gets; used before storage answers only if the page is leaving. */
  let mint = firstVisits.get(config.storageName)
  if (!mint) {
    mint = uuid()
    // Not on a server: its clients are visitors rendered at once.
    if (oneVisitor()) firstVisits.set(config.storageName, mint)
  }
  const fresh = anonymous(true, mint)
  let dirty = false
  let committing: Promise<void> | undefined
  /** The latest call stamp seen (stored records, other tabs, this tab): new calls stamp past it. */
  let high = 0
  /** Stamps seen elsewhere (stored records, other tabs): this tab's next calls stamp past them. */
  const seen = (attributes: Record<string, { at?: number }>) => {
    for (const name of names(attributes)) high = Math.max(high, attributes[name].at ?? 0)
  }
  /** Calls made elsewhere, to be stored here: seen, then merged by this tab's next commit. */
  const take = (journals: Journal[]) => {
    for (const j of journals) j.deltas.forEach((d) => seen(d.attributes))
    foreign.push(...journals)
  }
  let keyed: IdentityState | undefined
  let key = ''
  /** flush() calls waiting for records to settle; `gone` once one settled on its timeout. */
  type Waiter = { targets: [string, string, number][]; done: () => void; gone?: boolean }
  let waiters: Waiter[] = []

  const report = (error: EventMap['error']) => events.emit('error', error)
  const storageFailed = (error: unknown) => {
    const message = `userbeam: IndexedDB is unavailable (${String(error)}); updates are kept in memory and still sent, but do not survive a reload.`
    events.warnOnce(message)
    report({ code: 'storage', message })
  }
  const inBrowser = typeof window !== 'undefined'
  // Reading indexedDB itself throws in sandboxed, opaque-origin documents.
  const idb = (() => {
    try {
      return globalThis.indexedDB
    } catch {}
  })()
  // Told after createClient returns, so a listener attached right after it hears it.
  if (inBrowser && !idb) Promise.resolve('not supported here').then(storageFailed)
  const primary = idb ? idbKV(config.storageName) : undefined
  const kv = primary ? resilientKV(primary, () => queue.dump(), storageFailed) : memoryKV()
  const name = `userbeam:${config.storageName}`
  /** Profiles a request of another tab carries right now. */
  const elsewhere = new Set<string>()
  const tabs = createTabs(name, kv, (message) => {
    // Closed: heard only while the calls made before close() wait for storage (see close()).
    if (closed && !ops) return
    if (message.records) {
      for (const [key, r] of message.records as [string, ProfileRecord | undefined][]) {
        if (!r) queue.pending.delete(key)
        else {
          queue.pending.set(key, r)
          seen(r.attributes)
        }
      }
    }
    if (message.identity) adopt(message.identity)
    // A tab that left sent what it had not stored yet: its commit may die with its page, and a
    // call older than these (stored here) would then win at the server.
    if (message.journals && !closed && state?.consent !== false) {
      take(message.journals)
      commitSoon()
    }
    // Haptik: an id another tab registered (POST) is updated (PUT) here too.
    for (const id of message.created ?? []) queue.created.add(id)
    for (const key of message.flying ?? []) elsewhere.add(key)
    for (const key of message.landed ?? []) elsewhere.delete(key)
    if (message.quiet > quiet) scheduler.restore({ attempt: 1, until: Date.now() + (quiet = message.quiet) - clock() })
  })
  const queue = createQueue(
    kv,
    (count) => report({ code: 'storage', message: `userbeam: removed ${count} unreadable queue entries` }),
    (records) => tabs.post({ records }),
    undefined,
    (created) => tabs.post({ created }),
    // Journals in a database of their own (see createQueue); if it fails, none are written.
    idb ? resilientKV(idbKV(`${config.storageName}.journal`), () => [], () => {}) : kv,
  )
  const sendable = (r: ProfileRecord) => !holds || r.userId !== null
  /** How many stored profiles this tab may send now. */
  const ready = () => {
    let count = 0
    for (const r of queue.pending.values()) if (sendable(r)) count++
    return count
  }
  const delivery = createDelivery(
    queue,
    {
      endpoint: config.endpoint,
      headers: config.headers,
      format,
      batch: Math.min(config.maxBatchSize, format.batch),
      timeout: config.timeout,
      anonymous: !holds,
      stopped: () => closed || state?.consent === false,
      giveUp: () => {
        const failing = scheduler.failing
        if (failing > config.giveUpAfter) {
          return `sends failed for ${failing < 120_000 ? `${Math.round(failing / 1000)} seconds` : `${Math.round(failing / 60_000)} minutes`}, past giveUpAfter: given up`
        }
      },
      flight: (records, flying) =>
        tabs.post({ [flying ? 'flying' : 'landed']: records.map((r) => r.key) }),
    },
    events.emit,
  )
  /**
   * Until when the server asked for quiet (Retry-After), as this tab or another one was told: on
   * the page's own clock, which a wall clock set back does not move (the wait stays as long).
   */
  let quiet = 0
  const scheduler = createScheduler(
    async () => {
      const outcome = await tabs
        .exclusive(async (): Promise<Outcome> => {
          // Checked under the lock: the tab that was told says so before it lets the lock go.
          if (quiet > clock()) return { kind: 'retry', after: quiet - clock() }
          const o = await delivery.cycle()
          if (o.kind === 'retry' && o.after !== undefined) tabs.post({ quiet: (quiet = clock() + o.after) })
          return o
        })
        .then(
        (o) => o ?? ({ kind: 'busy' } as const),
        (error): Outcome => ({ kind: 'retry', reason: String(error) }),
      )
      // Retries are quiet unless debugging: a failing endpoint (or a CORS refusal) is seen here.
      if (outcome.kind === 'retry' && outcome.reason) events.debug(`userbeam: sending failed (${outcome.reason}); it will be retried`)
      // After the scheduler has taken the outcome (paused, backoff...), so flush() callers see it.
      setTimeout(() => check(outcome.kind === 'auth'))
      return outcome
    },
    config.flushInterval,
    (retry) => void queue.saveRetry(retry).catch(() => {}),
  )

  /** Resolves the flush() calls whose records are all settled (or all, when sending stopped). */
  function check(all = false) {
    waiters = waiters.filter((w) => {
      const open =
        !all &&
        w.targets.some(([key, rid, seq]) => {
          const r = queue.pending.get(key)
          return r && r.rid === rid && (r.acked ?? 0) < seq
        })
      if (!open) w.done()
      return open
    })
  }

  /** close() was called: calls are ignored, nothing more is sent or stored. */
  let closed = false
  const run = (op: () => void) => (closed ? 0 : ops ? ops.push(op) : op())
  /**
   * The call time, read once per task: calls made in one synchronous run share it, and stage()
   * still stamps them apart, in call order. Reading the clock per call cost about a tenth of a
   * push. The price: in a task that runs for seconds, its later calls carry its start time, which
   * only matters if another tab sets the same attribute during that task.
   */
  let taskTime: number | undefined
  const callTime = () => {
    if (taskTime === undefined) {
      taskTime = clock()
      Promise.resolve().then(() => (taskTime = undefined))
    }
    return taskTime
  }
  /** Reports of the profile-wide limits, one function per call name (no closure per push). */
  const rejectIn = { push: (r: Rejection) => reject('push', r), identify: (r: Rejection) => reject('identify', r) }
  const internal = (error: unknown) =>
    report({ code: 'input', message: `userbeam: internal error, the call was ignored (${String(error)})` })
  const guard = (fn: () => void) => {
    try {
      fn()
    } catch (error) {
      internal(error)
    }
  }
  const reject = (call: string, { attribute, reason }: Rejection) =>
    report(
      attribute !== undefined
        ? { code: 'attribute', attribute, message: `userbeam: ${call}: attribute "${attribute}" rejected (${format.name} rules): ${reason}. The other attributes were kept.` }
        : { code: 'input', message: `userbeam: ${call}: ${reason}; ${call === 'push' ? 'nothing was stored' : 'no attributes were stored, the login itself went through'}` },
    )

  /** The call being staged (see stage): its name, its stamp, and its delta once a value is in. */
  let callName: 'push' | 'identify' = 'push'
  let callAt = 0
  let target: Delta | undefined

  /** The current profile's delta, reached by the call's first staged value, which stamps the call. */
  function open(): Delta {
    const s = state!
    // The key is built once per identity, not once per push.
    if (keyed !== s) key = profileKey((keyed = s))
    let delta = deltas.get(key)
    // No prototype: put() reads a name such as "toString" straight, with no own() (hot path).
    if (!delta) deltas.set(key, (delta = { key, userId: s.userId, anonymousId: s.anonymousId, signature: s.signature, attributes: Object.create(null) }))
    // Later calls must win even if the wall clock went back since the stored ones were stamped.
    callAt = high = Math.max(callAt, high + 1e-3)
    commitSoon()
    // A blind write in pagehide may not land before the page is gone; a keepalive request does.
    if (leaving) {
      if (!late.size) Promise.resolve().then(() => beacon(undefined, true))
      late.add(key)
    }
    return delta
  }

  /**
   * One accepted attribute of the call being staged: the profile-wide limits, then into the
   * delta. A name the delta holds already is overwritten in place: no allocation (hot path).
   */
  function put(name: string, type: AttributeType, value: AttributeValue) {
    // A name locked to this type passes (limitAttribute says so too). Looked up here: at the
    // shared lookup in limitAttribute, which sees many objects, each push allocated 80 bytes.
    const types = state!.types
    const verdict = own(types, name) && types[name] === type ? false : limitAttribute(name, type, types, rules)
    if (typeof verdict === 'string') return rejectIn[callName]({ attribute: name, reason: verdict })
    if (verdict) identityChanged()
    const attributes = (target ||= open()).attributes
    const slot = attributes[name]
    if (slot) {
      slot.type = type
      slot.value = value
      slot.at = callAt
    } else attributes[name] = { type, value, at: callAt }
  }

  /**
   * Adds a call to the current profile's delta: its attributes, read now from `input` (push) or
   * checked already (`typed`), each within the profile-wide limits; `link` stages the profile even
   * without any, `fold` the anonymous record it folds in. Re-entrant: a getter or an error
   * listener may make a call in the middle of this one.
   */
  function stage(call: 'push' | 'identify', at: number, input: unknown, typed?: Record<string, Typed>, link = false, fold?: string, skip?: string[]) {
    if (!state!.consent) {
      // Read only to report what is wrong with it: nothing is kept.
      if (input) eachAttribute(input, rules, rejectIn[call], () => {})
      return events.debug(`userbeam: ${call} ignored: consent was withdrawn`)
    }
    // A delta folds one record: a second one (another tab's minted id, then an orphan) goes in a
    // delta of its own, after the ones staged so far.
    const folding = fold && deltas.get(profileKey(state!))?.fold
    if (folding && folding !== fold) detach()
    const outer = callName
    const outerAt = callAt
    const outerTarget = target
    callName = call
    callAt = at
    target = undefined
    try {
      if (typed) for (const name of names(typed)) put(name, typed[name].type, typed[name].value)
      else eachAttribute(input, rules, rejectIn[call], put)
      if (link) target ||= open()
      if (fold) {
        target!.fold = fold
        target!.skip = skip
      }
    } finally {
      callName = outer
      callAt = outerAt
      target = outerTarget
    }
  }

  /**
   * Closes the deltas staged so far (written ahead first): later calls start new ones, and these
   * are committed first, as one journal. Returns it, if there were any.
   */
  function detach(): Journal | undefined {
    if (!deltas.size) return
    writeAhead()
    const closed = { key: ahead, deltas: [...deltas.values()] }
    foreign.push(closed)
    deltas = new Map()
    ahead = undefined
    return closed
  }

  /** consent(false)'s erasing of the queue, while it runs: flush() waits for it. */
  let erasing: Promise<void> | undefined
  function erase() {
    const erased = (erasing = queue.clear().then(
      () => check(true),
      () => check(true),
    ))
    // A later consent(false) has its own erasing: only this one's end clears the field.
    erased.then(() => erasing === erased && (erasing = undefined))
  }
  /** This tab made a login, logout or consent decision since its last identity write. */
  let mine = false
  /** The stamp of a decision made now: past the current state's, also within one clock tick. */
  const decided = () => Math.max(clock(), since(state) + 1e-3)
  /** Writes the identity (waiting for no commit) and tells the other tabs. */
  function writeIdentity() {
    dirty = false
    const identity = { ...state!, types: { ...state!.types } }
    tabs.post({ identity })
    // Withdrawn consent stores the decision and no id: an anonymous id that links to nothing. This
    // page (and the other tabs) keep the real identity in memory, for a consent(true) to come.
    queue.keep(identity.consent ? identity : { ...anonymous(false), since: identity.since, blank: true }, mine)
    mine = false
  }

  /**
   * The identity changed. A login, logout or consent decision (`now`) is written at once when it
   * is the task's first change, so it survives a page that navigates in the same task; the rest of
   * the task's changes (more logins in a loop, newly seen attribute types) in one write at its end.
   */
  let keeping = false
  function identityChanged(now = false) {
    dirty = true
    mine ||= now
    if (keeping) return
    if (now) writeIdentity()
    keeping = true
    Promise.resolve().then(() => {
      keeping = false
      // The task's calls first: a later identity stored without them (a kill in between) would
      // orphan an anonymous record whose fold into the earlier login they carry.
      writeAhead()
      if (dirty) writeIdentity()
    })
  }

  function commitSoon() {
    if (!unwritten) {
      unwritten = true
      Promise.resolve().then(writeAhead)
    }
    committing ||= Promise.resolve().then(commitAll)
  }

  /**
   * Writes the calls not stored yet ahead of their commit, once per task: a blind write lands even
   * when the page navigates in this task, where a commit (a read, then a write) may die with it.
   * The next page (or another tab told at page-hide) merges what no commit did.
   */
  function writeAhead() {
    if (!unwritten) return
    unwritten = false
    if (!deltas.size) return
    const key = ahead ?? uuid()
    if (queue.journal(key, [...deltas.values()])) ahead = key
  }

  /**
   * Hold mode: an anonymous record of the visitor now identified belongs to the user. It appears
   * when another tab's anonymous commit lands after the fold, or a page left before its fold was
   * stored: it is folded in now, or it would wait for ever. Values it refuses are reported by
   * the tab that made the login (`tell`), not again by every tab that hears of it.
   */
  function adoptOrphan(tell = true) {
    const s = state
    if (!holds || !s || s.userId === null) return
    const orphan = profileKey({ ...s, userId: null })
    const record = queue.pending.get(orphan)
    // The login's own fold, staged while this record's commit was in flight, told its refusals.
    const staged = deltas.get(profileKey(s))
    if (record) stage('identify', callTime(), undefined, {}, true, orphan, unfoldable(record.attributes, tell, staged?.fold === orphan ? staged.skip : undefined))
  }

  /**
   * Hold mode: held anonymous values join the user only within the user's type locks and custom
   * cap (a returning user's come back from this browser); the destination would ignore the rest.
   * Returns the names left out of the fold, each one reported unless `told` lists it (reported already).
   */
  function unfoldable(held: Record<string, { type: AttributeType }>, tell = true, told?: string[]): string[] | undefined {
    const skip: string[] = []
    const refuse = ({ attribute, reason }: Rejection) => {
      skip.push(attribute!)
      if (tell && !told?.includes(attribute!)) reject('identify', { attribute, reason: `the value pushed before the login cannot join this user: ${reason}` })
    }
    // Folded here because another tab logged in: that tab writes the types (a write here could
    // carry this tab's identity over a logout made there since).
    if (applyProfileLimits(held, state!.types, rules, refuse) && tell) identityChanged()
    return skip.length ? skip : undefined
  }

  async function commitAll() {
    listen()
    try {
      while (deltas.size || foreign.length) {
        writeAhead()
        const taken = foreign.splice(0)
        const own = { key: ahead, deltas: [...taken.filter((j) => !j.key).flatMap((j) => j.deltas), ...deltas.values()] }
        const journaled = taken.filter((j) => j.key)
        // In the order the commit merges them (the beacon merges them so too).
        writing = [...journaled, own]
        deltas = new Map()
        ahead = undefined
        await queue.commit(own.deltas, own.key, journaled)
        adoptOrphan()
        const over = overBudget([...queue.pending.values()], config.maxQueueBytes, delivery.flying)
        if (over.length) {
          await queue.remove(over)
          events.emit('drop', {
            reason: `the queue passed its ${config.maxQueueBytes}-byte budget (maxQueueBytes): the oldest updates were dropped, anonymous ones first`,
            profiles: over.map(toProfile),
          })
        }
      }
    } catch (error) {
      report({ code: 'storage', message: `userbeam: could not store updates (${String(error)})` })
    }
    writing = []
    committing = undefined
    const count = ready()
    if (count) scheduler.poke(count >= config.maxBatchSize)
  }

  /** Waits for pending commits, then for every record stored at that moment to be settled. */
  async function flushWhenStored(waiter: Waiter) {
    try {
      while (committing || erasing) await (committing || erasing)
      waiter.targets = (await queue.snapshot()).filter(sendable).map((r): [string, string, number] => [r.key, r.rid, r.seq])
      // Settled on its timeout meanwhile: nothing to keep (the list can hold every pending profile).
      if (waiter.gone) return
      // Checked after the last wait: a close() or a withdrawal meanwhile settles this flush too.
      // Nothing to wait for: no send either (it would take calls made after this flush early).
      if (closed || !state!.consent || scheduler.phase === 'off' || scheduler.phase === 'paused' || !waiter.targets.length) return waiter.done()
      waiters.push(waiter)
      scheduler.now()
    } catch {
      waiter.done()
    }
  }

  /** Another tab changed the identity (or consent): later calls here follow it. */
  function adopt(next: IdentityState) {
    if (!state) return void (since(next) >= since(announced) && (announced = next))
    // A decision older than this tab's (the other tab had not heard of it yet): not taken.
    if (since(next) < since(state)) return
    // A decision of a tab that read the withdrawal (stored with no id): its ids are placeholders.
    // The decision is taken here, with this tab's ids, which are written and told with it.
    const only = next.blank && !state.blank
    if (only) next = { ...state, consent: next.consent, since: next.since }
    // A first visit in several tabs at once: each minted its own anonymous id before any was
    // stored. They settle on the smallest id (or on the one that logged in), and what this tab
    // did under its own id moves there: the visitor's activity stays in one profile.
    // Also on an id this tab took that way (no decision since: still a minted id): what it moved
    // there, or did there, moves on, and a larger minted id does not take it back.
    const left = state
    let minted = state.userId === null && !since(state) && !state.blank && next.anonymousId !== state.anonymousId
    if (minted && next.userId === null && next.anonymousId > state.anonymousId) {
      // This tab's id wins (the other tab moves here), but a consent decision made there holds here too.
      if (next.consent === state.consent) return
      next = { ...state, consent: next.consent }
      minted = false
    }
    const same = next.anonymousId === state.anonymousId && next.userId === state.userId
    state = { ...next, types: same ? { ...next.types, ...state.types } : next.types }
    if (!next.consent) {
      deltas.clear()
      scheduler.stop()
    } else if (config.endpoint && chosen) scheduler.start()
    if (minted) stage('push', callTime(), undefined, {}, true, profileKey(left))
    if (minted || only) identityChanged(true)
    adoptOrphan(false)
  }

  /** The users list of a state: its [id, locks] pairs (an earlier build stored an object there: not read). */
  const usersOf = (users: IdentityState['users']) => (Array.isArray(users) ? users.filter(Array.isArray) : [])

  function logoutNow() {
    // Nobody is logged in: the anonymous visitor stays, and their held updates still follow
    // them into the next identify() (Growlytics' advice is to call logout() before identify()).
    const { userId, types, users, consent } = state!
    if (userId === null) {
      // A tab that read the withdrawal knows no user, but another tab may: its visitor is told as
      // the current one (the same id: what it did stays theirs).
      if (state!.blank) {
        state = { ...state!, blank: undefined, since: decided() }
        identityChanged(true)
      }
      return
    }
    // The user's type locks stay on this browser: the destination keeps them when they come back.
    // The 50 most recent users (a shared device must not grow the stored identity for ever).
    const kept = usersOf(users).filter(([id]) => id !== userId).slice(-49)
    kept.push([userId, types])
    state = { ...anonymous(consent), users: kept, since: decided() }
    identityChanged(true)
    commitSoon()
  }

  /** Calls a page-hide beacon sent, out of `deltas` until a commit takes them. */
  const beaconed = new WeakSet<Journal>()
  /** In the page's pagehide, after the beacon: calls made now (the page's own handlers) are sent by a beacon of their own. */
  let leaving = false
  /** The profiles such calls changed, for that beacon. */
  let late = new Set<string>()

  /**
   * The page is leaving: send what this tab knows, merged with what is not committed yet. `again`:
   * a second beacon, for calls made after the first one in the same pagehide, sends only their profiles.
   */
  function beacon(event?: PageTransitionEvent, again?: boolean) {
    const keys = late
    late = new Set()
    // Leaving before storage answered (IndexedDB can take longer to open than a redirect takes).
    // The calls go out now, under a new anonymous id, when nothing stored can change what they
    // mean: on a first visit (the database was just created), or when this page named the user
    // with identify(). Anonymous calls on a later visit would land on a guessed profile: they go
    // only if the page stays. Never on a page that may come back: storage answers first there.
    if (ops && !event?.persisted && (named || primary?.created())) load(undefined)
    if (!state?.consent) return
    writeAhead()
    const staged = [...deltas.values()]
    const unstored = [...writing, ...foreign.filter((j) => beaconed.has(j))].flatMap((j) => j.deltas).concat(staged)
    if (config.endpoint && !scheduler.holding) {
      const records = new Map(queue.pending)
      for (const d of unstored) {
        // The stored copy of this delta will carry the same ids, so the server sees one message.
        d.rid ??= uuid()
        d.messageId ??= uuid()
        const current = records.get(d.key)
        d.base ??= current ? version(current) : ''
        const merged = mergeRecord(current, d, d.fold ? records.get(d.fold) : undefined, uuid, Date.now())
        if (merged) records.set(d.key, merged)
        if (d.fold) records.delete(d.fold)
      }
      // Not a profile another tab's request carries: one request per profile at a time. That tab
      // sends a newer version once its answer is in (this page's unstored part is told to it below).
      delivery.beacon([...records.values()].filter((r) => !elsewhere.has(r.key) && (!again || keys.has(r.key))).sort((a, b) => a.created - b.created), again)
    }
    // The other tabs store what this one had not stored yet (with the ids the beacon gave it): its
    // own commit may die with the page.
    if (unstored.length) tabs.post({ journals: [...writing, { key: ahead, deltas: staged }].filter((j) => j.deltas.length) })
    // Calls made after this (the page's own pagehide handlers, a page back from the back/forward
    // cache) go to new deltas: these are stored as the very message the beacon sent.
    const sent = detach()
    if (sent) beaconed.add(sent)
    if (event) {
      leaving = true
      setTimeout(() => (leaving = false))
    }
  }
  // Hidden with nothing to send: no cycle (its lock and reads, answered while the page sits in
  // the back/forward cache, made Chromium evict it).
  const onVisibility = () =>
    document.visibilityState === 'hidden' && (deltas.size || committing || ready()) && scheduler.now()
  const onOnline = () => scheduler.now()
  /**
   * Listens to the page's lifecycle; again on every commit: a page rewritten with document.open()
   * loses every listener of its window and document (adding one that is there changes nothing).
   */
  const listen = () => {
    if (inBrowser && !closed) {
      addEventListener('pagehide', beacon)
      addEventListener('online', onOnline)
      document.addEventListener('visibilitychange', onVisibility)
    }
  }
  listen()
  if (!config.endpoint || !chosen) scheduler.stop()

  /**
   * The type locks of the current profile's stored values: a page that left in the task of a call
   * stored the call (written ahead) and may not have stored the identity with its new lock.
   */
  function relock(sources: { key: string; attributes: Record<string, { type: AttributeType }> }[]) {
    const profile = profileKey(state!)
    let types: Record<string, AttributeType> | undefined
    for (const { key, attributes } of sources) {
      if (key !== profile) continue
      for (const name of names(attributes)) if (!own(types ?? state!.types, name)) (types ??= { ...state!.types })[name] = attributes[name].type
    }
    if (types) {
      state = { ...state!, types }
      identityChanged()
    }
  }

  /** Storage answered (or, on a first visit, the page is leaving first): apply the calls made so far, in order. */
  function load(saved: IdentityState | undefined, retry?: RetryState, stored: ProfileRecord[] = [], floor = 0, journals: Journal[] = []) {
    high = Math.max(high, floor)
    for (const r of stored) seen(r.attributes)
    if (!ops) return
    if (firstVisits.get(config.storageName) === mint) firstVisits.delete(config.storageName)
    state = (announced && since(announced) >= since(saved) ? announced : saved) ?? fresh
    // A first visit: the new anonymous identity is stored with the first write.
    if (!saved && !announced) identityChanged()
    if (!state.consent) {
      scheduler.stop()
      // The decision is stored at once, the erasing a moment later: a browser killed in between
      // left records, floors or created ids behind. They go now (no transaction when nothing is left).
      if (stored.length || floor || queue.created.size || journals.length) erase()
    } else {
      if (retry) scheduler.restore(retry)
      // A page torn down before its commit landed: its calls are stored now, before this page's.
      take(journals)
      relock([...stored, ...journals.flatMap((j) => j.deltas)])
    }
    // Whatever an earlier page left behind goes at once; this page's calls wait their interval.
    if (stored.some(sendable) || journals.length) scheduler.now()
    // Before the calls: a flush() among them must wait for this fold (and those journals) too.
    adoptOrphan()
    if (foreign.length) commitSoon()
    const todo = ops
    ops = undefined
    for (const op of todo) guard(op)
    commitSoon()
  }
  /** Storage answered and the calls made before it were applied. */
  const loaded = queue
    .load()
    .then(([saved, retry, stored, floor, journals]) => load(saved, retry, stored, floor, journals))
    .catch(() => load(undefined))

  return {
    user: {
      // The hot path: no closure unless storage has not answered yet.
      push(attributes) {
        try {
          const at = callTime()
          // identify() may omit its attributes; push() without any is a mistake worth a word.
          if (attributes == null) return reject('push', { reason: `expected an object of attributes, got ${attributes}` })
          if (closed) return
          if (ops) {
            const typed = readAttributes(attributes, rules, rejectIn.push)
            ops.push(() => stage('push', at, undefined, typed))
          } else stage('push', at, attributes)
        } catch (error) {
          internal(error)
        }
      },
      identify: (userId, attributes, options) =>
        guard(() => {
          const problem = idProblem(userId, rules)
          if (problem) {
            report({ code: 'identity', message: `userbeam: identify: ${problem}; the call was ignored (pass the id as a non-empty string${rules.idMax < Infinity ? ` of at most ${rules.idMax} characters` : ''})` })
            return
          }
          const typed = readAttributes(attributes, rules, rejectIn.identify)
          const signature = typeof options?.signature === 'string' ? options.signature : undefined
          // A verifying relay refuses every update of a user sent without a signature: say so now.
          if (options != null && signature === undefined && (typeof options != 'object' || options.signature !== undefined)) {
            report({ code: 'input', message: `userbeam: identify: the signature must be a string ({ signature }), got ${describe(options.signature ?? options)}; the login went through without one` })
          }
          const at = callTime()
          named ||= !!ops
          run(() => {
            if (state!.userId !== null && state!.userId !== userId) logoutNow()
            const from = state!
            if (from.userId === null || (signature && signature !== from.signature)) {
              // A user seen before on this browser gets their type locks back (over the anonymous ones).
              const locks = from.userId === null ? usersOf(from.users).find(([id]) => id === userId)?.[1] : undefined
              // Held anonymous values are checked against them below, before they fold in.
              state = { ...from, userId, signature: signature ?? from.signature, types: from.userId === null && holds ? { ...locks } : { ...from.types, ...locks }, since: decided(), blank: undefined }
              identityChanged(true)
            }
            // From anonymous, the identified record links the two profiles even with no attributes.
            const linking = from.userId === null
            const fold = linking && holds
            const held = fold ? Object.fromEntries(Object.entries(from.types).map(([name, type]) => [name, { type }])) : undefined
            stage('identify', at, undefined, typed, linking, fold ? profileKey(from) : undefined, held && unfoldable(held))
            commitSoon()
          })
        }),
      logout: () => guard(() => run(logoutNow)),
    },

    flush: (timeout) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve()
        const waiter: Waiter = { targets: [], done: resolve }
        guard(() => run(() => void flushWhenStored(waiter)))
        // Past 2^31-1 ms a timer fires at once: such a timeout means no timeout. Its waiter goes
        // too: it lists every pending profile, and a page may call flush(1000) on every navigation.
        if (typeof timeout == 'number' && timeout >= 0 && timeout <= MAX_DELAY) {
          setTimeout(() => {
            waiter.gone = true
            waiters = waiters.filter((w) => w !== waiter)
            resolve()
          }, timeout)
        }
      }),

    on: (type, listener) => events.on(type, listener),

    consent: (granted) =>
      guard(() =>
        // consent('false') must not count as granted, nor consent(0) as withdrawn: ask for a boolean.
        typeof granted != 'boolean'
          ? report({ code: 'input', message: `userbeam: consent: expected true or false, got ${describe(granted)}; the call was ignored` })
          : run(() => {
          state = { ...state!, consent: granted, since: decided() }
          // Always at once: a withdrawal must never wait for the end of the task.
          mine = true
          writeIdentity()
          if (granted) {
            if (config.endpoint && chosen) scheduler.start()
          } else {
            deltas.clear()
            scheduler.stop()
            erase()
          }
          commitSoon()
        }),
      ),

    close() {
      closed = true
      scheduler.stop()
      check(true)
      // What is queued stays stored: the database connection closes after this client's last write
      // (the calls made before close() included, even those waiting for storage to answer). The
      // channel too: the other clients of this storage (the same component mounted again at once)
      // must hear of a login, logout or withdrawal those calls make, or their own later calls undo it.
      void loaded.then(() => committing).then(() => {
        tabs.close()
        queue.close()
      })
      if (inBrowser) {
        removeEventListener('pagehide', beacon)
        removeEventListener('online', onOnline)
        document.removeEventListener('visibilitychange', onVisibility)
      }
    },
  }
}
