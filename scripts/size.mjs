// Size budgets as a failing check: min+gzip of what ships. Run after `npm run build`.
// The README's figures come from this script's output.
import { readFileSync, existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { rollup } from 'rollup'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'

/** The npm entry as an app bundler would ship it when everything is imported. */
async function npmEntryWhole() {
  const bundle = await rollup({
    input: 'virtual-entry',
    plugins: [
      { name: 'entry', resolveId: (id) => (id === 'virtual-entry' ? id : null), load: (id) => (id === 'virtual-entry' ? "import * as all from './dist/userbeam.mjs'; globalThis.__ub = all" : null) },
      resolve(),
      terser({ ecma: 2020, compress: { passes: 3 } }),
    ],
  })
  const { output } = await bundle.generate({ format: 'iife' })
  await bundle.close()
  return Buffer.from(output[0].code)
}

const budgets = [
  { name: 'dist/userbeam.min.js (script tag, every feature)', bytes: () => readFileSync('dist/userbeam.min.js'), limit: 12_800 },
  { name: 'dist/userbeam.mjs imported whole, minified', bytes: npmEntryWhole, limit: 12_300 },
  { name: 'dist/snippet.min.js (inline stub)', bytes: () => readFileSync('dist/snippet.min.js'), limit: 600, optional: 'dist/snippet.min.js' },
]

let failed = false
for (const budget of budgets) {
  if (budget.optional && !existsSync(budget.optional)) continue
  const size = gzipSync(await budget.bytes(), { level: 9 }).length
  const ok = size <= budget.limit
  failed ||= !ok
  console.log(`${ok ? 'ok  ' : 'OVER'} ${String(size).padStart(6)} B min+gzip (limit ${budget.limit})  ${budget.name}`)
}
if (failed) {
  console.error('size budget exceeded: see the lines marked OVER')
  process.exit(1)
}
