import type { Collection, Db } from 'mongodb';
import type { ScheduleExecution } from '../../../domain/reactions';

/**
 * Documents of what reacts to the world (store/reactions-port.ts). User data (event data, signal
 * payloads, inputs, handler and schedule definitions) is stored as JSON text, as elsewhere in this
 * adapter, because user keys may contain '.' or start with '$'.
 */
export interface EventDoc {
  _id: string;
  name: string;
  publishedAt: number;
  status: string;
  leaseUntil: number;
  processedAt: number;
  source: string;
  dataJson: string;
}

export interface EffectDoc {
  /** `${eventId}\u0000${key}`: one document per effect, so `$setOnInsert` keeps the first intent. */
  _id: string;
  eventId: string;
  key: string;
  json: string;
}

export interface HandlerDoc {
  _id: string;
  event: string;
  json: string;
}

export interface WaitDoc {
  _id: string;
  workflowId: string;
  kind: 'event' | 'signal';
  name: string;
  since: number;
}

export interface SignalDoc {
  /** `${workflowId}\u0000${signalId}`: a signal id is stored once per workflow. */
  _id: string;
  workflowId: string;
  signalId: string;
  name: string;
  seq: number;
  receivedAt: number;
  takenBy: string | null;
  consumedAt: number;
  delivered: boolean;
  payloadJson: string;
}

/** A sequence per workflow inbox or per flow-control key. */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export interface ScheduleDoc {
  _id: string;
  workflowName: string;
  paused: boolean;
  nextRunTime: number;
  json: string;
}

export interface ExecutionDoc extends Omit<ScheduleExecution, 'executionId' | 'startWorkflowRequest'> {
  _id: string;
  requestJson: string;
}

export interface FlowWaitingDoc {
  /** `${keyId}\u0000${workflowId}`: a run is queued once per key. */
  _id: string;
  keyId: string;
  workflowId: string;
  seq: number;
  enqueuedAt: number;
}

/** A key's slots: one document per key, so that counting and taking a slot is one conditional write. */
export interface FlowKeyDoc {
  _id: string;
  held: number;
  holders: string[];
}

export interface DebounceDoc {
  _id: string;
  workflowId: string;
  requestJson: string;
  inputJson: string;
  dueAt: number;
  fired: boolean;
}

export interface ReactionCollections {
  events: Collection<EventDoc>;
  effects: Collection<EffectDoc>;
  handlers: Collection<HandlerDoc>;
  waits: Collection<WaitDoc>;
  signals: Collection<SignalDoc>;
  counters: Collection<CounterDoc>;
  schedules: Collection<ScheduleDoc>;
  executions: Collection<ExecutionDoc>;
  flowWaiting: Collection<FlowWaitingDoc>;
  flowKeys: Collection<FlowKeyDoc>;
  debounces: Collection<DebounceDoc>;
}

export function reactionCollections(db: Db): ReactionCollections {
  return {
    events: db.collection<EventDoc>('events'),
    effects: db.collection<EffectDoc>('event_effects'),
    handlers: db.collection<HandlerDoc>('event_handlers'),
    waits: db.collection<WaitDoc>('waits'),
    signals: db.collection<SignalDoc>('signals'),
    counters: db.collection<CounterDoc>('reaction_counters'),
    schedules: db.collection<ScheduleDoc>('schedules'),
    executions: db.collection<ExecutionDoc>('schedule_executions'),
    flowWaiting: db.collection<FlowWaitingDoc>('flow_waiting'),
    flowKeys: db.collection<FlowKeyDoc>('flow_keys'),
    debounces: db.collection<DebounceDoc>('debounces'),
  };
}

/** Indexes, created idempotently at start-up; each serves a named query of this folder. */
export async function ensureReactionIndexes(c: ReactionCollections): Promise<void> {
  await Promise.all([
    c.events.createIndex({ name: 1, publishedAt: -1 }, { name: 'by_name' }),
    c.events.createIndex({ publishedAt: -1 }, { name: 'by_time' }),
    c.events.createIndex({ status: 1, leaseUntil: 1 }, { name: 'pending' }),
    c.effects.createIndex({ eventId: 1, key: 1 }, { name: 'by_event' }),
    c.handlers.createIndex({ event: 1 }, { name: 'by_event' }),
    c.waits.createIndex({ kind: 1, name: 1, _id: 1 }, { name: 'by_name' }),
    c.waits.createIndex({ workflowId: 1, kind: 1, name: 1 }, { name: 'by_workflow' }),
    c.signals.createIndex({ workflowId: 1, seq: 1 }, { name: 'by_seq', unique: true }),
    c.signals.createIndex({ workflowId: 1, name: 1, takenBy: 1, seq: 1 }, { name: 'by_name' }),
    c.signals.createIndex({ delivered: 1, receivedAt: 1 }, { name: 'undelivered' }),
    c.signals.createIndex({ consumedAt: 1 }, { name: 'consumed' }),
    c.schedules.createIndex({ paused: 1, nextRunTime: 1 }, { name: 'due' }),
    c.schedules.createIndex({ workflowName: 1 }, { name: 'by_workflow' }),
    c.executions.createIndex({ scheduledTime: -1 }, { name: 'by_time' }),
    c.executions.createIndex({ scheduleName: 1, scheduledTime: -1 }, { name: 'by_schedule' }),
    c.flowWaiting.createIndex({ keyId: 1, seq: 1 }, { name: 'by_key' }),
    c.flowWaiting.createIndex({ workflowId: 1 }, { name: 'by_run' }),
    c.flowKeys.createIndex({ holders: 1 }, { name: 'by_holder' }),
    c.debounces.createIndex({ dueAt: 1 }, { name: 'due' }),
    c.debounces.createIndex({ fired: 1 }, { name: 'fired' }),
  ]);
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** The next value of a sequence (one atomic $inc, creating the counter on first use). */
export async function nextSeq(c: ReactionCollections, id: string): Promise<number> {
  const doc = await c.counters.findOneAndUpdate({ _id: id }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  return doc?.seq ?? 1;
}
