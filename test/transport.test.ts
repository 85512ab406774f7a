// Behaviour 8: what each answer does to the data it carried, and retry timing.
import { HttpResponse } from 'msw'
import { transmit } from '../src/transport'
import { describe, expect, it, vi } from 'vitest'
import {
  attrs,
  clientFactory,
  collect,
  freshName,
  profilesOf,
  recordingEndpoint,
  settle,
  sleep,
  stored,
  until,
} from './helpers'

const { received, state } = recordingEndpoint()
const client = clientFactory({ flushInterval: 10 })
const answer = (status: number, headers: Record<string, string> = {}, body: string | null = null) =>
  new HttpResponse(body, { status, headers })
const ok = () => HttpResponse.json({ ok: true })
const userIds = (profiles: any[]) => profiles.map((p) => p.userId)

describe('2xx', () => {
  it.each([200, 201, 202, 204])('%i: delivered, `sent` event with the status and profiles, removed from IndexedDB', async (code) => {
    state.reply = () => answer(code)
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(1)
    expect(events.sent).toEqual([
      { status: code, profiles: [expect.objectContaining({ userId: null, attributes: { a: 1 } })] },
    ])
    expect(events.error).toEqual([])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })
})

describe('retried', () => {
  it.each([408, 429, 500, 502, 503, 504])('%i: kept in IndexedDB and retried until delivered', async (code) => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const storageName = freshName()
    const between: number[] = []
    state.reply = async (n) => {
      if (n > 1) between.push((await stored(storageName)).records.length)
      return n < 3 ? answer(code) : ok()
    }
    const c = client({ storageName })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(received).toHaveLength(3)
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { a: 1 }, { a: 1 }])
    expect(between).toEqual([1, 1]) // still stored while retrying
    expect(events.sent).toHaveLength(1)
    expect(events.drop).toEqual([])
    c.close()
  })

  it('a network error is retried', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n === 1 ? HttpResponse.error() : ok())
    const c = client()
    c.user.push({ a: 1 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { a: 1 }])
    c.close()
  })

  it('no answer within `timeout` is retried', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = async (n) => {
      if (n === 1) await sleep(400)
      return ok()
    }
    const c = client({ timeout: 100 })
    c.user.push({ a: 1 })
    const start = Date.now()
    await c.flush()
    expect(received).toHaveLength(2)
    expect(received[1].at - start).toBeLessThan(380) // did not wait for the slow answer
    c.close()
  })

  it('backs off with full jitter from a 1 s base: Math.random() = 0.1 waits about 100 ms, then 200 ms', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.1)
    state.reply = (n) => (n < 3 ? answer(503) : ok())
    const c = client()
    c.user.push({ a: 1 })
    await c.flush()
    const gaps = [received[1].at - received[0].at, received[2].at - received[1].at]
    expect(gaps[0]).toBeGreaterThanOrEqual(95)
    expect(gaps[0]).toBeLessThan(190)
    expect(gaps[1]).toBeGreaterThanOrEqual(195)
    expect(gaps[1]).toBeLessThan(330)
    c.close()
  })

  it('Retry-After (seconds) is honoured: no request before 1 s, even when flush() is called meanwhile', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    state.reply = (n) => (n === 1 ? answer(429, { 'Retry-After': '1' }) : ok())
    const c = client()
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    const early = c.flush()
    await sleep(300)
    c.user.push({ b: 2 })
    window.dispatchEvent(new Event('online'))
    await sleep(300)
    expect(received).toHaveLength(1)
    await early
    await c.flush()
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(995)
    expect(Object.assign({}, ...profilesOf(received).slice(1).map(attrs))).toEqual({ a: 1, b: 2 })
    c.close()
  })

  it('Retry-After is honoured by the pagehide beacon too (the data is stored; the next visit sends it)', async () => {
    state.reply = (n) => (n === 1 ? answer(429, { 'Retry-After': '1' }) : ok())
    const c = client()
    c.user.push({ a: 1 })
    await until(() => received.length === 1)
    await settle(30)
    c.user.push({ b: 2 })
    window.dispatchEvent(new Event('pagehide'))
    await sleep(200)
    expect(received).toHaveLength(1)
    c.close()
  })

  it.each([
    ['seconds past the 24.8-day timer limit', '3000000'],
    ['a far-future HTTP date', 'Fri, 31 Dec 2100 23:59:59 GMT'],
  ])('an enormous Retry-After (%s) never turns into an immediate retry storm', async (_, value) => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {}) // Node's TimeoutOverflowWarning, if any
    state.reply = () => answer(503, { 'Retry-After': value })
    const c = client()
    c.user.push({ a: 1 })
    await until(() => received.length >= 1)
    await sleep(200)
    const count = received.length
    c.close()
    await sleep(50) // a storm's last requests land here, not in the next test
    expect(count).toBe(1)
  })

  it('the retry state survives a reload: the next client does not send before the saved Retry-After', async () => {
    const storageName = freshName()
    state.reply = (n) => (n === 1 ? answer(503, { 'Retry-After': '1' }) : ok())
    const first = client({ storageName })
    first.user.push({ a: 1 })
    await until(() => received.length === 1)
    await settle(30) // the retry state is written
    first.close()
    const second = client({ storageName })
    await sleep(200)
    second.user.push({ b: 2 })
    void second.flush()
    await sleep(300)
    expect(received).toHaveLength(1)
    await until(() => received.length === 2, 2000)
    await second.flush()
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(980)
    expect(Object.assign({}, ...profilesOf(received).slice(1).map(attrs))).toEqual({ a: 1, b: 2 })
    second.close()
  })
})

describe('413', () => {
  it('splits the batch and resends the two halves', async () => {
    state.reply = (_n, body) => (body.profiles.length > 2 ? answer(413) : ok())
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    for (const id of ['a', 'b', 'c', 'd']) c.user.identify(id, { n: id })
    await c.flush()
    expect(received.map((r) => r.body.profiles.length)).toEqual([4, 2, 2])
    expect(userIds(profilesOf(received.slice(1))).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(events.drop).toEqual([])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })

  it('a single profile still too large is dropped with a drop event', async () => {
    state.reply = () => answer(413)
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0]).toMatchObject({ status: 413, profiles: [{ attributes: { a: 1 } }] })
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })
})

describe('400/422: dropped', () => {
  it.each([400, 422])('%i: `drop` event with the status and the server body, data removed from IndexedDB', async (code) => {
    state.reply = () => answer(code, { 'content-type': 'application/json' }, '{"errors":["city: too long"]}')
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.push({ city: 'x' })
    await c.flush()
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0]).toMatchObject({ status: code, body: '{"errors":["city: too long"]}', profiles: [{ attributes: { city: 'x' } }] })
    expect(typeof events.drop[0].reason).toBe('string')
    expect(events.sent).toEqual([])
    expect((await stored(storageName)).records).toEqual([])
    c.user.push({ next: 1 })
    await c.flush()
    expect(received).toHaveLength(2) // sending goes on
    c.close()
  })

  it('in a multi-profile batch only the bad profile is dropped (the refused batch is halved)', async () => {
    state.reply = (_n, body) =>
      body.profiles.some((p: any) => p.userId === 'bad') ? answer(400, {}, 'bad profile') : ok()
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    for (const id of ['a', 'b', 'bad', 'c', 'd']) c.user.identify(id, { n: id })
    await c.flush()
    expect(events.drop).toHaveLength(1)
    expect(events.drop[0]).toMatchObject({ status: 400, body: 'bad profile' })
    expect(userIds(events.drop[0].profiles)).toEqual(['bad'])
    expect(userIds(events.sent.flatMap((e) => e.profiles)).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect((await stored(storageName)).records).toEqual([])
    c.close()
  })
})

describe('401/403: credentials refused', () => {
  it.each([401, 403])('%i: keeps the data, stops sending, `error` with code auth, flush() resolves', async (code) => {
    state.reply = () => answer(code)
    const storageName = freshName()
    const c = client({ storageName })
    const events = collect(c)
    c.user.push({ a: 1 })
    await c.flush()
    expect(events.error).toHaveLength(1)
    expect(events.error[0]).toMatchObject({ code: 'auth', status: code })
    expect(events.drop).toEqual([])
    c.user.push({ b: 2 })
    await c.flush() // resolves although nothing can be sent
    window.dispatchEvent(new Event('online'))
    await sleep(100)
    expect(received).toHaveLength(1)
    const { records } = await stored(storageName)
    expect(records).toHaveLength(1)
    expect(Object.keys(records[0].attributes).sort()).toEqual(['a', 'b'])
    c.close()
  })

  it('the pagehide beacon does not resend to an endpoint that refused the credentials', async () => {
    state.reply = () => answer(401)
    const c = client()
    c.user.push({ a: 1 })
    await c.flush()
    window.dispatchEvent(new Event('pagehide'))
    await sleep(100)
    expect(received).toHaveLength(1)
    c.close()
  })

  it('the next page load tries again and delivers what was kept', async () => {
    state.reply = (n) => (n === 1 ? answer(401) : ok())
    const storageName = freshName()
    const first = client({ storageName })
    first.user.push({ a: 1 })
    await first.flush()
    first.close()
    const second = client({ storageName })
    await second.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ a: 1 }, { a: 1 }])
    expect((await stored(storageName)).records).toEqual([])
    second.close()
  })
})

describe('transmit, under a fetch wrapper of the page', () => {
  const request = { url: 'https://example.com/profiles', method: 'POST', headers: {}, body: '{}', records: [] }

  it('that does not pass the signal on and never answers: settles on the timeout', async () => {
    const hung = () => new Promise<Response>(() => {})
    expect(await transmit(request, 30, false, hung)).toBe('no answer within 30 ms')
  })

  it('that read the answer body itself: the status stands, the body is empty', async () => {
    const reading = async () => {
      const response = new Response('{"ok":true}', { status: 200, headers: { 'retry-after': '5' } })
      await response.text()
      return response
    }
    expect(await transmit(request, 1000, false, reading)).toEqual({ status: 200, body: '', retryAfter: '5' })
  })

  it('that answers with something that is no Response: a network error, retried', async () => {
    expect(await transmit(request, 1000, false, async () => undefined as any)).toMatch(/^network error \(TypeError: /)
  })
})
