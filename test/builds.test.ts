// The BUILT one-destination script-tag files (dist/userbeam.<name>.min.js): each sets itself up
// from its script tag, sends to its own destination without data-destination, and names what it
// lacks when asked for another. Needs `npm run build` (npm test builds first).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { freshName } from './helpers'

const seen: { method: string; path: string; body: any }[] = []
const server = setupServer(
  http.all('https://vendor.test/*', async ({ request }) => {
    seen.push({ method: request.method, path: new URL(request.url).pathname, body: await request.json() })
    return HttpResponse.json({ success: true, status: 'success', created: true, id: 1, auth_id: 'u1' })
  }),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  seen.length = 0
  delete (window as any).userbeam
})
afterAll(() => server.close())

/** Runs a built file as the browser would, with a <script> carrying these data attributes. */
function load(file: string, data: Record<string, string>) {
  const script = document.createElement('script')
  for (const [k, v] of Object.entries(data)) script.dataset[k] = v
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  try {
    ;(0, eval)(readFileSync(join(import.meta.dirname, '../dist', file), 'utf8'))
  } finally {
    delete (document as any).currentScript
  }
  return (window as any).userbeam
}

/** Per destination: the endpoint to configure and the first request identify('u1') must make. */
const cases = [
  { name: 'json', endpoint: 'https://vendor.test/profiles', method: 'POST', path: '/profiles', id: (b: any) => b.profiles[0].userId },
  { name: 'growlytics', endpoint: 'https://vendor.test/rest-api/customer', method: 'POST', path: '/rest-api/customer', id: (b: any) => b.id },
  { name: 'usercom', endpoint: 'https://vendor.test/api/public/', method: 'POST', path: '/api/public/users/update_or_create/', id: (b: any) => b.user_id },
  { name: 'moengage', endpoint: 'https://vendor.test/v1/customer/WS1', method: 'POST', path: '/v1/customer/WS1', id: (b: any) => b.customer_id },
  { name: 'haptik', endpoint: 'https://vendor.test/v1.0/user/', method: 'POST', path: '/v1.0/user/', id: (b: any) => b.auth_id },
]

describe('one-destination builds', () => {
  for (const c of cases) {
    it(`userbeam.${c.name}.min.js sends to ${c.name} without data-destination`, async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const sdk = load(`userbeam.${c.name}.min.js`, { endpoint: c.endpoint, storageName: freshName(), flushInterval: '10' })
      sdk.user.identify('u1', { email: 'u1@example.com' })
      await sdk.flush()
      expect(seen[0]).toMatchObject({ method: c.method, path: c.path })
      expect(c.id(seen[0].body)).toBe('u1')
      expect(warn).not.toHaveBeenCalled()
      warn.mockRestore()
    })
  }

  it('asked for a destination it does not have, it keeps the updates and says which file has it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const sdk = load('userbeam.haptik.min.js', { endpoint: 'https://vendor.test/v1/customer/WS1', destination: 'moengage', storageName: freshName(), flushInterval: '10' })
    sdk.user.identify('u1', { email: 'u1@example.com' })
    await sdk.flush()
    expect(seen).toEqual([])
    expect(warn.mock.calls.map(String)).toEqual([
      'userbeam: destination must be one of haptik; got "moengage". Updates are stored but not sent (dist/userbeam.min.js has every destination)',
    ])
    warn.mockRestore()
  })
})
