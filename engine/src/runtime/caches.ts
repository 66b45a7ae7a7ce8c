import { createHash } from 'node:crypto';
import type { WorkflowDef } from '@baton/definitions';
import type { Decision } from '../decider';
import type { StoredWorkflow, TaskPayload, WorkflowRecord } from '../domain/records';
import type { Store } from '../store/port';

/**
 * What the engine keeps in memory so that a decision reads what changed and nothing else
 * (docs/architecture.md, "Bounded decisions"). Every cache here is a hint, never the truth: a
 * decision on a stale workflow loses its revision fence and is decided again on a fresh read.
 */

/** A least-recently-used map bounded by a weight (entries, steps, bytes). */
class Lru<V> {
  private readonly map = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (v: V) => number,
  ) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    if (weight > this.maxWeight) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.map) {
      if (this.total <= this.maxWeight) break;
      this.map.delete(k);
      this.total -= e.weight;
    }
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.weight;
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Running workflows as the last decision of this engine left them, so that the next decision
 * reads nothing but the results it folds in. Weighed by steps (a 10,000-branch fork weighs
 * 10,000). Entries are updated in place by each commit (applyDecision), under the workflow's
 * lock; a commit that loses its fence evicts the entry.
 */
export class WorkflowCache {
  private readonly lru: Lru<WorkflowRecord>;

  constructor(maxSteps: number) {
    this.lru = new Lru(maxSteps, (wf) => 1 + stepCount(wf));
  }

  get(id: string): WorkflowRecord | undefined {
    return this.lru.get(id);
  }

  put(wf: WorkflowRecord): void {
    this.lru.set(wf.workflowId, wf);
  }

  evict(id: string): void {
    this.lru.delete(id);
  }
}

/**
 * Steps per cached record, counted once and then kept up to date by applyDecision: weighing a
 * 10,000-step workflow by counting its steps on every commit would cost what bounded decisions save.
 */
const stepCounts = new WeakMap<WorkflowRecord, number>();

function stepCount(wf: WorkflowRecord): number {
  let n = stepCounts.get(wf);
  if (n === undefined) {
    n = Object.keys(wf.state.steps).length;
    stepCounts.set(wf, n);
  }
  return n;
}

/** Applies a committed decision to a workflow record, in place; answers the record. */
export function applyDecision(wf: WorkflowRecord, d: Pick<Decision, 'workflow' | 'meta' | 'steps'>): WorkflowRecord {
  const steps = wf.state.steps;
  let n = stepCounts.get(wf);
  Object.assign(wf, d.workflow);
  wf.revision++;
  Object.assign(wf.state, d.meta);
  for (const [ref, step] of Object.entries(d.steps.set)) {
    if (n !== undefined && !Object.prototype.hasOwnProperty.call(steps, ref)) n++;
    steps[ref] = step;
  }
  for (const ref of d.steps.unset) {
    if (n !== undefined && Object.prototype.hasOwnProperty.call(steps, ref)) n--;
    delete steps[ref];
  }
  if (n !== undefined) stepCounts.set(wf, n);
  return wf;
}

/** The stored form of a workflow record: its definition stays in the snapshots. */
export function storedOf(wf: WorkflowRecord): StoredWorkflow {
  const { definition: _d, ...stored } = wf;
  void _d;
  return stored;
}

/**
 * Payloads of ended task attempts, which never change, as loaded from the store: what decisions
 * read of earlier steps' inputs and outputs. Weighed by their JSON size.
 */
export class PayloadCache {
  private readonly lru: Lru<TaskPayload & { bytes: number }>;

  constructor(maxBytes: number) {
    this.lru = new Lru(maxBytes, (p) => p.bytes);
  }

  get(taskId: string): TaskPayload | undefined {
    return this.lru.get(taskId);
  }

  put(taskId: string, payload: TaskPayload, bytes: number): void {
    this.lru.set(taskId, { ...payload, bytes });
  }
}

/**
 * Definitions by content hash (StoredWorkflow.definitionId): a run stores the hash, the store
 * keeps each content once (definition snapshots), and this engine keeps the parsed definitions it
 * uses. A definition's snapshot is written before the first run that names it.
 */
export class DefinitionSnapshots {
  private readonly byId = new Map<string, WorkflowDef>();
  private readonly ids = new WeakMap<WorkflowDef, string>();

  constructor(
    private readonly store: Store,
    private readonly max = 1000,
  ) {}

  /** The hash of a definition's content, stored once; answers the id a run records. */
  async register(def: WorkflowDef): Promise<string> {
    let id = this.ids.get(def);
    if (!id) {
      id = createHash('sha256').update(JSON.stringify(def)).digest('base64url').slice(0, 32);
      this.ids.set(def, id);
    }
    if (!this.byId.has(id)) {
      await this.store.putDefinitionSnapshot(id, def);
      this.remember(id, def);
    }
    return id;
  }

  async get(id: string): Promise<WorkflowDef | null> {
    const known = this.byId.get(id);
    if (known) return known;
    const def = await this.store.getDefinitionSnapshot(id);
    if (def) this.remember(id, def);
    return def;
  }

  private remember(id: string, def: WorkflowDef): void {
    if (this.byId.size >= this.max) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.byId.set(id, def);
    this.ids.set(def, id);
  }
}
