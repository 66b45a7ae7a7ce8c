import { parseDuration, resolveParameters, type WorkflowDef } from '@baton/definitions';
import type { JsonObject } from '../../../domain/records';

/** One stage a held run passes before it starts: a rate window, then each concurrency key in order. */
export interface Stage {
  kind: 'rate' | 'concurrency';
  keyId: string;
  limit: number;
  /** Rate windows only. */
  periodMs: number;
}

export interface Gate {
  stages: Stage[];
  debounce: { keyId: string; periodMs: number } | null;
}

/**
 * The flow control a definition puts on one run (docs/flow-control.md), with its keys resolved
 * from the run's input: null when the definition has none. Pure, so every engine derives the same
 * keys for a run at any time. A key's id names the workflow, the rule and the value, so two
 * workflows never share a key and a rule changed in a new definition version starts fresh keys.
 * A value that resolves to nothing is the empty key: such runs share one.
 */
export function gateOf(def: WorkflowDef, run: { input: JsonObject; correlationId: string | null; priority: number }): Gate | null {
  const fc = def.flowControl;
  if (!fc) return null;
  const ctx = {
    workflow: { input: run.input, correlationId: run.correlationId, priority: run.priority, workflowType: def.name, version: def.version },
    tasks: {},
  };
  const value = (template: string): string => {
    const v = resolveParameters(template, ctx);
    return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  };
  const stages: Stage[] = [];
  if (fc.rateLimit) {
    stages.push({
      kind: 'rate',
      keyId: `${def.name}/rate/${value(fc.rateLimit.key)}`,
      limit: fc.rateLimit.limit,
      periodMs: parseDuration(fc.rateLimit.period) ?? 1000,
    });
  }
  (fc.concurrency ?? []).forEach((c, i) =>
    stages.push({ kind: 'concurrency', keyId: `${def.name}/concurrency${i}/${value(c.key)}`, limit: c.limit, periodMs: 0 }),
  );
  const debounce = fc.debounce
    ? { keyId: `${def.name}/debounce/${value(fc.debounce.key)}`, periodMs: parseDuration(fc.debounce.period) ?? 1000 }
    : null;
  return stages.length || debounce ? { stages, debounce } : null;
}
