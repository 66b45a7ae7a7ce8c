import type { JsonObject } from './records';

/**
 * Records of the parts of Baton that react to the world (docs/events.md): events and what they
 * did, event handlers, waits registered by WAIT_FOR_EVENT and WAIT_FOR_SIGNAL steps, workflow
 * signal inboxes, schedules and their executions, and per-key flow control of runs.
 */

/** An event published over REST (`POST /api/events`), by an EVENT task, or replayed. */
export interface EventRecord {
  eventId: string;
  /** Its name: what handlers (`event: "conductor:<name>"`) and WAIT_FOR_EVENT steps listen for. */
  name: string;
  /** The payload; to a handler, `${x}` reads `data.x` (Conductor's message payload). */
  data: unknown;
  publishedAt: number;
  /** 'api', 'task:<taskId>' (an EVENT task) or 'replay:<eventId>'. */
  source: string;
  /** PENDING until its handlers and waiters were acted on; PROCESSED after. */
  status: EventStatus;
  /** While PENDING: until when the engine processing it holds it (another engine takes over after). */
  leaseUntil: number;
  processedAt: number;
}

export const EventStatus = { PENDING: 'PENDING', PROCESSED: 'PROCESSED' } as const;
export type EventStatus = (typeof EventStatus)[keyof typeof EventStatus];

/**
 * One thing an event did (or was about to do), keyed within the event: `<handler>#<action index>`
 * for a handler's action, `<handler>#condition` for a condition that did not hold or failed,
 * `resume:<taskId>` for a WAIT_FOR_EVENT step it completed. A PENDING effect names its target
 * before acting, so that a redo after a crash acts on the same target, once.
 */
export interface EventEffect {
  eventId: string;
  key: string;
  kind: 'action' | 'condition' | 'resume';
  handler: string | null;
  action: string | null;
  status: EffectStatus;
  workflowId: string | null;
  taskId: string | null;
  error: string | null;
  at: number;
}

export const EffectStatus = { PENDING: 'PENDING', DONE: 'DONE', FAILED: 'FAILED', SKIPPED: 'SKIPPED' } as const;
export type EffectStatus = (typeof EffectStatus)[keyof typeof EffectStatus];

/** Conductor's EventHandler (`/api/event`). */
export interface EventHandlerRecord {
  name: string;
  /** `conductor:<event name>`. */
  event: string;
  /** A JavaScript expression over `$` (the event's data) and `event`; the actions run when it is truthy. */
  condition?: string;
  evaluatorType?: string;
  actions: EventAction[];
  active: boolean;
}

export const ActionType = {
  START_WORKFLOW: 'start_workflow',
  COMPLETE_TASK: 'complete_task',
  FAIL_TASK: 'fail_task',
  TERMINATE_WORKFLOW: 'terminate_workflow',
  UPDATE_WORKFLOW_VARIABLES: 'update_workflow_variables',
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

/** Conductor's Action: one kind, with its parameters under the field of the same name. */
export interface EventAction {
  action: ActionType;
  start_workflow?: {
    name: string;
    version?: number;
    correlationId?: string;
    input?: JsonObject;
    priority?: number;
    idempotencyKey?: string;
    idempotencyStrategy?: string;
  };
  complete_task?: TaskDetails;
  fail_task?: TaskDetails;
  terminate_workflow?: { workflowId: string; terminationReason?: string };
  update_workflow_variables?: { workflowId: string; variables: JsonObject };
  expandInlineJSON?: boolean;
}

export interface TaskDetails {
  workflowId?: string;
  taskRefName?: string;
  taskId?: string;
  output?: JsonObject;
  reasonForIncompletion?: string;
}

/**
 * A step waiting for an event or a signal, registered by the engine when the step starts
 * (runtime/reactions/waits.ts), so that an arriving event or signal finds its waiters by name.
 */
export interface WaitRecord {
  taskId: string;
  workflowId: string;
  kind: 'event' | 'signal';
  name: string;
  /** The step's start: a WAIT_FOR_EVENT matches events published from then on. */
  since: number;
}

/** One signal in a workflow's inbox (`POST /api/workflow/{id}/signal/{name}`). */
export interface SignalRecord {
  signalId: string;
  workflowId: string;
  name: string;
  payload: unknown;
  /** Order of arrival in the workflow's inbox, from 1. */
  seq: number;
  receivedAt: number;
  /** The WAIT_FOR_SIGNAL attempt that took it (or is taking it); null while it waits in the inbox. */
  takenBy: string | null;
  /** When the attempt that took it completed with it; 0 until then. */
  consumedAt: number;
  /** False until the engine looked for a step waiting for it (after a crash, the sweeper does). */
  delivered: boolean;
}

/** Conductor's WorkflowSchedule, as stored, with the next due time the scheduler will fire. */
export interface ScheduleRecord {
  name: string;
  cronExpression: string;
  zoneId: string;
  startWorkflowRequest: JsonObject & { name: string };
  paused: boolean;
  pausedReason?: string;
  runCatchupScheduleInstances: boolean;
  scheduleStartTime?: number;
  scheduleEndTime?: number;
  description?: string;
  createTime: number;
  updatedTime: number;
  createdBy?: string;
  updatedBy?: string;
  /** The next due time not fired yet (0: none left). Advanced by a compare-and-set after each fire. */
  nextRunTime: number;
}

/** Conductor's WorkflowScheduleExecutionModel: one due time of a schedule and what came of it. */
export interface ScheduleExecution {
  executionId: string;
  scheduleName: string;
  scheduledTime: number;
  executionTime: number;
  workflowName: string;
  workflowId: string | null;
  reason: string | null;
  state: 'POLLED' | 'FAILED' | 'EXECUTED';
  startWorkflowRequest: JsonObject;
  zoneId: string;
}

/** A run waiting in a flow-control key's queue (FIFO by seq). */
export interface FlowWaiting {
  keyId: string;
  workflowId: string;
  seq: number;
  enqueuedAt: number;
}

/** A key's slots: the runs holding one (concurrency). */
export interface FlowKeyState {
  keyId: string;
  holders: string[];
}

/** A debounced start: the run it will become and the latest input, due when starts stop coming. */
export interface DebounceRecord {
  keyId: string;
  workflowId: string;
  /** What the run is started with when it does not exist yet (a crash came between the two writes). */
  request: { name: string; version?: number; correlationId: string | null; priority: number };
  input: JsonObject;
  dueAt: number;
  /** Set when its period passed and the run is being released; a start then begins a new one. */
  fired: boolean;
}
