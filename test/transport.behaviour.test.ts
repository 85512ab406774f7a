// Behaviour 8: what each answer does to the data it carried.
import { HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordingEndpoint, sleep, stored, until } from './helpers'

const { received, state } = recordingEndpoint()
const status = (code: number, headers: Record<string, string> = {}, body: string | null = null) =>
  new HttpResponse(body, { status: code, headers })

describe('answers', () => {
  it('2xx: delivered, removed from storage, `sent` event with the profiles', async () => {
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(events.sent).toHaveLength(1)
    expect(events.sent[0]).toMatchObject({ status: 200, profiles: [{ userId: null, attributes: { a: 1 } }] })
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it.each([408, 429, 500, 503])('%i: retried until delivered', async (code) => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n < 3 ? status(code) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(3)
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { a: 1 }, { a: 1 }])
    c.close()
  })

  it.each([
    ['a network error', () => HttpResponse.error(), {}],
    ['a timeout', () => sleep(300).then(() => HttpResponse.json({ ok: true })), { timeout: 100 }],
  ] as const)('%s is retried', async (_, failure, options) => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n === 1 ? failure() : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10, ...options })
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(2)
    c.close()
  })

  it('waits exactly as long as Retry-After says', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n === 1 ? status(429, { 'Retry-After': '1' }) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(2)
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(995)
    c.close()
  })

  it('a Retry-After wait is as long when the clock is set back an hour during it', async () => {
    state.reply = (n) => (n === 1 ? status(503, { 'Retry-After': '1' }) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    const start = performance.now()
    const realNow = Date.now.bind(Date)
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3600_000)
    await until(() => received.length === 2, 3000)
    expect(performance.now() - start).toBeGreaterThanOrEqual(900)
    vi.restoreAllMocks()
    c.close()
  })

  it('the saved Retry-After survives a reload', async () => {
    const storageName = freshName()
    state.reply = (n) => (n === 1 ? status(503, { 'Retry-After': '1' }) : HttpResponse.json({ ok: true }))
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    first.user.push({ a: 1 })
    await until(() => received.length === 1)
    await sleep(30) // the retry state is written
    first.close()
    const second = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    await second.flush()
    expect(received).toHaveLength(2)
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(950)
    second.close()
  })

  it('a giveUpAfter of seconds says seconds, not "0 minutes"', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      state.reply = () => status(503)
      // Short jittered waits: ten tries take about 10 s in all.
      vi.spyOn(Math, 'random').mockReturnValue(0.01)
      const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10, giveUpAfter: 5000 })
      const events = collect(c)
      c.user.push({ plan: 'pro' })
      for (let second = 0; second < 600 && !events.drop.length; second++) await vi.advanceTimersByTimeAsync(1000)
      expect(events.drop[0].reason).toMatch(/^sends failed for \d+ seconds, past giveUpAfter: given up \(last: HTTP 503\)$/)
      c.close()
    } finally {
      vi.useRealTimers()
      vi.restoreAllMocks()
    }
  })

  it('a send that keeps failing past giveUpAfter (and 10 attempts) is dropped with a drop event that says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      state.reply = () => status(503)
      const storageName = freshName()
      const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10, giveUpAfter: 20 * 60_000 })
      const events = collect(c)
      c.user.identify('u1', { plan: 'pro' })
      // Backoff doubles from about 1 s, capped at 5 minutes: 10 attempts and 20 minutes pass within 40.
      for (let minute = 0; minute < 40 && !events.drop.length; minute++) await vi.advanceTimersByTimeAsync(60_000)
      expect(events.drop).toHaveLength(1)
      expect(events.drop[0]).toMatchObject({ status: 503, profiles: [{ userId: 'u1', attributes: { plan: 'pro' } }] })
      expect(events.drop[0].reason).toMatch(/^sends failed for 2\d minutes, past giveUpAfter: given up \(last: HTTP 503\)$/)
      expect(received.length).toBeGreaterThanOrEqual(11)
      expect((await stored(storageName)).records).toEqual([])
      // A new update starts a new run of failures: it is retried, not dropped at once.
      const before = received.length
      c.user.push({ plan: 'max' })
      await vi.advanceTimersByTimeAsync(5_000)
      expect(received.length).toBeGreaterThan(before)
      expect(events.drop).toHaveLength(1)
      c.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('debug mode says when a send failed and will be retried; outside debug mode, nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    state.reply = (n) => (n === 1 ? status(503) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10, debug: true })
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(2)
    expect(warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('failed'))).toEqual(['userbeam: sending failed (HTTP 503); it will be retried'])
    c.close()
    warn.mockClear()
    state.reply = (n) => (n === 3 ? status(503) : HttpResponse.json({ ok: true }))
    const quiet = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    quiet.user.push({ b: 1 })
    await quiet.flush()
    expect(received).toHaveLength(4)
    expect(warn).not.toHaveBeenCalled()
    quiet.close()
    warn.mockRestore()
  })

  it('flush(timeout) resolves after the timeout at the latest while the endpoint keeps failing; flush() keeps waiting', async () => {
    state.reply = () => status(503)
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    c.user.push({ a: 1 })
    let waited = false
    void c.flush().then(() => (waited = true))
    const start = Date.now()
    await c.flush(300)
    const took = Date.now() - start
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(1500)
    expect(received.length).toBeGreaterThanOrEqual(1) // it did try
    expect(waited).toBe(false) // the flush() without a timeout still waits for delivery
    c.close()
  })

  it('413: splits the batch and resends the halves', async () => {
    state.reply = (_n, body) => (body.profiles.length > 2 ? status(413) : HttpResponse.json({ ok: true }))
    const c = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 10 })
    for (const id of ['a', 'b', 'c', 'd']) c.user.identify(id, { n: id })
    await c.flush()
    const delivered = received.slice(1).flatMap((r) => r.body.profiles.map((p: any) => p.userId))
    expect(received[0].body.profiles.length).toBeGreaterThan(2)
    expect(delivered.sort()).toEqual(['a', 'b', 'c', 'd'])
    c.close()
  })

  it('400/422: drops only the refused profile, with the status and the server body', async () => {
    state.reply = (_n, body) =>
      body.profiles.some((p: any) => p.userId === 'bad')
        ? status(422, { 'content-type': 'application/json' }, '{"error":"bad profile"}')
        : HttpResponse.json({ ok: true })
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const events = collect(c)
    for (const id of ['a', 'bad', 'c', 'd']) c.user.identify(id, { n: id })
    await c.flush()
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0]).toMatchObject({ status: 422, body: '{"error":"bad profile"}', profiles: [{ userId: 'bad' }] })
    expect(events.sent.flatMap((e) => e.profiles.map((p: any) => p.userId)).filter((u) => u).sort()).toEqual(['a', 'c', 'd'])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('401/403: keeps the data, stops sending, says the credentials were refused; flush() settles', async () => {
    state.reply = () => status(401)
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(events.error).toHaveLength(1)
    expect(events.error[0]).toMatchObject({ code: 'auth', status: 401 })
    expect(events.error[0].message).toContain('refused the credentials')
    c.user.push({ b: 2 })
    await sleep(100)
    expect(received).toHaveLength(1) // paused
    expect((await stored(storageName)).records).toHaveLength(1) // kept for the next page load
    c.close()
  })
})
