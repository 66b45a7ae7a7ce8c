import type { TaskDef, WorkflowDef } from '@baton/definitions';
import { validateWorkflowDef } from '@baton/definitions';
import { decide, type DecideLimits, type DecideOutcome } from '../../src/decider';
import { emptyDeciderState, type JsonObject, type StepState, type TaskRecord, type WorkflowRecord } from '../../src/domain/records';
import { WorkflowStatus, type TaskStatus } from '../../src/domain/status';
import type { WorkflowAction } from '../../src/decider/actions';
import type { TestScripts } from './scripts';

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
    /** The script sandbox (SWITCH/DO_WHILE conditions, INLINE); await loadTestScripts() in a beforeAll. */
    private readonly scripts?: TestScripts,
    private readonly limits: Partial<DecideLimits> = {},
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
      definitionId: 'test',
      depth: 0,
      definition: d,
      state: emptyDeciderState(),
      wakeAt: 0,
      revision: 0,
    };
    this.run([]);
  }

  private taskDef = (name: string): TaskDef | undefined => {
    const d = this.taskDefs[name];
    return d ? ({ name, ...d } as TaskDef) : undefined;
  };

  /** Applies an operator's action (rerun, skip) the way the runtime does; throws when it is refused. */
  act(action: WorkflowAction, input?: JsonObject): DecideOutcome {
    if (input) this.wf = { ...this.wf, input };
    const out = this.run([], action);
    if (out.refused) throw new Error(out.refused);
    return out;
  }

  /** Decides as the engine does (payloads from the task rows, scripts answered here) and applies the outcome. */
  run(results: TaskRecord[], action?: WorkflowAction): DecideOutcome {
    let out: DecideOutcome;
    for (let pass = 0; ; pass++) {
      out = decide({
        workflow: this.wf,
        results,
        taskDef: this.taskDef,
        now: this.now,
        payload: (id) => this.tasks.get(id),
        script: (req) => (this.scripts ? this.scripts(req) : { ok: false, error: 'the script sandbox is not loaded in this engine' }),
        limits: this.limits,
        memo: this.memo,
        ...(action ? { action } : {}),
      });
      if (!out.needs) break;
      if (pass > 10) throw new Error(`decision still needs ${JSON.stringify(out.needs)}`);
    }
    this.last = out;
    if (out.refused) return out;
    return this.apply(out);
  }

  /** Applies an outcome as a store's commit would: task rows, then the workflow's fields and steps. */
  apply(out: DecideOutcome): DecideOutcome {
    const d = out.decision;
    for (const t of d.newTasks) if (!this.tasks.has(t.taskId)) this.tasks.set(t.taskId, t);
    for (const c of d.closeTasks) {
      const t = this.tasks.get(c.taskId);
      if (t && (t.status === 'SCHEDULED' || t.status === 'IN_PROGRESS')) {
        this.tasks.set(c.taskId, { ...t, status: c.status, reasonForIncompletion: c.reason, outputData: c.output ?? t.outputData });
      }
    }
    for (const { taskId, output } of d.taskOutputs) {
      const t = this.tasks.get(taskId);
      if (t) this.tasks.set(taskId, { ...t, outputData: output });
    }
    for (const id of d.appliedTaskIds) {
      const t = this.tasks.get(id);
      if (t) this.tasks.set(id, { ...t, applied: true });
    }
    if (out.changed) {
      const steps: Record<string, StepState> = { ...this.wf.state.steps };
      // Frozen, so that a decider changing the state it was given (it must copy) fails here.
      for (const [ref, step] of Object.entries(d.steps.set)) steps[ref] = deepFreeze(structuredClone(step));
      for (const ref of d.steps.unset) delete steps[ref];
      this.wf = { ...this.wf, ...d.workflow, revision: this.wf.revision + 1, state: { ...d.meta, steps } };
    }
    return out;
  }

  /** The record of a step's latest attempt. */
  task(ref: string): TaskRecord | undefined {
    const step = this.wf.state.steps[ref];
    return step ? this.tasks.get(step.taskId) : undefined;
  }

  private readonly memo = new Map<string, unknown>();

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
    return out.decision.newTasks.map((t) => t.referenceTaskName);
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
