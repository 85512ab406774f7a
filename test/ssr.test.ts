// The npm entry in Node, as server-side rendering runs it: nothing thrown, and the process ends by
// itself (no handle the SDK opened keeps it alive; Node has a BroadcastChannel of its own).
// Needs `npm run build` (npm test builds first).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const entry = pathToFileURL(join(import.meta.dirname, '../dist/userbeam.mjs')).href

describe('dist/userbeam.mjs in Node (server-side rendering)', () => {
  it('a client made and used without close(): the process exits by itself', () => {
    const script = `import { createClient } from '${entry}'
      const client = createClient({ endpoint: '/profiles' })
      client.user.push({ city: 'Pune' })
      client.user.identify('u-ssr')
      await client.flush(100)
      console.log('rendered')`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 })
    expect(run.signal).toBeNull() // not killed at the 10 s limit: it ended by itself
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('rendered\n')
    expect(run.stderr).toBe(
      'userbeam: the endpoint "/profiles" is not a valid URL outside a page (a relative one needs the page: create the client in the browser); updates are stored but not sent\n',
    )
  })
})
