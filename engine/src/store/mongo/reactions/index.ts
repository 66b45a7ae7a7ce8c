import type { Collection, Db } from 'mongodb';
import type {
  DebounceRecord,
  EventEffect,
  EventHandlerRecord,
  EventRecord,
  FlowWaiting,
  ScheduleExecution,
  ScheduleRecord,
  SignalRecord,
  WaitRecord,
} from '../../../domain/reactions';
import type { ReactionsStore, ScheduleExecutionFilter } from '../../reactions-port';
import type { WorkflowDoc } from '../codec';
import { guard } from '../errors';
import { advanceSchedule } from './advance-schedule';
import { appendSignal } from './append-signal';
import { ensureReactionIndexes, reactionCollections, type ReactionCollections } from './collections';
import { debounceClose, debounceFire, debounceFold, debounceOpen, dueDebounces, getDebounce } from './debounce';
import * as ev from './events';
import { flowAcquire, flowHeldBy, flowHolders, flowRelease } from './flow-slots';
import { flowDequeue, flowEnqueue, flowKeysWaiting, flowQueue, flowQueuePosition, flowWaitsOf } from './flow-queue';
import { setHeldInput } from './held-input';
import { leaseEvent } from './lease-event';
import { purgeReactions } from './purge';
import { putEventEffect } from './put-event-effect';
import * as sc from './schedules';
import * as sg from './signals';
import { takeSignal } from './take-signal';

/**
 * The MongoDB side of store/reactions-port.ts; MongoStore delegates to it. Every call goes through
 * `guard` (errors.ts): transient database errors become 503 retryable, and reads and writes that
 * are safe to repeat (idempotent by _id or fenced) are retried once.
 */
export class MongoReactionsStore implements ReactionsStore {
  private readonly c: ReactionCollections;

  constructor(
    db: Db,
    private readonly workflows: Collection<WorkflowDoc>,
  ) {
    this.c = reactionCollections(db);
  }

  init(): Promise<void> {
    return ensureReactionIndexes(this.c);
  }

  purgeReactions(before: number, limit: number): Promise<number> {
    return guard('purgeReactions', () => purgeReactions(this.c, before, limit), true);
  }

  insertEvent(e: EventRecord): Promise<boolean> {
    return guard('insertEvent', () => ev.insertEvent(this.c, e), false);
  }
  getEvent(id: string): Promise<EventRecord | null> {
    return guard('getEvent', () => ev.getEvent(this.c, id), true);
  }
  listEvents(name: string | null, limit: number): Promise<EventRecord[]> {
    return guard('listEvents', () => ev.listEvents(this.c, name, limit), true);
  }
  eventsSince(name: string, since: number, limit: number): Promise<EventRecord[]> {
    return guard('eventsSince', () => ev.eventsSince(this.c, name, since, limit), true);
  }
  dueEvents(now: number, limit: number): Promise<EventRecord[]> {
    return guard('dueEvents', () => ev.dueEvents(this.c, now, limit), true);
  }
  leaseEvent(id: string, expected: number, leaseUntil: number): Promise<boolean> {
    return guard('leaseEvent', () => leaseEvent(this.c, id, expected, leaseUntil), false);
  }
  finishEvent(id: string, now: number): Promise<void> {
    return guard('finishEvent', () => ev.finishEvent(this.c, id, now), true);
  }
  putEventEffect(effect: EventEffect, ifAbsent: boolean): Promise<EventEffect> {
    return guard('putEventEffect', () => putEventEffect(this.c, effect, ifAbsent), true);
  }
  eventEffects(ids: readonly string[]): Promise<EventEffect[]> {
    return guard('eventEffects', () => ev.eventEffects(this.c, ids), true);
  }
  putEventHandler(h: EventHandlerRecord, mode: 'create' | 'update'): Promise<boolean> {
    return guard('putEventHandler', () => ev.putEventHandler(this.c, h, mode), false);
  }
  deleteEventHandler(name: string): Promise<boolean> {
    return guard('deleteEventHandler', () => ev.deleteEventHandler(this.c, name), false);
  }
  listEventHandlers(event: string | null): Promise<EventHandlerRecord[]> {
    return guard('listEventHandlers', () => ev.listEventHandlers(this.c, event), true);
  }
  putWait(w: WaitRecord): Promise<void> {
    return guard('putWait', () => ev.putWait(this.c, w), true);
  }
  deleteWait(taskId: string): Promise<void> {
    return guard('deleteWait', () => ev.deleteWait(this.c, taskId), true);
  }
  eventWaits(name: string, after: string, limit: number): Promise<WaitRecord[]> {
    return guard('eventWaits', () => ev.eventWaits(this.c, name, after, limit), true);
  }
  signalWaits(workflowId: string, name: string): Promise<WaitRecord[]> {
    return guard('signalWaits', () => ev.signalWaits(this.c, workflowId, name), true);
  }

  appendSignal(s: Omit<SignalRecord, 'seq'>): Promise<{ signal: SignalRecord; created: boolean }> {
    // Safe to repeat: the signal's _id makes a second insert a read of the first.
    return guard('appendSignal', () => appendSignal(this.c, s), true);
  }
  takeSignal(workflowId: string, name: string, taskId: string): Promise<SignalRecord | null> {
    // Safe to repeat: a repeat finds the signal this attempt took.
    return guard('takeSignal', () => takeSignal(this.c, workflowId, name, taskId), true);
  }
  releaseSignal(signalId: string, workflowId: string, taskId: string): Promise<boolean> {
    return guard('releaseSignal', () => sg.releaseSignal(this.c, signalId, workflowId, taskId), false);
  }
  consumeSignal(signalId: string, workflowId: string, taskId: string, now: number): Promise<void> {
    return guard('consumeSignal', () => sg.consumeSignal(this.c, signalId, workflowId, taskId, now), true);
  }
  markSignalDelivered(signalId: string, workflowId: string): Promise<void> {
    return guard('markSignalDelivered', () => sg.markSignalDelivered(this.c, signalId, workflowId), true);
  }
  takenSignals(workflowId: string, name: string): Promise<SignalRecord[]> {
    return guard('takenSignals', () => sg.takenSignals(this.c, workflowId, name), true);
  }
  listSignals(workflowId: string, limit: number): Promise<SignalRecord[]> {
    return guard('listSignals', () => sg.listSignals(this.c, workflowId, limit), true);
  }
  undeliveredSignals(before: number, limit: number): Promise<SignalRecord[]> {
    return guard('undeliveredSignals', () => sg.undeliveredSignals(this.c, before, limit), true);
  }

  putSchedule(s: ScheduleRecord): Promise<void> {
    return guard('putSchedule', () => sc.putSchedule(this.c, s), true);
  }
  getSchedule(name: string): Promise<ScheduleRecord | null> {
    return guard('getSchedule', () => sc.getSchedule(this.c, name), true);
  }
  listSchedules(workflowName: string | null): Promise<ScheduleRecord[]> {
    return guard('listSchedules', () => sc.listSchedules(this.c, workflowName), true);
  }
  deleteSchedule(name: string): Promise<boolean> {
    return guard('deleteSchedule', () => sc.deleteSchedule(this.c, name), false);
  }
  dueSchedules(now: number, limit: number): Promise<ScheduleRecord[]> {
    return guard('dueSchedules', () => sc.dueSchedules(this.c, now, limit), true);
  }
  advanceSchedule(name: string, expected: number, next: number): Promise<boolean> {
    return guard('advanceSchedule', () => advanceSchedule(this.c, name, expected, next), false);
  }
  setSchedulePaused(name: string, paused: boolean, reason: string | null, next: number, now: number): Promise<boolean> {
    return guard('setSchedulePaused', () => sc.setSchedulePaused(this.c, name, paused, reason, next, now), true);
  }
  putScheduleExecution(x: ScheduleExecution): Promise<void> {
    return guard('putScheduleExecution', () => sc.putScheduleExecution(this.c, x), true);
  }
  searchScheduleExecutions(f: ScheduleExecutionFilter): Promise<{ totalHits: number; results: ScheduleExecution[] }> {
    return guard('searchScheduleExecutions', () => sc.searchScheduleExecutions(this.c, f), true);
  }

  flowEnqueue(keyId: string, workflowId: string, now: number): Promise<FlowWaiting> {
    return guard('flowEnqueue', () => flowEnqueue(this.c, keyId, workflowId, now), true);
  }
  flowDequeue(keyId: string, workflowId: string): Promise<void> {
    return guard('flowDequeue', () => flowDequeue(this.c, keyId, workflowId), true);
  }
  flowQueue(keyId: string, limit: number): Promise<FlowWaiting[]> {
    return guard('flowQueue', () => flowQueue(this.c, keyId, limit), true);
  }
  flowQueuePosition(keyId: string, seq: number): Promise<{ ahead: number; total: number }> {
    return guard('flowQueuePosition', () => flowQueuePosition(this.c, keyId, seq), true);
  }
  flowKeysWaiting(after: string, limit: number): Promise<string[]> {
    return guard('flowKeysWaiting', () => flowKeysWaiting(this.c, after, limit), true);
  }
  flowWaitsOf(workflowId: string): Promise<FlowWaiting[]> {
    return guard('flowWaitsOf', () => flowWaitsOf(this.c, workflowId), true);
  }
  flowAcquire(keyId: string, workflowId: string, limit: number): Promise<boolean> {
    // Safe to repeat: a run that holds a slot is answered true.
    return guard('flowAcquire', () => flowAcquire(this.c, keyId, workflowId, limit), true);
  }
  flowRelease(keyId: string, workflowId: string): Promise<void> {
    return guard('flowRelease', () => flowRelease(this.c, keyId, workflowId), true);
  }
  flowHolders(keyId: string): Promise<string[]> {
    return guard('flowHolders', () => flowHolders(this.c, keyId), true);
  }
  flowHeldBy(workflowId: string): Promise<string[]> {
    return guard('flowHeldBy', () => flowHeldBy(this.c, workflowId), true);
  }
  setHeldInput(workflowId: string, input: DebounceRecord['input'], now: number): Promise<boolean> {
    return guard('setHeldInput', () => setHeldInput(this.workflows, workflowId, input, now), true);
  }
  debounceFold(keyId: string, input: DebounceRecord['input'], dueAt: number, now: number): Promise<DebounceRecord | null> {
    return guard('debounceFold', () => debounceFold(this.c, keyId, input, dueAt, now), false);
  }
  debounceOpen(d: DebounceRecord): Promise<boolean> {
    return guard('debounceOpen', () => debounceOpen(this.c, d), false);
  }
  debounceFire(keyId: string, workflowId: string, now: number): Promise<DebounceRecord | null> {
    return guard('debounceFire', () => debounceFire(this.c, keyId, workflowId, now), true);
  }
  debounceClose(keyId: string, workflowId: string): Promise<void> {
    return guard('debounceClose', () => debounceClose(this.c, keyId, workflowId), true);
  }
  getDebounce(keyId: string): Promise<DebounceRecord | null> {
    return guard('getDebounce', () => getDebounce(this.c, keyId), true);
  }
  dueDebounces(now: number, limit: number): Promise<DebounceRecord[]> {
    return guard('dueDebounces', () => dueDebounces(this.c, now, limit), true);
  }
}
