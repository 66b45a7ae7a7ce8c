import { eventually } from '../helpers/eventually';

/**
 * Re-reads until `ok` holds, with a deadline generous enough for a loaded machine (work that
 * follows a commit runs in the background: arming a wait, processing an event).
 */
export function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  return eventually(fn, ok, 30_000);
}
