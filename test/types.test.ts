// @vitest-environment node
// The PUBLISHED types (dist/types, through package.json's exports) as a TypeScript app sees them:
// strict, under each module resolution an app may use. Needs `npm run build` (npm test builds first).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const app = mkdtempSync(join(tmpdir(), 'userbeam-types-'))
afterAll(() => rmSync(app, { recursive: true, force: true }))
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
mkdirSync(join(app, 'node_modules'))
// As `npm install userbeam` would place it: the package folder, read through its exports.
symlinkSync(root, join(app, 'node_modules', 'userbeam'), 'dir')
mkdirSync(join(app, 'src'))
// The README's samples: the npm client, the typed global, the relay.
writeFileSync(
  join(app, 'src', 'app.ts'),
  `import { createClient, type Global } from 'userbeam'
import { createRelay, toNodeListener } from 'userbeam/relay'
const client = createClient({ endpoint: '/profiles' })
client.user.push({ city: 'Mumbai', plan: 'pro' })
client.user.identify('u-42', { email: 'asha@example.com', name: 'Asha' })
const off = client.on('drop', (e) => console.warn(e.reason, e.profiles))
off()
createClient({ endpoint: new URL('https://shop.example/profiles'), headers: new Headers({ 'x-site': 'shop' }) })
createClient({ endpoint: '/profiles', headers: new Map([['x-site', 'shop']]), destination: 'moengage' })
declare global {
  interface Window {
    userbeam: Global
  }
}
window.userbeam.user.push({ plan: 'pro' })
const relay = createRelay({ destination: 'json', vendorUrl: 'https://backend.example', credential: { Authorization: 'Bearer t' } })
export const listener = toNodeListener(relay)
`,
)

const check = (module: string, moduleResolution: string) => {
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], module, moduleResolution }, include: ['src'] }),
  )
  const run = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(app, 'tsconfig.json')], { encoding: 'utf8' })
  return `${run.stdout}${run.stderr}`.trim()
}

describe('the published types, in a strict TypeScript app', () => {
  for (const [module, resolution] of [
    ['esnext', 'bundler'],
    ['node16', 'node16'],
    ['nodenext', 'nodenext'],
  ]) {
    it(`moduleResolution ${resolution}: the README's samples type-check`, () => {
      expect(check(module, resolution)).toBe('')
    })
  }
})
