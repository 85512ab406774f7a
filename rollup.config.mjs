// tsc emits JavaScript into build/ (TypeScript 7 has no JavaScript API for rollup plugins);
// rollup bundles that JavaScript. idb-keyval is inlined: the two functions used are ~300 bytes.
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'

const minify = terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } })

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
  {
    // The inline snippet: paste dist/snippet.min.js in a page's head (edit the src and name at its end).
    input: 'build/snippet-entry.js',
    treeshake: false,
    output: { file: 'dist/snippet.min.js', format: 'iife' },
    // No constant folding: the URL and the global's name must stay editable arguments at the end.
    plugins: [terser({ ecma: 2020, compress: false, format: { comments: false } })],
  },
]
