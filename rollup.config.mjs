// tsc emits JavaScript into build/ (TypeScript 7 has no JavaScript API for rollup plugins);
// rollup bundles that JavaScript. idb-keyval is inlined: the two functions used are ~300 bytes.
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'

const minify = terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } })

/**
 * A script-tag build for one destination: the same runtime with only that format (json stays as
 * the fallback format), sending to it by default. A site that uses one destination loads less.
 */
const DESTINATIONS = ['json', 'growlytics', 'usercom', 'moengage', 'haptik']
const single = (name) => ({
  input: `entry:${name}`,
  output: { file: `dist/userbeam.${name}.min.js`, format: 'iife' },
  plugins: [
    {
      name: 'one-destination',
      resolveId: (id) => (id === `entry:${name}` ? id : null),
      load(id) {
        if (id === `entry:${name}`) return `import { install } from './build/global.js'\ninstall(window, document.currentScript, '${name}')`
        if (id.endsWith('/build/formats/index.js')) return `import { ${name} } from './${name}.js'\nexport const formats = { ${name} }`
        return null
      },
    },
    resolve(),
    minify,
  ],
})

export default [
  {
    // npm entry: ESM, no side effects at import; bundlers minify it with the app.
    input: 'build/index.js',
    output: { file: 'dist/userbeam.mjs', format: 'es' },
    plugins: [resolve()],
  },
  {
    // userbeam/relay: the server half (web-standard fetch handler + node:http adapter).
    input: 'build/relay/index.js',
    output: { file: 'dist/relay.mjs', format: 'es' },
    plugins: [resolve()],
  },
  {
    // Script-tag build: defines window.userbeam.
    input: 'build/browser.js',
    output: { file: 'dist/userbeam.min.js', format: 'iife' },
    plugins: [resolve(), minify],
  },
  ...DESTINATIONS.map(single),
  {
    // The inline snippet: paste dist/snippet.min.js in a page's head (edit the src and name at its end).
    input: 'build/snippet-entry.js',
    treeshake: false,
    output: { file: 'dist/snippet.min.js', format: 'iife' },
    // No constant folding: the URL and the global's name must stay editable arguments at the end.
    plugins: [terser({ ecma: 2020, compress: false, format: { comments: false } })],
  },
]
