/**
 * Events and console output. Listeners are the page's code: one that throws is reported on the
 * console and never breaks delivery. Rejections are loud in debug, quiet otherwise.
 */
import type { EventMap } from './types.js'
import { own } from './own.js'

export type Listener<K extends keyof EventMap> = (event: EventMap[K]) => void

export interface Emitter {
  on<K extends keyof EventMap>(type: K, listener: Listener<K>): () => void
  emit<K extends keyof EventMap>(type: K, event: EventMap[K]): void
  /** console.warn in debug mode only. */
  debug(message: string): void
  /** console.warn always, once per message: for what a site owner must fix. */
  warnOnce(message: string): void
}

/** console.warn that never throws: a page may have replaced or removed its console. */
export function warnSafely(log: Pick<Console, 'warn'> | undefined, ...args: unknown[]) {
  try {
    log!.warn(...args)
  } catch {}
}

export function createEmitter(debugMode: boolean, log = globalThis.console as Pick<Console, 'warn'> | undefined): Emitter {
  const listeners: { [K in keyof EventMap]: Set<Listener<K>> } = { sent: new Set(), error: new Set(), drop: new Set() }
  const warned = new Set<string>()
  const warn = (...args: unknown[]) => warnSafely(log, ...args)
  return {
    on(type, listener) {
      const set = own(listeners, type) ? (listeners[type] as Set<Listener<typeof type>>) : undefined
      if (!set || typeof listener !== 'function') {
        warn(`userbeam: on() takes 'sent', 'error' or 'drop' and a function; got ${String(type)}`)
        return () => {}
      }
      set.add(listener)
      return () => void set.delete(listener)
    },
    emit(type, event) {
      // A message already warned once (configuration, storage) is not repeated in debug mode.
      if (debugMode && !warned.has((event as { message?: string }).message!)) {
        if (type === 'sent') warn(`userbeam: sent ${(event as EventMap['sent']).profiles.length} profile(s)`, event)
        else warn((event as { message?: string; reason?: string }).message ?? `userbeam: dropped: ${(event as EventMap['drop']).reason}`, event)
      }
      for (const listener of listeners[type]) {
        try {
          listener(event)
        } catch (error) {
          warn(`userbeam: a '${type}' listener threw`, error)
        }
      }
    },
    debug(message) {
      if (debugMode) warn(message)
    },
    warnOnce(message) {
      if (!warned.has(message)) {
        warned.add(message)
        warn(message)
      }
    },
  }
}
