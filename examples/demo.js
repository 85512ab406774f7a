// The demo page's own code: drives the SDK through window.userbeam and shows what happens.
// It reads the SDK's IndexedDB store directly, for display only.
const $ = (id) => document.getElementById(id)
const esc = (v) => String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const log = (kind, text) => {
  const li = document.createElement('li')
  li.className = kind
  li.textContent = `${new Date().toLocaleTimeString()} ${kind}: ${text}`
  $('log').prepend(li)
}

userbeam.on('sent', (e) => log('sent', `${e.profiles.length} profile(s), HTTP ${e.status}: ${e.profiles.map((p) => p.userId ?? 'anonymous').join(', ')}`))
userbeam.on('error', (e) => log('error', e.message))
userbeam.on('drop', (e) => log('drop', e.reason))

$('push').onsubmit = (e) => {
  e.preventDefault()
  const { name, value } = Object.fromEntries(new FormData(e.target))
  const typed = value !== '' && !isNaN(Number(value)) ? Number(value) : value
  userbeam.user.push({ [name]: typed })
}
$('identify').onsubmit = (e) => {
  e.preventDefault()
  const { id, email } = Object.fromEntries(new FormData(e.target))
  userbeam.user.identify(id, email ? { email } : {})
}
$('logout').onclick = () => userbeam.user.logout()
$('flush').onclick = () => userbeam.flush().then(() => log('sent', 'flush() settled: everything queued before it is delivered'))
$('burst').onclick = () => {
  for (let i = 1; i <= 1000; i++) userbeam.user.push({ clicks: i })
  log('sent', '1,000 pushes made: watch them become one record and one request')
}
$('down').onclick = () => fetch('/demo/offline', { method: 'POST' }).then(refresh)
$('up').onclick = () => fetch('/demo/online', { method: 'POST' }).then(() => userbeam.flush()).then(refresh)

/** Reads the SDK's store (database 'userbeam-demo', object store 'queue') without changing it. */
function readQueue() {
  return new Promise((resolve) => {
    const open = indexedDB.open('userbeam-demo')
    open.onupgradeneeded = () => open.result.createObjectStore('queue') // same schema as the SDK
    open.onerror = () => resolve({ identity: null, records: [] })
    open.onsuccess = () => {
      const db = open.result
      const store = db.transaction('queue').objectStore('queue')
      const keys = store.getAllKeys()
      const values = store.getAll()
      values.onsuccess = () => {
        const entries = keys.result.map((k, i) => [k, values.result[i]])
        db.close()
        resolve({
          identity: entries.find(([k]) => k === 'identity')?.[1],
          records: entries.filter(([k]) => String(k).startsWith('r:')).map(([, v]) => v),
        })
      }
    }
  })
}

const attributes = (attrs) =>
  Object.entries(attrs).map(([name, a]) => `<code>${esc(name)}</code> = <b>${esc(JSON.stringify(a.value ?? a))}</b>`).join(', ') || '<span class="empty">no attributes</span>'

async function refresh() {
  const { identity, records } = await readQueue()
  $('identity').innerHTML = identity
    ? `<dt>user id</dt><dd>${identity.userId ? esc(identity.userId) : '<span class="empty">anonymous</span>'}</dd>
       <dt>anonymous id</dt><dd>${esc(identity.anonymousId)}</dd>
       <dt>consent</dt><dd>${identity.consent}</dd>`
    : '<dt>loading…</dt>'
  $('pending').innerHTML = records.length
    ? records.map((r) => `<div class="card">${r.userId ? `user <b>${esc(r.userId)}</b>` : 'anonymous'} · ${attributes(r.attributes)}<br><small>messageId ${esc(r.messageId)}</small></div>`).join('')
    : '<p class="empty">nothing pending: everything was delivered</p>'
  const server = await fetch('/profiles').then((r) => r.json())
  $('endpoint-state').textContent = server.down ? 'the endpoint answers 503: updates wait and retry' : 'the endpoint is up'
  $('profiles').innerHTML =
    (server.profiles.length
      ? server.profiles.map((p) => `<div class="card">${p.userId ? `user <b>${esc(p.userId)}</b>` : `anonymous <b>${esc(p.anonymousIds[0].slice(0, 8))}…</b>`} · ${attributes(p.attributes)}<br><small>${p.updates} update(s) received</small></div>`).join('')
      : '<p class="empty">nothing received yet</p>') + `<p class="hint">${server.requests.length} request(s) received so far.</p>`
}

// Start polling once the SDK has opened its store (opening it first would create it without the SDK).
userbeam.flush().then(() => {
  refresh()
  setInterval(refresh, 500)
})
