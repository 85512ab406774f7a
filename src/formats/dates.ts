/**
 * Vendor date formats. A stored date is an ISO 8601 UTC string from Date#toISOString; a vendor
 * format that cannot carry that exact instant refuses it in its rules, so nothing is ever rounded
 * or reformatted away on the wire.
 */
import type { Typed } from '../attributes.js'

/** What Date#toISOString gives for the years 0000-9999; other years get a signed six-digit form. */
const ISO = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{3})Z$/

/**
 * Why a stored date cannot travel at `precision`, or undefined when it can.
 * @example
 * dateProblem('2026-11-23T10:00:00.123Z', 'second') // 'this destination stores dates to the second...'
 * dateProblem('2026-11-23T10:00:00.000Z', 'second') // undefined
 */
export function dateProblem(iso: string, precision: 'second' | 'millisecond'): string | undefined {
  const match = ISO.exec(iso)
  if (!match) return 'the year is outside 0000-9999, which this destination cannot store'
  if (precision === 'second' && match[3] !== '000') {
    return 'this destination stores dates to the second and this Date has milliseconds; round it first: new Date(Math.floor(date.getTime() / 1000) * 1000)'
  }
}

/**
 * A `Rules.value` hook for vendors whose dates carry whole seconds (Growlytics, MoEngage).
 * @example
 * const rules = { ...growlyticsRules, value: wholeSecondDates }
 */
export const wholeSecondDates = (_name: string, typed: Typed): string | undefined =>
  typed.type === 'date' ? dateProblem(String(typed.value), 'second') : undefined

/**
 * A whole-second ISO date as `<date><separator><time><zone>`. Anything else is returned as it
 * is: the rules refuse such dates before they are stored, and a format never alters an instant.
 * @example
 * secondsDate('2026-11-23T10:00:00.000Z', ' ', '') // '2026-11-23 10:00:00' (Growlytics)
 * secondsDate('2026-11-23T10:00:00.000Z', 'T', 'Z') // '2026-11-23T10:00:00Z' (MoEngage)
 */
export function secondsDate(iso: string, separator: string, zone: string): string {
  const match = ISO.exec(iso)
  return match && match[3] === '000' ? `${match[1]}${separator}${match[2]}${zone}` : iso
}
