// The demo page's own code. It drives the SDK only through window.userbeam, and reads the SDK's
// IndexedDB database directly, for display only (your pages never need to).
const DATABASE = 'userbeam-demo' // the storageName given to userbeam.init in index.html

const $ = (id) => document.getElementById(id)
const esc = (value) => String(value).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const time = () => new Date().toLocaleTimeString()

/** Adds a line to "What happened": kind is call, sent, error, drop or note. */
function log(kind, html) {
  $('log').insertAdjacentHTML('afterbegin', `<li class="${kind}"><time>${time()}</time> ${html}</li>`)
}
const code = (text) => `<code>${esc(text)}</code>`
const who = (p) => (p.userId ? `user <b>${esc(p.userId)}</b>` : `anonymous <b>${esc(p.anonymousId.slice(0, 8))}</b>`)
const values = (attributes) =>
  Object.entries(attributes)
    .map(([name, value]) => `${esc(name)} = <b>${esc(JSON.stringify(value))}</b>`)
    .join(', ') || '<i>no attributes</i>'

// --- 1. Calls -----------------------------------------------------------------------------

userbeam.on('sent', (e) =>
  log('sent', `sent ${e.profiles.length} profile(s), HTTP ${e.status}<br>${e.profiles.map((p) => `${who(p)}: ${values(p.attributes)}`).join('<br>')}`),
)
userbeam.on('error', (e) => log('error', `error (${esc(e.code)}): ${esc(e.message)}`))
userbeam.on('drop', (e) => log('drop', `dropped: ${esc(e.reason)}`))

$('push').onsubmit = (event) => {
  event.preventDefault()
  const { name, value } = Object.fromEntries(new FormData(event.target))
  // A number stays a number: the SDK keeps each attribute's type.
  const typed = value.trim() !== '' && !isNaN(Number(value)) ? Number(value) : value
  userbeam.user.push({ [name]: typed })
  log('call', code(`userbeam.user.push(${JSON.stringify({ [name]: typed })})`))
}
$('identify').onsubmit = (event) => {
  event.preventDefault()
  const { id, email } = Object.fromEntries(new FormData(event.target))
  const attributes = email ? { email } : {}
  userbeam.user.identify(id, attributes)
  log('call', code(`userbeam.user.identify(${JSON.stringify(id)}, ${JSON.stringify(attributes)})`))
}
$('logout').onclick = () => {
  userbeam.user.logout()
  log('call', code('userbeam.user.logout()') + ' (later pushes go to a new anonymous id)')
}
$('flush').onclick = () => {
  log('call', code('userbeam.flush()') + ' (send now, do not wait 2 s)')
  userbeam.flush().then(() => log('note', `${code('flush()')} resolved: what was queued before it is delivered`))
}
$('burst').onclick = () => {
  for (let i = 1; i <= 1000; i++) userbeam.user.push({ clicks: i })
  log('call', code('for (let i = 1; i <= 1000; i++) userbeam.user.push({ clicks: i })') + ' (one record, one request)')
}
$('offline').onclick = async () => {
  await fetch('/demo/offline', { method: 'POST' })
  log('note', 'the endpoint is off: it answers 503, and the SDK keeps the queue and retries later')
  refresh()
}
$('online').onclick = async () => {
  await fetch('/demo/online', { method: 'POST' })
  log('note', `the endpoint is on; ${code('userbeam.flush()')} sends what waited`)
  userbeam.flush()
  refresh()
}

// --- 2. The queue, read from IndexedDB -------------------------------------------------------

/** Reads the SDK's database (object store 'queue') without changing it; empty until it exists. */
function readQueue() {
  return new Promise((resolve) => {
    const nothing = { identity: undefined, records: [] }
    const open = indexedDB.open(DATABASE)
    // The SDK has not created its database yet: do not create it in its place.
    open.onupgradeneeded = () => open.transaction.abort()
    open.onerror = () => resolve(nothing)
    open.onsuccess = () => {
      const db = open.result
      const store = db.transaction('queue').objectStore('queue')
      const keys = store.getAllKeys()
      const all = store.getAll()
      all.onsuccess = () => {
        db.close()
        const entries = keys.result.map((key, i) => [String(key), all.result[i]])
        resolve({
          identity: entries.find(([key]) => key === 'identity')?.[1],
          records: entries.filter(([key]) => key.startsWith('r:')).map(([, record]) => record),
        })
      }
    }
  })
}

function showQueue({ identity, records }) {
  $('identity').innerHTML = identity
    ? `<dt>user id</dt><dd>${identity.userId ? esc(identity.userId) : '<i>none: anonymous</i>'}</dd>
       <dt>anonymous id</dt><dd>${esc(identity.anonymousId)}</dd>
       <dt>consent</dt><dd>${identity.consent ? 'given' : 'withdrawn'}</dd>`
    : '<dt>waiting for the SDK…</dt>'
  $('pending').innerHTML = records.length
    ? records
        .map((r) => {
          const attributes = Object.fromEntries(Object.entries(r.attributes).map(([name, a]) => [name, a.value]))
          return `<div class="card">${who(r)}<br>${values(attributes)}<small>messageId ${esc(r.messageId)}</small></div>`
        })
        .join('')
    : '<p class="empty">empty: nothing waits to be sent</p>'
}

// --- 4. The server ---------------------------------------------------------------------------

function showServer({ profiles, requests, offline }) {
  $('endpoint-state').textContent = offline ? `off (${offline === 'drop' ? 'drops connections' : 'answers 503'})` : 'on'
  $('endpoint-state').className = `state ${offline ? 'is-off' : 'is-on'}`
  $('profiles').innerHTML = profiles.length
    ? profiles
        .map((p) => {
          const also = p.userId && p.anonymousIds.length ? `<small>linked anonymous ids: ${p.anonymousIds.map((id) => esc(id.slice(0, 8))).join(', ')}</small>` : ''
          return `<div class="card">${who({ userId: p.userId, anonymousId: p.anonymousIds[0] })}<br>${values(p.attributes)}${also}<small>${p.updates} update(s) received</small></div>`
        })
        .join('')
    : '<p class="empty">nothing received yet</p>'
  $('requests').innerHTML =
    requests
      .slice(-6)
      .reverse()
      .map((r) => `<li class="${r.status === 200 ? 'sent' : 'error'}"><time>${new Date(r.at).toLocaleTimeString()}</time> ${r.status}${r.profiles ? `: ${r.profiles} profile(s), ${r.bytes} bytes` : ''}</li>`)
      .join('') || '<li class="empty">none yet</li>'
}

async function refresh() {
  showQueue(await readQueue())
  showServer(await fetch('/profiles').then((r) => r.json()))
}

// After a reload, say what the queue kept from the previous page.
readQueue().then(({ records }) => {
  if (records.length) log('note', `page loaded: ${records.length} record(s) kept in IndexedDB from before the reload`)
})
refresh()
setInterval(refresh, 500)
