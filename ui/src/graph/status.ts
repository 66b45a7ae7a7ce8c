import type { Task, TaskStatus } from '../api/types';
import type { Graph } from './model';

/** A step's state in a run, as its node shows it. */
export interface StepView {
  /** The latest attempt's status, or NOT_RUN. */
  status: TaskStatus | 'NOT_RUN';
  /** Attempts of the step (in the shown loop iteration). */
  attempts: number;
  /** The latest attempt. */
  task?: Task;
  /** Loops: iterations so far. */
  iterations?: number;
  /** Dynamic forks' groups: branches by their latest status. */
  counts?: Partial<Record<TaskStatus, number>>;
}

/** The step a task attempt belongs to (`ref__3` is iteration 3 of step `ref`). */
export function stepRefOf(t: Pick<Task, 'workflowTask' | 'referenceTaskName'>): string {
  return t.workflowTask?.taskReferenceName ?? t.referenceTaskName.replace(/__\d+$/, '');
}

/** Later attempts win; within one attempt number, the later scheduled one. */
function later(a: Task, b: Task): boolean {
  return a.retryCount !== b.retryCount ? a.retryCount > b.retryCount : a.seq !== b.seq ? a.seq > b.seq : a.scheduledTime > b.scheduledTime;
}

export interface RunIndex {
  /** Attempts by step ref, in schedule order. */
  byRef: Map<string, Task[]>;
  /** Dynamic forks' branch refs, by the fork's ref (from its task's inputData.forkedTasks). */
  dynamicBranches: Map<string, string[]>;
}

/** Groups a run's attempts by step once per fetch (a 1,000-task run: one pass). */
export function indexRun(tasks: readonly Task[], definedRefs: ReadonlySet<string>, dynamicForkRefs: readonly string[]): RunIndex {
  const byRef = new Map<string, Task[]>();
  for (const t of tasks) {
    const ref = stepRefOf(t);
    const list = byRef.get(ref);
    if (list) list.push(t);
    else byRef.set(ref, [t]);
  }
  const dynamicBranches = new Map<string, string[]>();
  const claimed = new Set<string>();
  for (const forkRef of dynamicForkRefs) {
    const fork = byRef.get(forkRef)?.reduce((a, b) => (later(b, a) ? b : a));
    const listed = fork?.inputData.forkedTasks;
    if (Array.isArray(listed) && listed.every((r) => typeof r === 'string')) {
      dynamicBranches.set(forkRef, listed as string[]);
      for (const r of listed as string[]) claimed.add(r);
    }
  }
  // Masked inputs (a viewer) hide forkedTasks: steps the definition does not name belong to the
  // one dynamic fork, when there is only one.
  const unclaimed = [...byRef.keys()].filter((r) => !definedRefs.has(r) && !claimed.has(r));
  if (unclaimed.length && dynamicForkRefs.length === 1) {
    const only = dynamicForkRefs[0] as string;
    dynamicBranches.set(only, [...(dynamicBranches.get(only) ?? []), ...unclaimed]);
  }
  return { byRef, dynamicBranches };
}

/**
 * Each node's state: the latest attempt of its step, in the shown iteration of the loop around it
 * (the latest unless the user picked one).
 */
export function stepViews(graph: Graph, run: RunIndex, iterationOf: ReadonlyMap<string, number>): Map<string, StepView> {
  const views = new Map<string, StepView>();
  const loopOfRef = new Map<string, string>();
  for (const [loopId, refs] of graph.loopBodies) for (const r of refs) loopOfRef.set(r, loopId);
  for (const n of graph.nodes) {
    if (!n.ref) continue;
    if (n.kind === 'dynamic' || n.kind === 'more') {
      const refs = run.dynamicBranches.get(n.ref) ?? [];
      const counts: Partial<Record<TaskStatus, number>> = {};
      for (const r of n.kind === 'more' ? refs.slice(refs.length - (n.hidden ?? 0)) : refs) {
        const last = latestOf(run.byRef.get(r) ?? []);
        if (last) counts[last.status] = (counts[last.status] ?? 0) + 1;
      }
      views.set(n.id, { status: groupStatus(counts), attempts: 0, counts });
      continue;
    }
    let attempts = run.byRef.get(n.ref) ?? [];
    const loopId = loopOfRef.get(n.ref);
    if (loopId) {
      const wanted = iterationOf.get(loopId) ?? maxIteration(graph.loopBodies.get(loopId) ?? [], run);
      attempts = attempts.filter((t) => t.iteration === wanted);
    }
    const last = latestOf(attempts);
    const view: StepView = { status: last?.status ?? 'NOT_RUN', attempts: attempts.length, ...(last ? { task: last } : {}) };
    if (n.kind === 'loop') view.iterations = maxIteration(graph.loopBodies.get(n.id) ?? [], run);
    views.set(n.id, view);
  }
  return views;
}

export function latestOf(tasks: readonly Task[]): Task | undefined {
  let best: Task | undefined;
  for (const t of tasks) if (!best || later(t, best)) best = t;
  return best;
}

/** The highest iteration any body step of a loop reached (iterations count from 1). */
export function maxIteration(bodyRefs: readonly string[], run: RunIndex): number {
  let max = 0;
  for (const r of bodyRefs) for (const t of run.byRef.get(r) ?? []) if (t.iteration > max) max = t.iteration;
  return max;
}

/** A group of branches reads as its most urgent state: failing, then running, then waiting, then done. */
function groupStatus(counts: Partial<Record<TaskStatus, number>>): StepView['status'] {
  const order: TaskStatus[] = [
    'FAILED',
    'FAILED_WITH_TERMINAL_ERROR',
    'TIMED_OUT',
    'IN_PROGRESS',
    'SCHEDULED',
    'CANCELED',
    'COMPLETED_WITH_ERRORS',
    'SKIPPED',
    'COMPLETED',
  ];
  return order.find((s) => (counts[s] ?? 0) > 0) ?? 'NOT_RUN';
}
