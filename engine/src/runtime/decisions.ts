import type { TaskDef } from '@baton/definitions';
import { decide, type DecideLimits, type DecideOutcome } from '../decider';
import type { WorkflowAction } from '../decider/actions';
import type { TaskPayload, TaskRecord, WorkflowRecord } from '../domain/records';
import type { ScriptPool, ScriptResult } from '../sandbox';
import type { Store } from '../store/port';
import type { PayloadCache } from './caches';

export interface DecisionBudget {
  /** Wall time a decision may spend waiting for its scripts; past it, scripts wait for the next decision. */
  scriptMs: number;
}

/**
 * Runs one decision to the end: the decider says what it lacks (payloads of earlier steps,
 * answers of scripts), this loads or evaluates them without blocking the event loop, and the
 * decider decides again with them, until it has all it needs (docs/architecture.md, "Bounded
 * decisions"). Each pass is the same pure function on the same input plus what was added, so
 * passes agree; the number of passes is bounded by the decision's budget.
 */
export class DecisionRunner {
  /** Derived data the decider keeps across decisions (forked steps of dynamic forks). */
  private readonly memo = new Map<string, unknown>();
  readonly stats = { decisions: 0, passes: 0, payloadLoads: 0, scripts: 0 };

  constructor(
    private readonly store: Pick<Store, 'getTaskPayloads'>,
    private readonly payloads: PayloadCache,
    private readonly taskDef: (name: string) => TaskDef | undefined,
    private readonly scripts: ScriptPool | null,
    private readonly limits: DecideLimits,
    private readonly budget: DecisionBudget,
  ) {}

  async run(workflow: WorkflowRecord, results: readonly TaskRecord[], now: number, action?: WorkflowAction): Promise<DecideOutcome> {
    const loaded = new Map<string, TaskPayload>();
    const answers = new Map<string, ScriptResult>();
    let scriptMs = 0;
    this.stats.decisions++;
    this.trimMemo();
    for (let pass = 1; ; pass++) {
      this.stats.passes++;
      const out = decide({
        workflow,
        results,
        taskDef: this.taskDef,
        now,
        payload: (id) => loaded.get(id) ?? this.payloads.get(id),
        script: (req) => answers.get(req.key),
        scriptTimeLeft: scriptMs < this.budget.scriptMs,
        limits: this.limits,
        memo: this.memo,
        ...(action ? { action } : {}),
      });
      const needs = out.needs;
      if (!needs) return out;
      if (pass > 200) throw new Error(`workflow ${workflow.workflowId}: a decision still lacked data after ${pass} passes`);
      if (needs.payloads.length > 0) {
        this.stats.payloadLoads++;
        const found = await this.store.getTaskPayloads(needs.payloads);
        for (const id of needs.payloads) {
          const p = found.get(id);
          // A task the store does not have (a crash between a decision's inserts and its commit
          // on MongoDB) reads as empty rather than being asked for again and again.
          loaded.set(id, p ? { inputData: p.inputData, outputData: p.outputData } : { inputData: {}, outputData: {} });
          if (p?.final) this.payloads.put(id, p, p.bytes);
        }
        continue;
      }
      if (!this.scripts) {
        for (const req of needs.scripts) answers.set(req.key, { ok: false, error: 'the script sandbox is not running in this engine' });
        continue;
      }
      const started = performance.now();
      const pool = this.scripts;
      const replies = await Promise.all(needs.scripts.map((req) => pool.evaluate(req, workflow.workflowId)));
      scriptMs += performance.now() - started;
      this.stats.scripts += replies.length;
      needs.scripts.forEach((req, i) => answers.set(req.key, replies[i] as ScriptResult));
    }
  }

  /**
   * One pass with what is at hand (cached payloads, no scripts): the decision, or null when it
   * needs more (the caller then decides the usual way, with `run`). Synchronous, so that a store
   * can run it inside the transaction that records the result it folds in.
   */
  runOnce(workflow: WorkflowRecord, results: readonly TaskRecord[], now: number): DecideOutcome | null {
    this.stats.passes++;
    const out = decide({
      workflow,
      results,
      taskDef: this.taskDef,
      now,
      payload: (id) => this.payloads.get(id),
      script: () => undefined,
      limits: this.limits,
      memo: this.memo,
    });
    if (out.needs) return null;
    this.stats.decisions++;
    return out;
  }

  /** The memo only speeds decisions up: past its bound it starts afresh. */
  private trimMemo(): void {
    if (this.memo.size > 256) this.memo.clear();
  }
}
