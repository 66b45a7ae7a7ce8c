import { createHash } from 'node:crypto';
import type { Json } from '../domain/records';

/**
 * A script's answer: a value, or `{ ok: false, error }` with a message fit for a task's
 * reasonForIncompletion (it threw, ran past its time limit, or allocated past its memory limit).
 */
export type ScriptResult = { ok: true; value: Json } | { ok: false; error: string };

/**
 * One evaluation the decider asks for. The decider never runs scripts itself: it names what it
 * needs, the runtime evaluates it off the main thread (sandbox/pool.ts) and decides again with
 * the answer (docs/architecture.md, "Bounded decisions"). `key` identifies the evaluation by
 * content, so an answer can only ever be used for the same script on the same bindings.
 */
export interface ScriptRequest {
  key: string;
  script: string;
  /** The bindings as JSON text: the only form in which host data enters the sandbox. */
  bindingsJson: string;
  /** The globals to define, one per key of the bindings. */
  names: string[];
  /**
   * The decision's time: `Date.now()` and `new Date()` inside the script return it, and it seeds
   * `Math.random`, so a script gives the same answer every time its decision is replayed.
   */
  now: number;
}

export function scriptRequest(script: string, bindings: Record<string, unknown>, now: number): ScriptRequest | { error: string } {
  let bindingsJson: string;
  try {
    bindingsJson = JSON.stringify(bindings);
  } catch (err) {
    return { error: `script bindings are not JSON: ${String(err)}` };
  }
  const key = createHash('sha1').update(script).update('\u0000').update(bindingsJson).update(`\u0000${now}`).digest('base64');
  return { key, script, bindingsJson, names: Object.keys(bindings), now };
}

export interface ScriptLimits {
  /** Limit of one evaluation's own run time: set-up and waiting in the queue do not count. */
  timeoutMs: number;
  /** Heap limit of the evaluation's QuickJS runtime. */
  memoryMb: number;
}

export const defaultScriptLimits: ScriptLimits = Object.freeze({ timeoutMs: 100, memoryMb: 32 });

export const timeLimitMessage = (limits: ScriptLimits): string => `script exceeded its ${limits.timeoutMs} ms time limit`;
export const memoryLimitMessage = (limits: ScriptLimits): string => `script exceeded its ${limits.memoryMb} MB memory limit`;
