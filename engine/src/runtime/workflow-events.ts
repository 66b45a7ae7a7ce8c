import type { TaskRecord, WorkflowRecord } from '../domain/records';

/** What changed in one committed decision, as a waiter of the workflow sees it. */
export interface WorkflowChange {
  workflow: WorkflowRecord;
  newTasks: readonly TaskRecord[];
}

type Listener = (change: WorkflowChange) => void;

/**
 * In-process notifications of committed decisions, per workflow: the execute route
 * (runtime/execute.ts) waits on them instead of polling the store. They only cover decisions this
 * engine commits; a waiter re-checks the store now and then for those of other engines.
 */
export class WorkflowEvents {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(workflowId: string, listener: Listener): () => void {
    let set = this.listeners.get(workflowId);
    if (!set) this.listeners.set(workflowId, (set = new Set()));
    set.add(listener);
    return () => {
      const s = this.listeners.get(workflowId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(workflowId);
    };
  }

  notify(change: WorkflowChange): void {
    const set = this.listeners.get(change.workflow.workflowId);
    if (!set) return;
    for (const l of [...set]) l(change);
  }

  /** Workflows with at least one waiter (metrics, tests). */
  get watched(): number {
    return this.listeners.size;
  }
}
