/**
 * Before the Chromium suite: the built SDK and a chromium must exist, or every test would fail
 * with a less helpful message. A dist/ older than src/ is worth a warning: the suite tests dist/.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { chromiumPath } from './chromium'
import { DIST } from './server'

export default function preflight() {
  const sdk = join(DIST, 'userbeam.min.js')
  if (!existsSync(sdk)) throw new Error(`${sdk} is missing: run \`npm run build\` first (npm run test:browser does).`)
  const browser = chromiumPath()
  if (!existsSync(browser)) {
    throw new Error(`no chromium at ${browser}: install it (Debian: apt-get install -y chromium); the suite uses the system's browser.`)
  }
  const src = join(DIST, '../src')
  const newest = Math.max(...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(src, f)).mtimeMs))
  if (newest > statSync(sdk).mtimeMs) console.warn('userbeam: src/ changed after dist/userbeam.min.js was built; the browser suite tests the older build.')
}
