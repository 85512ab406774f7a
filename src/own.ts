/**
 * Own properties only: a name such as "toString" or "constructor" is an ordinary key here, never
 * the inherited function of the same name. For every lookup by a name the page chose.
 * @example
 * own({ plan: 'pro' }, 'toString') // false
 */
export const own = (object: object | undefined, key: string): boolean => !!object && Object.prototype.hasOwnProperty.call(object, key)
