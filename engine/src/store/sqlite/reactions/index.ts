import type Database from 'better-sqlite3';
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
import { advanceSchedule } from './advance-schedule';
import { appendSignal } from './append-signal';
import { SqliteEvents } from './events';
import { flowAcquire } from './flow-acquire';
import { flowEnqueue } from './flow-enqueue';
import { setHeldInput } from './held-input';
import { leaseEvent } from './lease-event';
import { putEventEffect } from './put-event-effect';
import { takeSignal } from './take-signal';
import { SqliteDebounces } from './debounce';
import { SqliteFlow } from './flow';
import { purgeReactions } from './purge';
import { SqliteSchedules } from './schedules';
import { createReactionsSchema } from './schema';
import { SqliteSignals } from './signals';

/**
 * The SQLite side of store/reactions-port.ts; SqliteStore delegates to it. Each operation that
 * reads before it writes (or writes under a condition) has a file of its own saying why it is
 * atomic; single-statement reads and writes are grouped per record kind (events.ts, signals.ts,
 * schedules.ts, flow.ts). One engine process owns the file and better-sqlite3 runs each call
 * synchronously, so a transaction is atomic with respect to every other request.
 */
export class SqliteReactionsStore implements ReactionsStore {
  private readonly events: SqliteEvents;
  private readonly signals: SqliteSignals;
  private readonly schedules: SqliteSchedules;
  private readonly flow: SqliteFlow;
  private readonly debounces: SqliteDebounces;

  constructor(private readonly db: Database.Database) {
    createReactionsSchema(db);
    this.events = new SqliteEvents(db);
    this.signals = new SqliteSignals(db);
    this.schedules = new SqliteSchedules(db);
    this.flow = new SqliteFlow(db);
    this.debounces = new SqliteDebounces(db);
  }

  async purgeReactions(before: number, limit: number): Promise<number> {
    return purgeReactions(this.db, before, limit);
  }

  async insertEvent(e: EventRecord): Promise<boolean> {
    return this.events.insertEvent(e);
  }
  async getEvent(id: string): Promise<EventRecord | null> {
    return this.events.getEvent(id);
  }
  async listEvents(name: string | null, limit: number): Promise<EventRecord[]> {
    return this.events.listEvents(name, limit);
  }
  async eventsSince(name: string, since: number, limit: number): Promise<EventRecord[]> {
    return this.events.eventsSince(name, since, limit);
  }
  async dueEvents(now: number, limit: number): Promise<EventRecord[]> {
    return this.events.dueEvents(now, limit);
  }
  async leaseEvent(id: string, expected: number, leaseUntil: number): Promise<boolean> {
    return leaseEvent(this.db, id, expected, leaseUntil);
  }
  async finishEvent(id: string, now: number): Promise<void> {
    this.events.finishEvent(id, now);
  }
  async putEventEffect(effect: EventEffect, ifAbsent: boolean): Promise<EventEffect> {
    return putEventEffect(this.db, effect, ifAbsent);
  }
  async eventEffects(ids: readonly string[]): Promise<EventEffect[]> {
    return this.events.eventEffects(ids);
  }
  async putEventHandler(h: EventHandlerRecord, mode: 'create' | 'update'): Promise<boolean> {
    return this.events.putEventHandler(h, mode);
  }
  async deleteEventHandler(name: string): Promise<boolean> {
    return this.events.deleteEventHandler(name);
  }
  async listEventHandlers(event: string | null): Promise<EventHandlerRecord[]> {
    return this.events.listEventHandlers(event);
  }
  async putWait(w: WaitRecord): Promise<void> {
    this.events.putWait(w);
  }
  async deleteWait(taskId: string): Promise<void> {
    this.events.deleteWait(taskId);
  }
  async eventWaits(name: string, after: string, limit: number): Promise<WaitRecord[]> {
    return this.events.eventWaits(name, after, limit);
  }
  async signalWaits(workflowId: string, name: string): Promise<WaitRecord[]> {
    return this.events.signalWaits(workflowId, name);
  }

  async appendSignal(s: Omit<SignalRecord, 'seq'>): Promise<{ signal: SignalRecord; created: boolean }> {
    return appendSignal(this.db, s);
  }
  async takeSignal(workflowId: string, name: string, taskId: string): Promise<SignalRecord | null> {
    return takeSignal(this.db, workflowId, name, taskId);
  }
  async releaseSignal(signalId: string, workflowId: string, taskId: string): Promise<boolean> {
    return this.signals.releaseSignal(signalId, workflowId, taskId);
  }
  async consumeSignal(signalId: string, workflowId: string, taskId: string, now: number): Promise<void> {
    this.signals.consumeSignal(signalId, workflowId, taskId, now);
  }
  async markSignalDelivered(signalId: string, workflowId: string): Promise<void> {
    this.signals.markSignalDelivered(signalId, workflowId);
  }
  async takenSignals(workflowId: string, name: string): Promise<SignalRecord[]> {
    return this.signals.takenSignals(workflowId, name);
  }
  async listSignals(workflowId: string, limit: number): Promise<SignalRecord[]> {
    return this.signals.listSignals(workflowId, limit);
  }
  async undeliveredSignals(before: number, limit: number): Promise<SignalRecord[]> {
    return this.signals.undeliveredSignals(before, limit);
  }

  async putSchedule(s: ScheduleRecord): Promise<void> {
    this.schedules.putSchedule(s);
  }
  async getSchedule(name: string): Promise<ScheduleRecord | null> {
    return this.schedules.getSchedule(name);
  }
  async listSchedules(workflowName: string | null): Promise<ScheduleRecord[]> {
    return this.schedules.listSchedules(workflowName);
  }
  async deleteSchedule(name: string): Promise<boolean> {
    return this.schedules.deleteSchedule(name);
  }
  async dueSchedules(now: number, limit: number): Promise<ScheduleRecord[]> {
    return this.schedules.dueSchedules(now, limit);
  }
  async advanceSchedule(name: string, expected: number, next: number): Promise<boolean> {
    return advanceSchedule(this.db, name, expected, next);
  }
  async setSchedulePaused(name: string, paused: boolean, reason: string | null, next: number, now: number): Promise<boolean> {
    return this.schedules.setSchedulePaused(name, paused, reason, next, now);
  }
  async putScheduleExecution(x: ScheduleExecution): Promise<void> {
    this.schedules.putScheduleExecution(x);
  }
  async searchScheduleExecutions(f: ScheduleExecutionFilter): Promise<{ totalHits: number; results: ScheduleExecution[] }> {
    return this.schedules.searchScheduleExecutions(f);
  }

  async flowEnqueue(keyId: string, workflowId: string, now: number): Promise<FlowWaiting> {
    return flowEnqueue(this.db, keyId, workflowId, now);
  }
  async flowDequeue(keyId: string, workflowId: string): Promise<void> {
    this.flow.flowDequeue(keyId, workflowId);
  }
  async flowQueue(keyId: string, limit: number): Promise<FlowWaiting[]> {
    return this.flow.flowQueue(keyId, limit);
  }
  async flowQueuePosition(keyId: string, seq: number): Promise<{ ahead: number; total: number }> {
    return this.flow.flowQueuePosition(keyId, seq);
  }
  async flowKeysWaiting(after: string, limit: number): Promise<string[]> {
    return this.flow.flowKeysWaiting(after, limit);
  }
  async flowWaitsOf(workflowId: string): Promise<FlowWaiting[]> {
    return this.flow.flowWaitsOf(workflowId);
  }
  async flowAcquire(keyId: string, workflowId: string, limit: number): Promise<boolean> {
    return flowAcquire(this.db, keyId, workflowId, limit);
  }
  async flowRelease(keyId: string, workflowId: string): Promise<void> {
    this.flow.flowRelease(keyId, workflowId);
  }
  async flowHolders(keyId: string): Promise<string[]> {
    return this.flow.flowHolders(keyId);
  }
  async flowHeldBy(workflowId: string): Promise<string[]> {
    return this.flow.flowHeldBy(workflowId);
  }
  async setHeldInput(workflowId: string, input: DebounceRecord['input'], now: number): Promise<boolean> {
    return setHeldInput(this.db, workflowId, input, now);
  }
  async debounceFold(keyId: string, input: DebounceRecord['input'], dueAt: number, now: number): Promise<DebounceRecord | null> {
    return this.debounces.fold(keyId, input, dueAt, now);
  }
  async debounceOpen(d: DebounceRecord): Promise<boolean> {
    return this.debounces.open(d);
  }
  async debounceFire(keyId: string, workflowId: string, now: number): Promise<DebounceRecord | null> {
    return this.debounces.fire(keyId, workflowId, now);
  }
  async debounceClose(keyId: string, workflowId: string): Promise<void> {
    this.debounces.close(keyId, workflowId);
  }
  async getDebounce(keyId: string): Promise<DebounceRecord | null> {
    return this.debounces.get(keyId);
  }
  async dueDebounces(now: number, limit: number): Promise<DebounceRecord[]> {
    return this.debounces.due(now, limit);
  }
}
