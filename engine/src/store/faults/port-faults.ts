import { StoreUnavailableError } from '../../errors';
import type { Store } from '../port';
import { FaultPlan, type FaultSpec } from './plan';

/** Methods that are never faulted: life cycle and counters. */
const passThrough = new Set(['init', 'close', 'stats', 'kind', 'dropDatabase', 'constructor', 'then']);

/** The error an injected fault raises: what the adapters raise for their own transient errors. */
export class InjectedStoreFault extends StoreUnavailableError {
  constructor(operation: string, when: 'before' | 'after') {
    super(`store unavailable during ${operation} (injected fault, ${when} the call: BATON_TEST_STORE_FAULTS)`);
  }
}

/** A store with faults injected, and the plan that drives them. */
export interface FaultyStore {
  store: Store;
  plan: FaultPlan;
}

/**
 * TEST-ONLY (docs/reliability.md, "Store faults"). Wraps the storage port so that a share of its
 * calls fail with the transient error the adapters raise (StoreUnavailableError: HTTP 503,
 * retryable), before the call runs or after it ran (a lost acknowledgement), and a share are
 * delayed. Everything the engine does with a store goes through this port, so every caller's
 * handling of a transient failure is exercised: routes, the sweeper, system tasks, decisions.
 * On MongoDB, `write` faults inside the adapter (mongo-faults.ts) add failures between the
 * writes of one operation.
 */
export function withStoreFaults(inner: Store, spec: FaultSpec, plan = new FaultPlan(spec)): FaultyStore {
  const wrapped = new Map<PropertyKey, unknown>();
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      // A function set on the instance itself (a test's spy) is returned as it is (see sqlite/errors.ts).
      if (typeof value === 'function' && Object.prototype.hasOwnProperty.call(target, prop)) return value;
      if (typeof value !== 'function' || typeof prop !== 'string' || passThrough.has(prop)) {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      const known = wrapped.get(prop);
      if (known) return known;
      const method = value as (...a: unknown[]) => Promise<unknown>;
      const faulty = async (...args: unknown[]): Promise<unknown> => {
        if (!plan.isArmed) return method.apply(target, args);
        plan.counts.calls++;
        if (plan.hit(spec.delay)) {
          plan.counts.delayed++;
          await new Promise((r) => setTimeout(r, Math.floor(plan.random() * spec.delayMs)));
        }
        if (plan.hit(spec.fail)) {
          plan.note(prop);
          if (plan.random() < 0.5) {
            plan.counts.failedBefore++;
            throw new InjectedStoreFault(prop, 'before');
          }
          await method.apply(target, args);
          plan.counts.failedAfter++;
          throw new InjectedStoreFault(prop, 'after');
        }
        return method.apply(target, args);
      };
      wrapped.set(prop, faulty);
      return faulty;
    },
  });
  return { store, plan };
}
