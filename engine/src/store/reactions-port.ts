import type {
  DebounceRecord,
  EffectStatus,
  EventEffect,
  EventHandlerRecord,
  EventRecord,
  FlowWaiting,
  ScheduleExecution,
  ScheduleRecord,
  SignalRecord,
  WaitRecord,
} from '../domain/reactions';

/**
 * The storage port's part for what reacts to the world (docs/events.md, docs/flow-control.md):
 * events, handlers, waits, signals, schedules and per-key flow control. Each method is one atomic
 * step (or a read), with single-document atomicity on MongoDB; each adapter keeps each write in
 * its own file under store/<adapter>/reactions/, saying what is atomic and why.
 */
export interface ReactionsStore extends EventStore, SignalStore, ScheduleStore, FlowStore {
  /** Deletes processed events (and their effects), consumed signals and schedule executions older than `before`. */
  purgeReactions(before: number, limit: number): Promise<number>;
}

export interface EventStore {
  /** Stores a new event; false, changing nothing, when an event with its id exists. */
  insertEvent(event: EventRecord): Promise<boolean>;
  getEvent(eventId: string): Promise<EventRecord | null>;
  /** Newest first; of one name, or of every name. */
  listEvents(name: string | null, limit: number): Promise<EventRecord[]>;
  /** Events of a name published at or after `since`, oldest first (a new waiter's catch-up). */
  eventsSince(name: string, since: number, limit: number): Promise<EventRecord[]>;
  /** PENDING events whose lease lapsed by `now`: published but not (fully) acted on. */
  dueEvents(now: number, limit: number): Promise<EventRecord[]>;
  /**
   * Takes a PENDING event for processing: moves its lease from `expectedLeaseUntil` to
   * `leaseUntil`. False when another engine took it first or it was processed.
   */
  leaseEvent(eventId: string, expectedLeaseUntil: number, leaseUntil: number): Promise<boolean>;
  /** Marks an event PROCESSED. */
  finishEvent(eventId: string, now: number): Promise<void>;
  /**
   * Records an effect of an event. `ifAbsent`: only when the event has no effect of that key yet,
   * answering the one stored (a PENDING intent written first wins, so redos act on its target).
   * Otherwise it replaces the stored effect. Answers the effect as stored.
   */
  putEventEffect(effect: EventEffect, ifAbsent: boolean): Promise<EventEffect>;
  eventEffects(eventIds: readonly string[]): Promise<EventEffect[]>;

  /** Adds (`create`: false when the name exists) or replaces (`update`: false when it does not) a handler. */
  putEventHandler(handler: EventHandlerRecord, mode: 'create' | 'update'): Promise<boolean>;
  deleteEventHandler(name: string): Promise<boolean>;
  /** Every handler, or those of one event (`conductor:<name>`), by name. */
  listEventHandlers(event: string | null): Promise<EventHandlerRecord[]>;

  /** Registers a waiting step (idempotent: the same task id replaces its own registration). */
  putWait(wait: WaitRecord): Promise<void>;
  deleteWait(taskId: string): Promise<void>;
  /** Steps waiting for events of a name, by task id, after `afterTaskId` (paging). */
  eventWaits(name: string, afterTaskId: string, limit: number): Promise<WaitRecord[]>;
  /** Steps of one workflow waiting for signals of a name. */
  signalWaits(workflowId: string, name: string): Promise<WaitRecord[]>;
}

export interface SignalStore {
  /**
   * Appends a signal to its workflow's inbox with the next seq. Idempotent on `signalId`: a signal
   * with that id already in the inbox is answered as stored, and nothing changes.
   */
  appendSignal(signal: Omit<SignalRecord, 'seq'>): Promise<{ signal: SignalRecord; created: boolean }>;
  /**
   * The signal a WAIT_FOR_SIGNAL attempt takes: the one it took and has not consumed (a redo; a
   * restarted run's attempt, which has the same id, does not get its predecessor's), else the oldest
   * of the name that no attempt took, now marked as taken by `taskId`. Null when there is none.
   */
  takeSignal(workflowId: string, name: string, taskId: string): Promise<SignalRecord | null>;
  /** Gives a taken signal back to the inbox (its attempt ended without it), if `taskId` still holds it. */
  releaseSignal(signalId: string, workflowId: string, taskId: string): Promise<boolean>;
  /** Records that the attempt holding it completed with it. */
  consumeSignal(signalId: string, workflowId: string, taskId: string, now: number): Promise<void>;
  /** Marks a signal as looked at by the delivery path. */
  markSignalDelivered(signalId: string, workflowId: string): Promise<void>;
  /** Signals taken by an attempt but not consumed, of one workflow and name (repair after a crash). */
  takenSignals(workflowId: string, name: string): Promise<SignalRecord[]>;
  /** A workflow's inbox, in order. */
  listSignals(workflowId: string, limit: number): Promise<SignalRecord[]>;
  /** Signals not delivered yet that arrived before `before` (the sweeper's safety net after a crash). */
  undeliveredSignals(before: number, limit: number): Promise<SignalRecord[]>;
}

export interface ScheduleStore {
  /** Creates or replaces a schedule (by name). */
  putSchedule(schedule: ScheduleRecord): Promise<void>;
  getSchedule(name: string): Promise<ScheduleRecord | null>;
  listSchedules(workflowName: string | null): Promise<ScheduleRecord[]>;
  deleteSchedule(name: string): Promise<boolean>;
  /** Schedules not paused whose nextRunTime is due (0 means none). */
  dueSchedules(now: number, limit: number): Promise<ScheduleRecord[]>;
  /**
   * Moves a schedule's next due time from `expected` to `next`: the compare-and-set that makes each
   * due time fire once across engines. False when another engine (or an update) moved it first.
   */
  advanceSchedule(name: string, expected: number, next: number): Promise<boolean>;
  /** Pauses or resumes a schedule, setting its next due time; false when there is no such schedule. */
  setSchedulePaused(name: string, paused: boolean, reason: string | null, nextRunTime: number, now: number): Promise<boolean>;
  /** Creates or replaces an execution record (by executionId). */
  putScheduleExecution(execution: ScheduleExecution): Promise<void>;
  searchScheduleExecutions(filter: ScheduleExecutionFilter): Promise<{ totalHits: number; results: ScheduleExecution[] }>;
}

export interface ScheduleExecutionFilter {
  scheduleNames?: string[];
  workflowNames?: string[];
  states?: string[];
  /** scheduledTime bounds, inclusive. */
  from?: number;
  to?: number;
  start: number;
  size: number;
  /** By scheduledTime; newest first unless false. */
  desc?: boolean;
}

export interface FlowStore {
  /** Puts a run at the end of a key's queue (idempotent: a run already queued keeps its place). */
  flowEnqueue(keyId: string, workflowId: string, now: number): Promise<FlowWaiting>;
  flowDequeue(keyId: string, workflowId: string): Promise<void>;
  /** The first `limit` runs in a key's queue, in order. */
  flowQueue(keyId: string, limit: number): Promise<FlowWaiting[]>;
  /** How many runs wait in a key's queue before the one at `seq` (its position, from 0), and in all. */
  flowQueuePosition(keyId: string, seq: number): Promise<{ ahead: number; total: number }>;
  /** Keys with runs waiting, by key id, after `afterKeyId`: the fair pump walks keys, not runs. */
  flowKeysWaiting(afterKeyId: string, limit: number): Promise<string[]>;
  /** The queues a run waits in. */
  flowWaitsOf(workflowId: string): Promise<FlowWaiting[]>;
  /**
   * Takes one of a key's `limit` slots for a run, if one is free: true when it holds one (it may
   * have held it already: idempotent). Atomic per key.
   */
  flowAcquire(keyId: string, workflowId: string, limit: number): Promise<boolean>;
  /** Gives a run's slot back (idempotent). */
  flowRelease(keyId: string, workflowId: string): Promise<void>;
  flowHolders(keyId: string): Promise<string[]>;
  /** Keys a run holds slots of. */
  flowHeldBy(workflowId: string): Promise<string[]>;

  /**
   * Replaces the input of a run that flow control still holds (a debounced start folded in),
   * only while it is held (flowWait set): a run already let in keeps its input. False otherwise.
   */
  setHeldInput(workflowId: string, input: DebounceRecord['input'], now: number): Promise<boolean>;

  /** Folds a start into a debounce that is still open (due after `now`): new input, due again at `dueAt`. */
  debounceFold(keyId: string, input: DebounceRecord['input'], dueAt: number, now: number): Promise<DebounceRecord | null>;
  /** Opens a debounce; false when the key has one (open, due or firing). */
  debounceOpen(record: DebounceRecord): Promise<boolean>;
  /** Marks a due debounce as firing (its run is being released); answers it, also when already firing. */
  debounceFire(keyId: string, workflowId: string, now: number): Promise<DebounceRecord | null>;
  /** Deletes a fired debounce (the run was released). */
  debounceClose(keyId: string, workflowId: string): Promise<void>;
  getDebounce(keyId: string): Promise<DebounceRecord | null>;
  /** Debounces due by `now` or left firing by a crash. */
  dueDebounces(now: number, limit: number): Promise<DebounceRecord[]>;
}

export type { EffectStatus };

/** Every method of ReactionsStore, checked by the compiler against the interface (no more, no fewer). */
const reactionsMethods = {
  purgeReactions: true,
  insertEvent: true,
  getEvent: true,
  listEvents: true,
  eventsSince: true,
  dueEvents: true,
  leaseEvent: true,
  finishEvent: true,
  putEventEffect: true,
  eventEffects: true,
  putEventHandler: true,
  deleteEventHandler: true,
  listEventHandlers: true,
  putWait: true,
  deleteWait: true,
  eventWaits: true,
  signalWaits: true,
  appendSignal: true,
  takeSignal: true,
  releaseSignal: true,
  consumeSignal: true,
  markSignalDelivered: true,
  takenSignals: true,
  listSignals: true,
  undeliveredSignals: true,
  putSchedule: true,
  getSchedule: true,
  listSchedules: true,
  deleteSchedule: true,
  dueSchedules: true,
  advanceSchedule: true,
  setSchedulePaused: true,
  putScheduleExecution: true,
  searchScheduleExecutions: true,
  flowEnqueue: true,
  flowDequeue: true,
  flowQueue: true,
  flowQueuePosition: true,
  flowKeysWaiting: true,
  flowWaitsOf: true,
  flowAcquire: true,
  flowRelease: true,
  flowHolders: true,
  flowHeldBy: true,
  setHeldInput: true,
  debounceFold: true,
  debounceOpen: true,
  debounceFire: true,
  debounceClose: true,
  getDebounce: true,
  dueDebounces: true,
} as const satisfies Record<keyof ReactionsStore, true>;

/**
 * Gives an adapter class the ReactionsStore methods by delegating each to the object `impl`
 * answers for an instance (its store/<adapter>/reactions/ part), so the adapter's own file stays
 * about its own operations. The class declares `interface X extends ReactionsStore {}` beside it.
 */
export function delegateReactions<T extends object>(proto: T, impl: (self: T) => ReactionsStore): void {
  for (const name of Object.keys(reactionsMethods) as Array<keyof ReactionsStore>) {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: T, ...args: unknown[]): unknown {
        const target = impl(this);
        return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
  }
}
