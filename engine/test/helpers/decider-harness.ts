import type { TaskDef, WorkflowDef } from '@baton/definitions';
import { validateWorkflowDef } from '@baton/definitions';
import { decide, type DecideOutcome } from '../../src/decider';
import type { JsonObject, TaskRecord, WorkflowRecord } from '../../src/domain/records';
import { WorkflowStatus, type TaskStatus } from '../../src/domain/status';
import type { ScriptEvaluator } from '../../src/sandbox/types';

/**
 * Drives the pure decider without any store: keeps the workflow record and the task rows in
 * memory exactly as a store would after commitDecision, so table tests read like executions.
 */
export class DeciderHarness {
  wf: WorkflowRecord;
  readonly tasks = new Map<string, TaskRecord>();
  now = 1_000_000;
  last!: DecideOutcome;

  constructor(
    def: unknown,
    input: JsonObject = {},
    private readonly taskDefs: Record<string, Partial<TaskDef>> = {},
    /** The script sandbox (SWITCH/DO_WHILE conditions, INLINE); await loadSandbox() in a beforeAll. */
    private readonly scripts?: ScriptEvaluator,
  ) {
    const v = validateWorkflowDef(def);
    if (!v.ok) throw new Error(`bad test definition: ${JSON.stringify(v.problems)}`);
    const d: WorkflowDef = v.value;
    this.wf = {
      workflowId: 'wf-1',
      workflowName: d.name,
      workflowVersion: d.version ?? 1,
      status: WorkflowStatus.RUNNING,
      input,
      output: {},
      variables: structuredClone(d.variables ?? {}) as JsonObject,
      correlationId: null,
      priority: 0,
      createTime: this.now,
      startTime: this.now,
      endTime: 0,
      updateTime: this.now,
      reasonForIncompletion: null,
      failedReferenceTaskNames: [],
      parentWorkflowId: null,
      parentWorkflowTaskId: null,
      definition: d,
      state: { seq: 0, steps: {} },
      wakeAt: 0,
      revision: 0,
    };
    this.run([]);
  }

  private taskDef = (name: string): TaskDef | undefined => {
    const d = this.taskDefs[name];
    return d ? ({ name, ...d } as TaskDef) : undefined;
  };

  run(results: TaskRecord[]): DecideOutcome {
    const out = decide({ workflow: this.wf, results, taskDef: this.taskDef, now: this.now, scripts: this.scripts });
    this.last = out;
    for (const t of out.commit.newTasks) if (!this.tasks.has(t.taskId)) this.tasks.set(t.taskId, t);
    for (const c of out.commit.closeTasks) {
      const t = this.tasks.get(c.taskId);
      if (t) this.tasks.set(c.taskId, { ...t, status: c.status, reasonForIncompletion: c.reason, outputData: c.output ?? t.outputData });
    }
    for (const id of out.commit.appliedTaskIds) {
      const t = this.tasks.get(id);
      if (t) this.tasks.set(id, { ...t, applied: true });
    }
    if (out.changed) this.wf = { ...this.wf, ...out.commit.workflow, revision: this.wf.revision + 1 };
    return out;
  }

  /** The open (SCHEDULED/IN_PROGRESS) attempt of a step. */
  open(ref: string): TaskRecord {
    const t = [...this.tasks.values()].find((x) => x.refName === ref && (x.status === 'SCHEDULED' || x.status === 'IN_PROGRESS'));
    if (!t) throw new Error(`no open task for ${ref}; tasks: ${this.summary()}`);
    return t;
  }

  report(ref: string, status: TaskStatus, output: JsonObject = {}, reason: string | null = null): DecideOutcome {
    const t = this.open(ref);
    const done: TaskRecord = { ...t, status, outputData: output, reasonForIncompletion: reason, endTime: this.now, applied: false };
    this.tasks.set(t.taskId, done);
    return this.run([done]);
  }

  complete(ref: string, output: JsonObject = {}): DecideOutcome {
    return this.report(ref, 'COMPLETED', output);
  }

  scheduledRefs(out: DecideOutcome = this.last): string[] {
    return out.commit.newTasks.map((t) => t.referenceTaskName);
  }

  summary(): string {
    return [...this.tasks.values()].map((t) => `${t.referenceTaskName}#${t.retryCount}:${t.status}`).join(', ');
  }
}

export const simple = (ref: string, inputParameters: JsonObject = {}, extra: JsonObject = {}): JsonObject => ({
  name: ref,
  taskReferenceName: ref,
  type: 'SIMPLE',
  inputParameters,
  ...extra,
});
