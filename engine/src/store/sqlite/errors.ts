import { StoreUnavailableError } from '../../errors';
import type { Store } from '../port';

/**
 * SQLite result codes that mean "not now" rather than "never": another connection holds the
 * write lock past busy_timeout (BUSY, LOCKED), the disk is full (FULL), the file or its folder
 * became read-only (READONLY), an I/O error (IOERR: a disk going away), the file cannot be
 * opened (CANTOPEN), or memory ran out (NOMEM). A statement that fails with one of them changed
 * nothing (its transaction rolled back), and the same call succeeds once the condition clears,
 * so they are answered 503 with retryable: true like MongoDB's transient errors
 * (docs/reliability.md, "Resource exhaustion"). Extended codes (SQLITE_IOERR_WRITE...) count too.
 */
const transientPrefixes = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
];

export function isTransientSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && transientPrefixes.some((p) => code === p || code.startsWith(`${p}_`));
}

/** Methods left as they are: life cycle (a failed init must stop the start-up with its own message). */
const passThrough = new Set(['init', 'close', 'stats', 'kind', 'constructor', 'then']);

/**
 * The embedded store with its transient errors turned into StoreUnavailableError (HTTP 503,
 * retryable), in one place rather than in each of its operations; anything else passes through.
 */
export function withSqliteErrors<S extends Store>(inner: S): S {
  const wrapped = new Map<string, unknown>();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      // A function set on the instance itself (a test's spy) is returned as it is, so that spying
      // and restoring through this wrapper work; the adapter's own methods live on its prototype.
      if (Object.prototype.hasOwnProperty.call(target, prop)) return value;
      const method = value as (...a: unknown[]) => unknown;
      if (typeof prop !== 'string' || passThrough.has(prop)) return method.bind(target);
      const known = wrapped.get(prop);
      if (known) return known;
      const guarded = async (...args: unknown[]): Promise<unknown> => {
        try {
          return await method.apply(target, args);
        } catch (err) {
          if (!isTransientSqliteError(err)) throw err;
          const code = (err as { code: string }).code;
          throw new StoreUnavailableError(`SQLite unavailable during ${prop} (${code}): ${(err as Error).message}`, err);
        }
      };
      wrapped.set(prop, guarded);
      return guarded;
    },
  });
}
