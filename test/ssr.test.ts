// The npm entry in Node, as server-side rendering runs it: nothing thrown, the process ends by
// itself, and the clients of one process (visitors rendered at once) are separate visitors.
// Needs `npm run build` (npm test builds first).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const entry = pathToFileURL(join(import.meta.dirname, '../dist/userbeam.mjs')).href

/** Runs `code` as a module in a Node process of its own (createClient imported), 10 s at most. */
const node = (code: string) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `import { createClient } from '${entry}'\n${code}`], { encoding: 'utf8', timeout: 10_000 })

describe('dist/userbeam.mjs in Node (server-side rendering)', () => {
  it('a client made and used without close(): the process exits by itself', () => {
    const run = node(`const client = createClient({ endpoint: '/profiles' })
      client.user.push({ city: 'Pune' })
      client.user.identify('u-ssr')
      await client.flush(100)
      console.log('rendered')`)
    expect(run.signal).toBeNull() // not killed at the 10 s limit: it ended by itself
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('rendered\n')
    expect(run.stderr).toBe(
      'userbeam: the endpoint "/profiles" is not a valid URL outside a page (a relative one needs the page: create the client in the browser); updates are stored but not sent\n',
    )
  })

  it("two visitors rendered at once are two visitors; a later one is not the earlier one's logged-out user", () => {
    const run = node(`const sent = []
      globalThis.fetch = async (url, init) => (sent.push(...JSON.parse(init.body).profiles), new Response('{}'))
      const options = { endpoint: 'https://api.test/profiles', flushInterval: 10 }
      const alice = createClient(options)
      const bob = createClient(options)
      alice.user.identify('alice')
      bob.user.push({ visitor: 'bob' })
      await Promise.all([alice.flush(), bob.flush()])
      alice.user.logout()
      await alice.flush()
      alice.close()
      bob.close()
      const later = createClient(options)
      later.user.push({ visitor: 'later' })
      await later.flush()
      later.close()
      console.log(JSON.stringify(sent.map((p) => [p.userId, p.anonymousId, p.attributes.map((a) => a.value).join()])))`)
    expect(run.stderr).toBe('')
    const sent: [string | null, string, string][] = JSON.parse(run.stdout)
    const [aliceLogin, bobPush, laterPush] = [sent.find(([id]) => id === 'alice')!, sent.find(([, , v]) => v === 'bob')!, sent.find(([, , v]) => v === 'later')!]
    expect([aliceLogin[0], bobPush[0], laterPush[0]]).toEqual(['alice', null, null])
    // Three visitors: no anonymous id links one to another.
    expect(new Set([aliceLogin[1], bobPush[1], laterPush[1]]).size).toBe(3)
  })
})
