// consent(false) stops sending and erases the queue; consent(true) resumes; remembered across visits.
import { HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createClient } from '../src/client'
import { attrs, ENDPOINT, freshName, profilesOf, putRaw, recordingEndpoint, sleep, stored } from './helpers'

const { received, state } = recordingEndpoint()

describe('consent', () => {
  it('erases what is queued, stores nothing while withdrawn, resumes on consent(true)', async () => {
    const storageName = freshName()
    const c = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    c.user.push({ before: 1 })
    await sleep(30)
    expect((await stored(storageName)).records).toHaveLength(1)
    c.consent(false)
    c.user.push({ during: 2 })
    await c.flush()
    expect((await stored(storageName)).records).toHaveLength(0)
    expect(received).toHaveLength(0)
    c.consent(true)
    c.user.push({ after: 3 })
    await c.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ after: 3 }])
    c.close()
  })

  it('is remembered by the next client on the same storage', async () => {
    const storageName = freshName()
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    first.consent(false)
    await first.flush()
    first.close()
    const second = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    second.user.push({ a: 1 })
    await second.flush()
    await sleep(50)
    expect(received).toHaveLength(0)
    expect((await stored(storageName)).records).toHaveLength(0)
    second.close()
  })

  it('a browser killed between the stored decision and the erasing: the next page erases what was left, and consent(true) sends none of it', async () => {
    const storageName = freshName()
    state.reply = () => new HttpResponse(null, { status: 503 })
    const first = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 60_000 })
    first.user.identify('u1', { email: 'u1@example.com' })
    await sleep(50)
    first.close()
    // What the kill left: the withdrawal stored, the records not erased yet.
    const left = await stored(storageName)
    expect(left.records).toHaveLength(1)
    await putRaw(storageName, 'identity', { ...left.identity, consent: false })
    state.reply = () => HttpResponse.json({ ok: true })
    const next = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 10 })
    await next.flush()
    expect((await stored(storageName)).records).toEqual([])
    next.consent(true)
    next.user.push({ plan: 'new' })
    await next.flush()
    expect(profilesOf(received).map(attrs)).toEqual([{ plan: 'new' }])
    next.close()
  })
})
