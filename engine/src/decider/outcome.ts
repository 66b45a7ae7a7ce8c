import type { DeciderMeta, JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import type { CloseTask } from './context';

/**
 * What one decision changes, as the decider states it; the runtime commits it through the store
 * (Store.commitDecision), fenced by the workflow's revision. Only what changed is in it: the
 * steps it touched, never the whole state, so its size and the cost of writing it follow the
 * change, not the workflow (docs/architecture.md, "Bounded decisions").
 */
export interface Decision {
  workflowId: string;
  /** Fields of the workflow record that change. */
  workflow: Partial<Pick<WorkflowRecord, WorkflowField>>;
  /** Steps whose latest attempt changed (`set`), and steps forgotten (`unset`: a loop's last iteration). */
  steps: { set: Record<string, StepState>; unset: string[] };
  /** The decider's counters and leftovers, written whole (they are small). */
  meta: DeciderMeta;
  newTasks: TaskRecord[];
  /** Terminal results this decision folded in; marked applied after the workflow commit. */
  appliedTaskIds: string[];
  /** Open tasks to close (workflow ended, branch cancelled, a JOIN done...), with their new status. */
  closeTasks: CloseTask[];
  /** New outputs of open tasks the decider holds (a DO_WHILE records each iteration). */
  taskOutputs: Array<{ taskId: string; output: JsonObject }>;
  /** Terminal attempts after which their step gave up: marked `exhausted` (poison tasks). */
  exhaustedTaskIds: string[];
  now: number;
}

export type WorkflowField =
  | 'status'
  | 'input'
  | 'correlationId'
  | 'output'
  | 'variables'
  | 'endTime'
  | 'updateTime'
  | 'reasonForIncompletion'
  | 'failedReferenceTaskNames'
  | 'wakeAt'
  | 'lastRetriedTime'
  | 'timeoutAlertedAt';
