/**
 * What one decision may do, and the limits that fail a workflow (never the engine) when it asks
 * for more. Every figure is configurable (engine/src/config.ts) and documented in
 * docs/limits.md; the defaults hold the event loop for a few milliseconds per decision on the
 * machines Baton is measured on.
 */
export interface DecideLimits {
  /**
   * New attempts (task records) and loop iterations one decision may create. Past it, the decision
   * commits what it has and leaves the rest to the next one (state.resume), which the runtime runs
   * after other workflows' work, so a 10,000-branch fork starts in slices.
   */
  stepsPerDecision: number;
  /** Script evaluations (INLINE, SWITCH and DO_WHILE conditions) one decision may wait for. */
  scriptsPerDecision: number;
  /** Branches one FORK_JOIN_DYNAMIC may fork. */
  maxForkBranches: number;
  /** Iterations one DO_WHILE may run. */
  maxLoopIterations: number;
  /** Largest JSON payload (an input or output) a step or the workflow may carry, in bytes. */
  maxPayloadBytes: number;
}

export const defaultDecideLimits: DecideLimits = Object.freeze({
  stepsPerDecision: 500,
  scriptsPerDecision: 32,
  maxForkBranches: 10_000,
  maxLoopIterations: 10_000,
  maxPayloadBytes: 4 * 1024 * 1024,
});

/** A size in bytes as people read it in a reason: "4 MiB", "512 KiB", "300 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${n} bytes`;
}
