// npm run bench: Userbeam against a naive client (one idb-keyval set and one fetch per push), in
// headless Chromium, against a local endpoint on 127.0.0.1. Five runs, medians, BENCHMARKS.md.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { chromium } from 'playwright-core'
import { startEndpoint } from './endpoint.mjs'

const RUNS = Number(process.env.RUNS ?? 5)
const PUSHES = 10_000
const CHROMIUM = process.env.CHROMIUM ?? (execSync('command -v chromium || echo /usr/bin/chromium', { shell: '/bin/bash' }).toString().trim())

/** Page-side instruments, installed before any script: IndexedDB transactions and bytes put. */
const INSTRUMENT = `
  window.__idb = { transactions: 0, bytes: 0 }
  const tx = IDBDatabase.prototype.transaction
  IDBDatabase.prototype.transaction = function (...a) { window.__idb.transactions++; return tx.apply(this, a) }
  const put = IDBObjectStore.prototype.put
  IDBObjectStore.prototype.put = function (v, k) {
    try { window.__idb.bytes += JSON.stringify(v).length + String(k ?? '').length } catch {}
    return put.call(this, v, k)
  }
`

/** The two workloads, run in the page: the attribute objects are built before the clock starts. */
const WORKLOAD = `
  window.__work = (kind) => {
    const calls = []
    if (kind === 'one') {
      calls.push(['identify', 'user-0', { email: 'u0@example.com' }])
      for (let i = 0; i < ${PUSHES}; i++) calls.push(['push', { plan: 'p' + (i % 7), visits: i, lastPage: '/page/' + (i % 50), active: i % 2 === 0 }])
    } else {
      for (let u = 0; u < 100; u++) {
        calls.push(['identify', 'user-' + u, { email: 'u' + u + '@example.com' }])
        for (let i = 0; i < ${PUSHES / 100 - 2}; i++) calls.push(['push', { plan: 'p' + (i % 7), visits: i, lastPage: '/page/' + (i % 50) }])
        calls.push(['logout'])
      }
    }
    return calls
  }
`

/** The naive client the ratios compare against: every push is one IndexedDB write and one request. */
const NAIVE = `
  window.naive = (() => {
    let userId = null, anonymousId = crypto.randomUUID(), n = 0
    const send = (attributes) => {
      idbKeyval.set('q' + n++, { userId, anonymousId, attributes })
      fetch('/profiles', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
        sentAt: new Date().toISOString(),
        profiles: [{ userId, anonymousId, messageId: crypto.randomUUID(),
          attributes: Object.entries(attributes).map(([name, value]) => ({ name, type: typeof value, value })) }] }) })
    }
    return {
      user: {
        push: (a) => send(a),
        identify: (id, a) => { userId = id; send(a || {}) },
        logout: () => { userId = null; anonymousId = crypto.randomUUID() },
      },
    }
  })()
`

async function measure(browser, endpoint, client, kind) {
  endpoint.reset()
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.addInitScript(INSTRUMENT)
  await page.goto(`${endpoint.url}/bench.html?client=${client}`)
  await page.waitForFunction(() => window.__ready === true)
  const calls = await page.evaluate(`(${WORKLOAD}, window.__calls = window.__work('${kind}'), window.__calls.length)`)
  endpoint.expect(await page.evaluate(() => {
    // The final state a correct endpoint must hold: last write per attribute, per user.
    const state = {}
    let user = null
    for (const [verb, a, b] of window.__calls) {
      if (verb === 'identify') { user = a; Object.assign((state[user] ||= {}), b) }
      else if (verb === 'logout') user = null
      else Object.assign((state[user] ||= {}), a)
    }
    return state
  }))
  await page.evaluate(() => window.gc?.())
  const heapBefore = await page.evaluate(() => performance.memory.usedJSHeapSize)
  const idbBefore = await page.evaluate(() => ({ ...window.__idb }))
  // The main thread's CPU time (Chromium's ThreadTime), beside the wall clock: on a machine with
  // few cores the renderer's main thread waits for a core (V8's compiler and GC threads, the
  // browser's other processes), and the wall clock counts that wait as the SDK's time.
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value * 1000
  const cpuBefore = await threadTime()
  const result = await page.evaluate(() => {
    const sdk = window.__client
    const calls = window.__calls
    // An indexed loop: a for...of that destructures each call took about 6 ms by itself here
    // (cold, 10,000 calls, with empty functions for the SDK's), counted as the SDK's time.
    const start = performance.now()
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]
      if (call[0] === 'push') sdk.user.push(call[1])
      else if (call[0] === 'identify') sdk.user.identify(call[1], call[2])
      else sdk.user.logout()
    }
    const callsMs = performance.now() - start
    return { callsMs, lastPushAt: Date.now() }
  })
  // The task's CPU time: the calls, the microtasks they queued (staging, the commit's start) and
  // this evaluate's own small overhead.
  const callsCpuMs = (await threadTime()) - cpuBefore
  const done = await endpoint.complete(30_000)
  await new Promise((r) => setTimeout(r, 300))
  await page.evaluate(() => window.gc?.())
  const heapAfter = await page.evaluate(() => performance.memory.usedJSHeapSize)
  const idb = await page.evaluate(() => window.__idb)
  await context.close()
  return {
    calls,
    callsMs: result.callsMs,
    callsCpuMs,
    transactions: idb.transactions - idbBefore.transactions,
    idbBytes: idb.bytes - idbBefore.bytes,
    requests: endpoint.stats.requests,
    bytesReceived: endpoint.stats.bytes,
    deliveredMs: done ? done - result.lastPushAt : null,
    correct: endpoint.correct(),
    heapKB: Math.round((heapAfter - heapBefore) / 1024),
  }
}

const median = (values) => {
  const v = values.filter((x) => x !== null).sort((a, b) => a - b)
  return v.length ? v[Math.floor(v.length / 2)] : null
}

const endpoint = await startEndpoint({
  '/bench.html': (client) => `<!doctype html><meta charset="utf-8"><title>bench</title>
    ${client === 'naive' ? `<script src="/idb-keyval.js"></script><script>${NAIVE}; window.__client = naive; window.__ready = true</script>`
      : `<script src="/userbeam.min.js"></script><script>
          userbeam.init({ endpoint: '/profiles', storageName: 'bench-' + Math.random() })
          window.__client = userbeam
          userbeam.flush().then(() => (window.__ready = true))
        </script>`}`,
  '/userbeam.min.js': () => readFileSync('dist/userbeam.min.js', 'utf8'),
  '/idb-keyval.js': () => readFileSync('node_modules/idb-keyval/dist/umd.js', 'utf8'),
})
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
})
const results = {}
/** Every run's figures, for the range beside each median. */
const spread = {}
try {
  for (const kind of ['one', 'hundred']) {
    for (const client of ['userbeam', 'naive']) {
      const runs = []
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, endpoint, client, kind))
      const m = {}
      for (const key of Object.keys(runs[0])) m[key] = typeof runs[0][key] === 'boolean' ? runs.every((r) => r[key]) : median(runs.map((r) => r[key]))
      results[`${kind}/${client}`] = m
      spread[`${kind}/${client}`] = runs
      console.log(kind, client, JSON.stringify(m))
    }
  }
} finally {
  await browser.close()
  await endpoint.close()
}

const fmt = (v, unit = '') => (v === null ? 'never' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : `${Math.round(v * 10) / 10}${unit}`)
const ratio = (a, b) => (typeof a !== 'number' || typeof b !== 'number' || a === 0 ? '' : `${(b / a).toFixed(b / a >= 10 ? 0 : 1)}×`)
const rows = [
  ['main-thread time of the calls (wall clock)', 'callsMs', ' ms'],
  ['main-thread CPU time of the calls and their microtasks', 'callsCpuMs', ' ms'],
  ['IndexedDB transactions', 'transactions', ''],
  ['IndexedDB bytes written', 'idbBytes', ' B'],
  ['HTTP requests', 'requests', ''],
  ['bytes received by the endpoint', 'bytesReceived', ' B'],
  ['last push → endpoint holds everything', 'deliveredMs', ' ms'],
  ['endpoint final state correct', 'correct', ''],
  ['JS heap growth', 'heapKB', ' KB'],
]
/** The median, and the lowest and highest of the runs when they differ. */
const cell = (name, key, unit) => {
  const values = spread[name].map((r) => r[key]).filter((v) => typeof v === 'number')
  const [low, high] = [Math.min(...values), Math.max(...values)]
  return fmt(results[name][key], unit) + (values.length > 1 && low !== high ? ` (${fmt(low)}–${fmt(high)})` : '')
}
const table = (kind) =>
  ['| figure | Userbeam (lowest–highest run) | naive (lowest–highest run) | naive ÷ Userbeam |', '|---|---|---|---|',
    ...rows.map(([label, key, unit]) => `| ${label} | ${cell(`${kind}/userbeam`, key, unit)} | ${cell(`${kind}/naive`, key, unit)} | ${ratio(results[`${kind}/userbeam`][key], results[`${kind}/naive`][key])} |`)].join('\n')
const chromiumVersion = execSync(`${CHROMIUM} --version 2>/dev/null || true`, { shell: '/bin/bash' }).toString().trim()
writeFileSync('BENCHMARKS.md', `# Benchmarks

Measured by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model?.trim()},
Node ${process.version}, ${chromiumVersion}, headless. ${RUNS} runs each, medians (in brackets the lowest and the highest run). Endpoint on 127.0.0.1.
The naive client does one idb-keyval \`set\` and one \`fetch\` per push. flushInterval is the default 1000 ms.
IndexedDB figures count from the first call until the endpoint holds everything (start-up reads excluded).
Each run is a fresh page (cold JIT). The naive client is measured until the endpoint first held the final
state (or 30 s): its requests race each other, so its final state ends up wrong, and requests still queued
in the browser then are not counted.
"Main-thread time of the calls" times the loop of calls only with the page's clock (the attribute
objects are built before, as the landscape's figures do; the loop is an indexed one, since a
\`for...of\` that destructures each call cost about 6 ms by itself before V8 optimized it).
The CPU time beside it is Chromium's ThreadTime for the main thread over the task that runs the
loop, microtasks included: on a machine with few cores the wall clock also counts the time the
main thread waited for a core while V8's compiler and garbage-collector threads ran.

## 10,000 \`user.push\` calls for one identified profile

${table('one')}

## 100 profiles: identify, 98 pushes, logout, for each (10,000 calls)

${table('hundred')}
`)
console.log('wrote BENCHMARKS.md')
