import { describe, expect, it } from 'vitest'
import { createClient } from '../src/client'
import { attrs, collect, ENDPOINT, freshName, profilesOf, recordingEndpoint } from './helpers'

const { received } = recordingEndpoint()

describe('smoke', () => {
  it('push, identify, flush', async () => {
    const client = createClient({ endpoint: ENDPOINT, storageName: freshName(), flushInterval: 50 })
    const events = collect(client)
    client.user.push({ city: 'Mumbai', plan: 'pro' })
    client.user.identify('u-42', { email: 'asha@example.com', name: 'Asha' })
    await client.flush()
    const profiles = profilesOf(received)
    expect(profiles).toHaveLength(2)
    expect(profiles[0].userId).toBe(null)
    expect(attrs(profiles[0])).toEqual({ city: 'Mumbai', plan: 'pro' })
    expect(profiles[1].userId).toBe('u-42')
    expect(profiles[1].anonymousId).toBe(profiles[0].anonymousId)
    expect(attrs(profiles[1])).toEqual({ email: 'asha@example.com', name: 'Asha' })
    expect(events.error).toEqual([])
    client.close()
  })
})
