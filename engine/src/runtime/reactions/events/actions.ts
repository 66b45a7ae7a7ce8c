import { isDeepStrictEqual } from 'node:util';
import { EncodedReadError, resolveParameters } from '@baton/definitions';
import {
  ActionType,
  EffectStatus,
  type EventAction,
  type EventEffect,
  type EventHandlerRecord,
  type EventRecord,
} from '../../../domain/reactions';
import type { JsonObject, TaskRecord } from '../../../domain/records';
import { TaskStatus, isTerminalTask } from '../../../domain/status';
import { BatonError, ConflictError } from '../../../errors';
import type { Engine } from '../../engine';
import { Lifecycle } from '../../lifecycle';
import { eventWorkflowId, idempotentWorkflowId } from '../ids';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** One action of a handler on one event, with the effect recorded before it (its intent), if any. */
export interface ActionRun {
  event: EventRecord;
  handler: EventHandlerRecord;
  index: number;
  action: EventAction;
  /** The effect of this action recorded by an earlier attempt (a crash came between intent and outcome). */
  prior: EventEffect | undefined;
}

/**
 * Runs an event handler's action exactly once per event. Each action first records its intent
 * with its target (the workflow it starts, the task it completes) as a PENDING effect, written
 * only if absent, so that every later attempt (a redo after a crash, another engine) acts on the
 * same target; then acts with a write that is idempotent or fenced on that target (a deterministic
 * workflow id; a task still open); then records the outcome. A target that is gone or already
 * ended is a FAILED effect the first time and DONE on a redo (the first attempt got there), or
 * when the task ended exactly as this action ends it (another engine's attempt, at the same time).
 * Transient errors (the store unavailable) are thrown: the event stays pending and is processed
 * again later.
 */
export class EventActions {
  constructor(private readonly engine: Engine) {}

  async run(r: ActionRun): Promise<EventEffect> {
    let params: JsonObject;
    try {
      params = this.resolve(r);
    } catch (err) {
      // The event's data was encoded by a client's codec and the handler reads into it (docs/payloads.md).
      if (err instanceof EncodedReadError) return this.outcome(r, EffectStatus.FAILED, { error: err.message });
      throw err;
    }
    try {
      switch (r.action.action) {
        case ActionType.START_WORKFLOW:
          return await this.startWorkflow(r, params);
        case ActionType.COMPLETE_TASK:
        case ActionType.FAIL_TASK:
          return await this.finishTask(r, params);
        case ActionType.TERMINATE_WORKFLOW:
          return await this.terminate(r, params);
        case ActionType.UPDATE_WORKFLOW_VARIABLES:
          return await this.updateVariables(r, params);
        default:
          return this.outcome(r, EffectStatus.FAILED, { error: `unknown action '${String(r.action.action)}'` });
      }
    } catch (err) {
      if (err instanceof BatonError && !err.retryable) return this.outcome(r, EffectStatus.FAILED, { error: err.message });
      throw err;
    }
  }

  /** Conductor's templates over the event's data: `${x}` reads `data.x`. */
  private resolve(r: ActionRun): JsonObject {
    const params = r.action[r.action.action];
    const data = r.action.expandInlineJSON ? expandInlineJson(r.event.data) : r.event.data;
    const env = isObject(data) ? data : {};
    const resolved = resolveParameters(params ?? {}, {
      workflow: isObject(env.workflow) ? env.workflow : {},
      tasks: {},
      env,
      failOnEncoded: true,
    });
    return isObject(resolved) ? resolved : {};
  }

  private key(r: ActionRun): string {
    return `${r.handler.name}#${r.index}`;
  }

  private effect(r: ActionRun, status: EffectStatus, fields: Partial<EventEffect>): EventEffect {
    return {
      eventId: r.event.eventId,
      key: this.key(r),
      kind: 'action',
      handler: r.handler.name,
      action: r.action.action,
      status,
      workflowId: null,
      taskId: null,
      error: null,
      at: this.engine.clock.now(),
      ...fields,
    };
  }

  /** Records the intent (first writer wins) and answers it: the target every attempt acts on. */
  private async intent(r: ActionRun, fields: Partial<EventEffect>): Promise<EventEffect> {
    return this.engine.store.putEventEffect(this.effect(r, EffectStatus.PENDING, fields), true);
  }

  private async outcome(r: ActionRun, status: EffectStatus, fields: Partial<EventEffect>): Promise<EventEffect> {
    return this.engine.store.putEventEffect(this.effect(r, status, fields), false);
  }

  private async startWorkflow(r: ActionRun, p: JsonObject): Promise<EventEffect> {
    const name = str(p.name);
    if (!name) return this.outcome(r, EffectStatus.FAILED, { error: 'start_workflow.name resolved to nothing' });
    const key = str(p.idempotencyKey);
    const workflowId = key ? idempotentWorkflowId(name, key) : eventWorkflowId(r.event.eventId, this.key(r));
    const intent = await this.intent(r, { workflowId });
    if (intent.status !== EffectStatus.PENDING) return intent;
    // The first attempt honours idempotencyStrategy FAIL; a redo finds its own run and keeps it.
    const failIfExists = key !== null && p.idempotencyStrategy !== 'RETURN_EXISTING' && !r.prior;
    try {
      const id = await this.engine.startWorkflow({
        name,
        ...(typeof p.version === 'number' ? { version: p.version } : {}),
        input: isObject(p.input) ? p.input : {},
        correlationId: str(p.correlationId),
        ...(typeof p.priority === 'number' ? { priority: p.priority } : {}),
        workflowId: intent.workflowId ?? workflowId,
        ifExists: failIfExists ? 'fail' : 'return',
        foldable: true,
      });
      return this.outcome(r, EffectStatus.DONE, { workflowId: id });
    } catch (err) {
      if (err instanceof ConflictError && failIfExists) {
        return this.outcome(r, EffectStatus.FAILED, {
          workflowId,
          error: `idempotencyKey '${key}' names workflow ${workflowId}, which exists`,
        });
      }
      throw err;
    }
  }

  private async finishTask(r: ActionRun, p: JsonObject): Promise<EventEffect> {
    const { store } = this.engine;
    const kind = r.action.action;
    let taskId = r.prior?.taskId ?? str(p.taskId);
    if (!taskId) {
      const workflowId = str(p.workflowId);
      const ref = str(p.taskRefName);
      const open = workflowId && ref ? await this.openTask(workflowId, ref) : null;
      if (!open)
        return this.outcome(r, EffectStatus.FAILED, {
          workflowId,
          error: `workflow '${workflowId ?? ''}' has no open task '${ref ?? ''}'`,
        });
      taskId = open.taskId;
    }
    const intent = await this.intent(r, { taskId });
    if (intent.status !== EffectStatus.PENDING) return intent;
    taskId = intent.taskId ?? taskId;
    const t = await store.getTask(taskId);
    if (!t) return this.outcome(r, EffectStatus.FAILED, { taskId, error: `task '${taskId}' not found` });
    const fields = { taskId, workflowId: t.workflowInstanceId };
    const status = kind === ActionType.COMPLETE_TASK ? 'COMPLETED' : 'FAILED';
    const output = isObject(p.output) ? p.output : {};
    if (isTerminalTask(t.status)) {
      // Ended as this action ends it: another attempt of this effect (another engine processing
      // the same event at once) got there first.
      const endedByThis = t.status === status && isDeepStrictEqual(t.outputData, output);
      return r.prior || endedByThis
        ? this.outcome(r, EffectStatus.DONE, fields)
        : this.outcome(r, EffectStatus.FAILED, { ...fields, error: `task '${t.referenceTaskName}' is ${t.status} already` });
    }
    const reason =
      status === 'COMPLETED'
        ? null
        : (str(p.reasonForIncompletion) ?? `failed by event handler '${r.handler.name}' (event ${r.event.eventId})`);
    if (!t.queued) {
      const done = await store.completeEngineTask(
        t.taskId,
        {},
        { status: TaskStatus[status], outputData: output, reasonForIncompletion: reason },
        this.engine.clock.now(),
      );
      if (done) await this.advanceQuietly(done);
    } else {
      try {
        await new Lifecycle(this.engine).completeWorkerTask(t, status, output, reason);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // A worker's report landed first; the task ended either way.
      }
    }
    return this.outcome(r, EffectStatus.DONE, fields);
  }

  private async terminate(r: ActionRun, p: JsonObject): Promise<EventEffect> {
    const workflowId = str(p.workflowId);
    if (!workflowId) return this.outcome(r, EffectStatus.FAILED, { error: 'terminate_workflow.workflowId resolved to nothing' });
    const intent = await this.intent(r, { workflowId });
    if (intent.status !== EffectStatus.PENDING) return intent;
    try {
      await this.engine.terminate(
        workflowId,
        str(p.terminationReason) ?? `terminated by event handler '${r.handler.name}' (event ${r.event.eventId})`,
      );
    } catch (err) {
      if (!(err instanceof ConflictError) || !r.prior) throw err;
    }
    return this.outcome(r, EffectStatus.DONE, { workflowId });
  }

  private async updateVariables(r: ActionRun, p: JsonObject): Promise<EventEffect> {
    const workflowId = str(p.workflowId);
    if (!workflowId) return this.outcome(r, EffectStatus.FAILED, { error: 'update_workflow_variables.workflowId resolved to nothing' });
    const intent = await this.intent(r, { workflowId });
    if (intent.status !== EffectStatus.PENDING) return intent;
    // Setting the same values again is harmless: a redo repeats it.
    await new Lifecycle(this.engine).updateVariables(workflowId, isObject(p.variables) ? p.variables : {});
    return this.outcome(r, EffectStatus.DONE, { workflowId });
  }

  /** The latest open attempt of a step by reference name. */
  private async openTask(workflowId: string, ref: string): Promise<TaskRecord | null> {
    const tasks = (await this.engine.store.getTasks(workflowId)).filter(
      (t) => (t.referenceTaskName === ref || t.refName === ref) && !isTerminalTask(t.status),
    );
    return tasks.reduce<TaskRecord | null>((a, t) => (!a || t.seq > a.seq ? t : a), null);
  }

  private async advanceQuietly(done: TaskRecord): Promise<void> {
    try {
      await this.engine.advance(done.workflowInstanceId, [done]);
    } catch (err) {
      this.engine.log.warn({ err, workflowId: done.workflowInstanceId }, 'decide after an event action failed; the sweeper will retry');
    }
  }
}

/** Conductor's expandInlineJSON: string values holding a JSON object or array are read as JSON. */
function expandInlineJson(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = v.trim();
    if ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']'))) {
      try {
        return expandInlineJson(JSON.parse(s) as unknown);
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) return v.map(expandInlineJson);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandInlineJson(x)]));
  return v;
}
