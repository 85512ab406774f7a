// consent(false) stops sending and erases the queue; consent(true) resumes; remembered across visits.
import { describe, expect, it } from 'vitest'
import { createClient } from '../src/client'
import { attrs, ENDPOINT, freshName, profilesOf, recordingEndpoint, sleep, stored } from './helpers'

const { received } = recordingEndpoint()

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
})
