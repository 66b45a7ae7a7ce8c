import { MongoNetworkError } from 'mongodb';
import type { Collections } from '../mongo/collections';
import type { FaultPlan } from './plan';

/** The driver's write commands: each is one round trip, and a multi-write operation is several. */
const writes = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
]);

/**
 * TEST-ONLY (docs/reliability.md, "Store faults"). Wraps the MongoDB adapter's collections so
 * that a share (`write`) of the driver's write commands fail with a network error, before the
 * server ran them or after (the reply lost). The adapter's own error handling (mongo/errors.ts)
 * turns them into 503 retryable as it would a real one; what matters is that an operation made of
 * several writes (createWorkflow; commitDecision: insert pending, revision fence, publish; a
 * sweep's read-then-fenced-write) can stop between two of them, and the sweeper must settle what
 * it left (recoverPendingTasks, unapplied results).
 */
export function withWriteFaults(c: Collections, plan: FaultPlan): Collections {
  const out = {} as Record<keyof Collections, unknown>;
  for (const [name, collection] of Object.entries(c) as Array<[keyof Collections, Collections[keyof Collections]]>) {
    out[name] = new Proxy(collection, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (typeof prop !== 'string' || !writes.has(prop)) return fn.bind(target);
        return async (...args: unknown[]): Promise<unknown> => {
          if (!plan.hit(plan.spec.write)) return fn.apply(target, args);
          plan.counts.writeFaults++;
          plan.note(`mongo.${name}.${prop}`);
          if (plan.random() < 0.5) throw new MongoNetworkError(`injected fault before ${name}.${prop} (BATON_TEST_STORE_FAULTS)`);
          await fn.apply(target, args);
          throw new MongoNetworkError(`injected fault after ${name}.${prop} ran (BATON_TEST_STORE_FAULTS)`);
        };
      },
    });
  }
  return out as unknown as Collections;
}
