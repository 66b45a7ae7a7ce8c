/**
 * Upper bounds of numeric fields. Conductor keeps counts and seconds in 32-bit ints, so its
 * definitions never hold more than 2,147,483,647 (about 68 years in seconds); Baton refuses
 * larger values with a 400 naming the field instead of storing a number (1e308, 1e18 s) that
 * would overflow a deadline to Infinity or park a task forever.
 */
export const INT32_MAX = 2_147_483_647;

/** A bounded integer field, with a default when given. */
export function boundedInt(minimum: number, fallback?: number, maximum: number = INT32_MAX) {
  return fallback === undefined
    ? ({ type: 'integer', minimum, maximum } as const)
    : ({ type: 'integer', minimum, maximum, default: fallback } as const);
}
