// A runnable relay: `DESTINATION=moengage node examples/relay/server.mjs` (after `npm run build`).
// It holds the vendor credential (from environment variables), so the page never does. Without
// VENDOR_URL it forwards to a local fake vendor, so it runs as it is.
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createRelay, toNodeListener } from '../../dist/relay.mjs'
import { startFakeVendor } from './fake-vendor.mjs'

/** Each vendor's credential header, from the environment. */
const CREDENTIALS = {
  json: () => ({}),
  growlytics: (env) => ({ 'x-growlytics-key': env.GROWLYTICS_KEY ?? 'local-key' }),
  usercom: (env) => ({ Authorization: `Token ${env.USERCOM_API_KEY ?? 'local-token'}` }),
  moengage: (env) => ({ Authorization: `Basic ${btoa(`${env.MOENGAGE_WORKSPACE_ID ?? 'WS1'}:${env.MOENGAGE_DATA_API_KEY ?? 'local-key'}`)}` }),
  haptik: (env) => ({ Authorization: `Bearer ${env.HAPTIK_TOKEN ?? 'local-token'}`, 'client-id': env.HAPTIK_CLIENT_ID ?? 'local-client' }),
}

/** The vendor URL each destination's relay forwards to (the path after /relay is appended). */
const VENDOR_PATHS = { json: '/profiles', growlytics: '/rest-api/customer', usercom: '/api/public/', moengage: '', haptik: '/v1.0/user/' }

export async function startRelayExample({ destination = 'json', port = 8787, env = process.env, log = () => {} } = {}) {
  const fake = env.VENDOR_URL ? undefined : await startFakeVendor({ destination, log: (line) => log(`fake vendor: ${line}`) })
  const relay = createRelay({
    destination,
    vendorUrl: env.VENDOR_URL ?? fake.url + VENDOR_PATHS[destination],
    mount: '/relay',
    credential: CREDENTIALS[destination](env),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? 'http://127.0.0.1:5173').split(','),
    verify: env.USERBEAM_SECRET ? { secret: env.USERBEAM_SECRET, allowAnonymous: destination === 'json' } : undefined,
  })
  const server = createServer(toNodeListener(relay))
  await new Promise((r) => server.listen(port, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}/relay`,
    fake,
    close: async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await fake?.close()
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const destination = process.env.DESTINATION ?? 'json'
  const example = await startRelayExample({ destination, port: Number(process.env.PORT ?? 8787), log: console.log })
  console.log(`userbeam relay for ${destination} at ${example.url}`)
  console.log(example.fake ? `forwarding to a local fake vendor at ${example.fake.url}` : `forwarding to ${process.env.VENDOR_URL}`)
}
