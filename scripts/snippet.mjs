// Prints the built snippet (dist/snippet.min.js) ready to paste, with its min+gzip size.
// `node scripts/snippet.mjs --write` also puts it into examples/index.html, which must carry the
// built snippet verbatim (test/demo.test.ts checks it). Run after `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const file = readFileSync('dist/snippet.min.js')
const code = file.toString().trim()
const size = gzipSync(file, { level: 9 }).length // measured as scripts/size.mjs measures it
console.log(`<script>${code}</script>\n\n${code.length} B minified, ${size} B min+gzip (budget 600)`)

if (process.argv.includes('--write')) {
  const file = 'examples/index.html'
  const html = readFileSync(file, 'utf8')
  // The snippet is the one inline script that starts with the stub's IIFE.
  const updated = html.replace(/<script>\(function\(\)\{"use strict";.*?<\/script>/s, () => `<script>${code}</script>`)
  if (updated === html) console.log(`${file}: already up to date`)
  else {
    writeFileSync(file, updated)
    console.log(`${file}: updated`)
  }
}
