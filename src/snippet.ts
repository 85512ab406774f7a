/**
 * The snippet to paste in a page's head (built alone into dist/snippet.min.js, at most 600 bytes
 * min+gzip). It defines the global at once, records every call in order, and loads the SDK
 * asynchronously; the SDK replays the record, then takes over. If the SDK never arrives (ad
 * blocker, 404) the stub keeps accepting calls, recording at most 1,000 of them.
 */
type Recorded = [method: string, args: IArguments, settle?: (result: any) => void][]

export function stub(w: any, d: Document, src: string, name: string) {
  if (w[name]) return
  const q: Recorded = []
  const record =
    (method: string) =>
    function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments
      let off: (() => void) | undefined
      const keep = (settle?: (result: any) => void) => q.length < 1000 && q.push([method, args, settle])
      if (method == 'flush') return new Promise((resolve) => keep(resolve))
      if (method == 'on') {
        keep((o) => (off = o))
        return () => off && off()
      }
      keep()
    }
  w[name] = {
    _q: q,
    init: record('init'),
    flush: record('flush'),
    on: record('on'),
    consent: record('consent'),
    user: { push: record('user.push'), identify: record('user.identify'), logout: record('user.logout') },
  }
  const script = d.createElement('script')
  script.async = true
  script.src = src
  if (name != 'userbeam') script.setAttribute('data-global', name)
  d.head.appendChild(script)
}
