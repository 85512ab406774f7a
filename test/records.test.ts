// records.ts: merge (last call wins per attribute), settle (ack only what is unchanged),
// the byte budget's choice, the stored-record check (pure).
import { describe, expect, it } from 'vitest'
import { isRecord, mergeRecord, overBudget, recordBytes, settleRecord, toProfile } from '../src/records'
import type { Delta, ProfileRecord } from '../src/types'

let n = 0
const id = () => `id-${n++}`
const delta = (attributes: Record<string, [unknown, number]>, key = 'a:anon', userId: string | null = null): Delta => ({
  key,
  userId,
  anonymousId: 'anon',
  attributes: Object.fromEntries(
    Object.entries(attributes).map(([name, [value, at]]) => [name, { type: typeof value as any, value: value as any, at }]),
  ),
})
const values = (r: ProfileRecord | undefined) => r && Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, v.value]))

describe('mergeRecord', () => {
  it('creates a record, then merges: last call per attribute wins, seq rises, messageId changes', () => {
    const one = mergeRecord(undefined, delta({ plan: ['free', 1], city: ['Pune', 1] }), undefined, id, 100)
    expect(one).toMatchObject({ key: 'a:anon', userId: null, anonymousId: 'anon', seq: 1, created: 100 })
    const two = mergeRecord(one, delta({ plan: ['pro', 2] }), undefined, id, 200)
    expect(values(two)).toEqual({ plan: 'pro', city: 'Pune' })
    expect(two.seq).toBe(2)
    expect(two.created).toBe(100)
    expect(two.rid).toBe(one.rid)
    expect(two.messageId).not.toBe(one.messageId)
    expect(two.attributes.plan.seq).toBe(2)
    expect(two.attributes.city.seq).toBe(1)
    expect(values(one)).toEqual({ plan: 'free', city: 'Pune' }) // the input is not mutated
  })

  it('an older call committed later (another tab) does not overwrite a newer one', () => {
    const newer = mergeRecord(undefined, delta({ plan: ['pro', 20] }), undefined, id, 1)
    const merged = mergeRecord(newer, delta({ plan: ['free', 10], city: ['Pune', 10] }), undefined, id, 2)
    expect(values(merged)).toEqual({ plan: 'pro', city: 'Pune' })
  })

  it('names that are Object.prototype members merge like any other', () => {
    const one = mergeRecord(undefined, delta(Object.fromEntries([['toString', ['a', 1]], ['valueOf', [1, 1]]])), undefined, id, 1)
    expect(values(one)).toEqual({ toString: 'a', valueOf: 1 })
  })

  it("keeps a beaconed delta's messageId only when merged into the version the beacon saw, with every value", () => {
    const stored = mergeRecord(undefined, delta({ plan: ['free', 1] }), undefined, id, 1)!
    const beaconed = { ...delta({ email: ['a1@x.io', 10] }), messageId: 'beacon-id', base: `${stored.rid}:${stored.seq}` }
    expect(mergeRecord(stored, beaconed, undefined, id, 2)!.messageId).toBe('beacon-id')
    // Another tab's newer call landed first: the stored copy is not what the beacon sent.
    const changed = mergeRecord(stored, delta({ email: ['b2@x.io', 20] }), undefined, id, 3)!
    const late = mergeRecord(changed, beaconed, undefined, id, 4)!
    expect(values(late)).toEqual({ plan: 'free', email: 'b2@x.io' })
    expect(late.messageId).not.toBe('beacon-id')
    // Same base, but a delivery floor kept a value out.
    expect(mergeRecord(stored, beaconed, undefined, id, 5, { email: [30, 1] })!.messageId).not.toBe('beacon-id')
  })

  it('folds a held anonymous record into the identified one, keeping its creation time', () => {
    const anon = mergeRecord(undefined, delta({ city: ['Pune', 1] }), undefined, id, 50)
    const user = mergeRecord(undefined, delta({ plan: ['pro', 2] }, 'u:anon:u-1', 'u-1'), anon, id, 90)
    expect(values(user)).toEqual({ city: 'Pune', plan: 'pro' })
    expect(user.created).toBe(50)
  })
})

describe('settleRecord', () => {
  const base = () => mergeRecord(undefined, delta({ plan: ['free', 1], city: ['Pune', 1] }), undefined, id, 1)

  it('removes the record when nothing changed since the snapshot', () => {
    const sent = base()
    expect(settleRecord(sent, sent, id)).toBeUndefined()
  })

  it('keeps only what changed since the snapshot, with a new messageId', () => {
    const sent = base()
    const current = mergeRecord(sent, delta({ plan: ['pro', 2] }), undefined, id, 2)
    const left = settleRecord(current, sent, id)!
    expect(values(left)).toEqual({ plan: 'pro' })
    expect(left.acked).toBe(sent.seq)
    expect(left.messageId).not.toBe(current.messageId)
    expect(left.messageId).not.toBe(sent.messageId)
  })

  it('leaves alone a record created anew since the snapshot (after an erase)', () => {
    const sent = base()
    const reborn = base()
    expect(settleRecord(reborn, sent, id)).toBe(reborn)
    expect(settleRecord(undefined, sent, id)).toBeUndefined()
  })
})

describe('overBudget', () => {
  const record = (key: string, userId: string | null, created: number, size: number): ProfileRecord => ({
    key, userId, anonymousId: 'anon', rid: key, seq: 1, messageId: key, created,
    attributes: { note: { type: 'string', value: 'x'.repeat(size), seq: 1, at: 1 } },
  })

  it('nothing when the queue fits', () => {
    const rs = [record('a', null, 1, 10)]
    expect(overBudget(rs, recordBytes(rs[0]))).toEqual([])
  })

  it('anonymous first, oldest first, then identified oldest first, only as many as needed', () => {
    const u1 = record('u1', 'u-1', 1, 300)
    const a2 = record('a2', null, 2, 300)
    const a3 = record('a3', null, 3, 300)
    const u4 = record('u4', 'u-4', 4, 300)
    const size = recordBytes(u1)
    expect(overBudget([u1, a2, a3, u4], size * 3).map((r) => r.key)).toEqual(['a2'])
    expect(overBudget([u1, a2, a3, u4], size * 2).map((r) => r.key)).toEqual(['a2', 'a3'])
    expect(overBudget([u1, a2, a3, u4], size).map((r) => r.key)).toEqual(['a2', 'a3', 'u1'])
  })

  it('never gives up a record a request carries right now: its answer settles it (no drop, then sent)', () => {
    const a1 = record('a1', null, 1, 300)
    const a2 = record('a2', null, 2, 300)
    const u3 = record('u3', 'u-3', 3, 300)
    const spare = (key: string) => key === 'a1'
    expect(overBudget([a1, a2, u3], recordBytes(a1) + recordBytes(u3), spare).map((r) => r.key)).toEqual(['a2'])
    expect(overBudget([a1, a2, u3], recordBytes(a1), spare).map((r) => r.key)).toEqual(['a2', 'u3'])
  })
})

describe('isRecord and toProfile', () => {
  const good = () => mergeRecord(undefined, delta({ plan: ['pro', 1] }), undefined, id, 1)

  it('accepts what mergeRecord makes', () => {
    expect(isRecord(good())).toBe(true)
  })

  it.each([
    ['null', null],
    ['a string', 'garbage'],
    ['no key', { ...good(), key: undefined }],
    ['a numeric userId', { ...good(), userId: 5 }],
    ['no messageId', { ...good(), messageId: undefined }],
    ['no attributes', { ...good(), attributes: null }],
    ['an attribute that is null', { ...good(), attributes: { a: null } }],
    ['an attribute of an unknown type', { ...good(), attributes: { a: { type: 'object', value: {}, seq: 1, at: 1 } } }],
    ['an attribute whose value does not match its type', { ...good(), attributes: { a: { type: 'number', value: 'x', seq: 1, at: 1 } } }],
  ])('rejects %s', (_, value) => {
    expect(isRecord(value)).toBe(false)
  })

  it('toProfile shows plain values', () => {
    expect(toProfile(good())).toMatchObject({ userId: null, anonymousId: 'anon', attributes: { plan: 'pro' } })
  })
})
