/** A profile record built through a destination's own rules (every input must pass them). */
import { expect } from 'vitest'
import { checkAttributes } from '../src/attributes'
import type { ProfileRecord, Rules } from '../src/types'

export function recordFor(
  rules: Rules,
  userId: string | null,
  input: Record<string, unknown>,
  { at = {}, ...fields }: { at?: Record<string, number> } & Partial<ProfileRecord> = {},
): ProfileRecord {
  const { attributes, rejected } = checkAttributes(input, rules)
  expect(rejected).toEqual([])
  const stored: ProfileRecord['attributes'] = {}
  for (const name in attributes) stored[name] = { ...attributes[name], seq: 1, at: at[name] ?? 1 }
  return { key: `${userId}`, userId, anonymousId: 'anon', rid: 'r', seq: 1, messageId: 'm', created: 1, attributes: stored, ...fields }
}
