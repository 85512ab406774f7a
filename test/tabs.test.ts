import { describe, expect, it } from 'vitest'
import { createClient } from '../src/client'
import { memoryKV } from '../src/store'
import { createTabs } from '../src/tabs'
import { attrs, ENDPOINT, freshName, profilesOf, recordingEndpoint, sleep, until } from './helpers'

const { received } = recordingEndpoint()

describe('several tabs on one storageName', () => {
  it('a push in tab B right after a login in tab A goes to the logged-in user', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    await a.flush()
    await b.flush()
    a.user.identify('u-7', { email: 'seven@example.com' })
    await sleep(30) // the BroadcastChannel message crosses tabs
    b.user.push({ plan: 'gold' })
    await b.flush()
    await a.flush()
    const gold = profilesOf(received).find((p) => attrs(p).plan === 'gold')
    expect(gold.userId).toBe('u-7')
    a.close()
    b.close()
  })

  it('both tabs share one anonymous id and deliver each update once', async () => {
    const storageName = freshName()
    const a = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    await a.flush()
    const b = createClient({ endpoint: ENDPOINT, storageName, flushInterval: 20 })
    a.user.push({ fromA: 1 })
    b.user.push({ fromB: 2 })
    await Promise.all([a.flush(), b.flush()])
    const profiles = profilesOf(received)
    expect(new Set(profiles.map((p) => p.anonymousId)).size).toBe(1)
    const values = profiles.flatMap((p) => p.attributes.map((x: any) => x.name))
    expect(values.filter((n: string) => n === 'fromA')).toHaveLength(1)
    expect(values.filter((n: string) => n === 'fromB')).toHaveLength(1)
    a.close()
    b.close()
  })
})

describe('lease when Web Locks are missing', () => {
  it('lets one tab send at a time and frees the lease afterwards', async () => {
    const kv = memoryKV()
    const one = createTabs('lease-test', kv, () => {}, undefined)
    const two = createTabs('lease-test', kv, () => {}, undefined)
    let release!: () => void
    const first = one.exclusive(() => new Promise<string>((r) => (release = () => r('one'))))
    await until(() => typeof release === 'function')
    await sleep(5)
    expect(await two.exclusive(async () => 'two')).toBeUndefined()
    release()
    expect(await first).toBe('one')
    expect(await two.exclusive(async () => 'two')).toBe('two')
    one.close()
    two.close()
  })
})
