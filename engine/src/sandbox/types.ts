import type { Json } from '../domain/records';

/**
 * What the decider sees of the script sandbox: a synchronous, total function. It never throws;
 * a script that fails, runs too long or allocates too much gives `{ ok: false, error }` with a
 * message fit for a task's reasonForIncompletion.
 */
export type ScriptResult = { ok: true; value: Json } | { ok: false; error: string };

export interface ScriptOptions {
  /**
   * The decision's time: `Date.now()` and `new Date()` inside the script return it, and it seeds
   * `Math.random`, so a script gives the same answer every time its decision is replayed.
   */
  now?: number;
}

export interface ScriptEvaluator {
  /** Runs `script` as global code in a fresh context; each binding becomes a global (`$`...). */
  evaluate(script: string, bindings: Record<string, unknown>, options?: ScriptOptions): ScriptResult;
}

export interface ScriptLimits {
  /** Wall-clock limit of one evaluation, copying its bindings in and its result out included. */
  timeoutMs: number;
  /** Heap limit of the evaluation's QuickJS runtime. */
  memoryMb: number;
}

export const defaultScriptLimits: ScriptLimits = Object.freeze({ timeoutMs: 100, memoryMb: 32 });

/** Stands in until the sandbox is loaded (decisions made without one, e.g. unit tests of SIMPLE flows). */
export const noScripts: ScriptEvaluator = {
  evaluate: () => ({ ok: false, error: 'the script sandbox is not loaded in this engine' }),
};

export const timeLimitMessage = (limits: ScriptLimits): string => `script exceeded its ${limits.timeoutMs} ms time limit`;
export const memoryLimitMessage = (limits: ScriptLimits): string => `script exceeded its ${limits.memoryMb} MB memory limit`;
