/** The engine's mask for payloads a viewer may not see (engine/src/auth/mask.ts). */
export const MASK = '***';

/** True when a payload came back masked: the mask itself, or an object whose every value is. */
export function isMasked(value: unknown): boolean {
  if (value === MASK) return true;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => v === MASK);
}
