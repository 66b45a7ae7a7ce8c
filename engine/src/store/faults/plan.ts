/**
 * TEST-ONLY. What the store fault injector does (docs/reliability.md, "Store faults"): a spec
 * parsed once from BATON_TEST_STORE_FAULTS (config.ts), a seeded random source, and counters of
 * what was injected. Never set it in production: it makes the engine fail on purpose.
 *
 * Spec: comma-separated `key=value`, e.g. `fail=0.1,delay=0.1,delayMs=50,write=0.05,seed=7`.
 *  - fail:    share of Store calls that fail with a transient error (HTTP 503 retryable), half of
 *             them before the call runs (nothing happened), half after it ran (the change is made,
 *             its acknowledgement is lost, as when a connection drops after the server applied it);
 *  - delay:   share of Store calls delayed by up to delayMs (uniform), before they run;
 *  - delayMs: the longest delay (default 50);
 *  - write:   MongoDB only: share of the driver's write commands that fail, before or after they
 *             run, so that a multi-write operation (createWorkflow, commitDecision's insert-pending /
 *             fence / publish, a sweep) stops between two of its writes;
 *  - seed:    makes the sequence of faults repeatable (default: random).
 */
export interface FaultSpec {
  readonly fail: number;
  readonly delay: number;
  readonly delayMs: number;
  readonly write: number;
  readonly seed: number | null;
}

const keys = new Set(['fail', 'delay', 'delayMs', 'write', 'seed']);

/** Parses a fault spec; throws an Error naming the bad part (config.ts turns it into a ConfigError). */
export function parseFaultSpec(raw: string): FaultSpec {
  const spec: { fail: number; delay: number; delayMs: number; write: number; seed: number | null } = {
    fail: 0,
    delay: 0,
    delayMs: 50,
    write: 0,
    seed: null,
  };
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (key === undefined || !keys.has(key) || value === undefined || value === '' || extra !== undefined || !Number.isFinite(n)) {
      throw new Error(`'${part}' is not one of fail=<0..1>, delay=<0..1>, delayMs=<ms>, write=<0..1>, seed=<integer>`);
    }
    if ((key === 'fail' || key === 'delay' || key === 'write') && (n < 0 || n > 1))
      throw new Error(`${key} must be a share from 0 to 1, got ${value}`);
    if (key === 'delayMs' && (!Number.isInteger(n) || n < 0 || n > 60_000))
      throw new Error(`delayMs must be an integer from 0 to 60000, got ${value}`);
    if (key === 'seed' && !Number.isInteger(n)) throw new Error(`seed must be an integer, got ${value}`);
    if (key === 'seed') spec.seed = n;
    else spec[key as 'fail' | 'delay' | 'delayMs' | 'write'] = n;
  }
  return Object.freeze(spec);
}

/** What was injected so far, by kind and by operation (a test reads it to prove faults happened). */
export interface FaultCounts {
  calls: number;
  failedBefore: number;
  failedAfter: number;
  delayed: number;
  /** MongoDB driver writes failed (before or after they ran), by command. */
  writeFaults: number;
  byOperation: Record<string, number>;
}

/** The injector's dice and counters, shared by the port wrapper and the MongoDB collection wrapper. */
export class FaultPlan {
  private state: number;
  private armed = false;
  readonly counts: FaultCounts = { calls: 0, failedBefore: 0, failedAfter: 0, delayed: 0, writeFaults: 0, byOperation: {} };

  constructor(readonly spec: FaultSpec) {
    this.state = (spec.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  }

  /** Faults start once the engine has started (a failed start-up would only stop the process). */
  arm(): void {
    this.armed = true;
  }

  disarm(): void {
    this.armed = false;
  }

  get isArmed(): boolean {
    return this.armed;
  }

  /** A number in [0, 1) (mulberry32: small, seedable, good enough to pick faults). */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  hit(share: number): boolean {
    return this.armed && share > 0 && this.random() < share;
  }

  note(operation: string): void {
    this.counts.byOperation[operation] = (this.counts.byOperation[operation] ?? 0) + 1;
  }
}
