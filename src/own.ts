/**
 * Plain data, whatever the page did to the built-ins. Sites add enumerable properties to
 * Object.prototype (old libraries, polluted prototypes) and a toJSON to Array.prototype
 * (Prototype.js 1.6): a `for...in` would then list inherited names, and JSON.stringify would
 * send arrays as strings.
 */

/**
 * Own properties only: a name such as "toString" or "constructor" is an ordinary key here, never
 * the inherited function of the same name. For every lookup by a name the page chose.
 * @example
 * own({ plan: 'pro' }, 'toString') // false
 */
const hasOwn = Object.prototype.hasOwnProperty
export const own = (object: object | undefined, key: string): boolean => !!object && hasOwn.call(object, key)

/**
 * The object's own enumerable names (none for undefined): what every loop over names uses.
 * @example
 * Object.prototype.extend = function () {}
 * names({ plan: 'pro' }) // ['plan'], where for...in also lists 'extend'
 */
export const names = (object: object | undefined): string[] => (object ? Object.keys(object) : [])

/**
 * JSON.stringify that ignores a toJSON the page gave to every object or array: the SDK's wire
 * data holds no value of its own with a toJSON (dates are ISO strings already). The usual fast
 * path when there is none.
 * @example
 * Array.prototype.toJSON = function () { return JSON.stringify(this.slice()) } // Prototype.js 1.6
 * stringify({ a: [1] }) // '{"a":[1]}', where JSON.stringify gives '{"a":"[1]"}'
 */
export const stringify = (value: unknown): string =>
  'toJSON' in []
    ? JSON.stringify(value, function (this: Record<string, unknown>, key, found) {
        const raw = this[key]
        return raw && typeof raw == 'object' ? raw : found
      })
    : JSON.stringify(value)
