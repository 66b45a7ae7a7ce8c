import { randomUUID } from 'node:crypto';
import { EffectStatus, EventStatus, type EventEffect, type EventRecord } from '../../../domain/reactions';
import type { TaskRecord } from '../../../domain/records';
import { NotFoundError, ValidationError } from '../../../errors';
import type { Engine } from '../../engine';
import { payloadError } from '../../payload-limits';
import { holds } from '../scripts';
import { eventView } from '../waits';
import { EventActions } from './actions';

/**
 * How long the engine that published (or picked up) an event holds it before another engine's
 * sweeper may take it over: past it, an event still PENDING is processed again (its engine
 * stopped). Far above the time an event takes to process.
 */
export const EVENT_LEASE_MS = 10_000;
/** Event names: what follows `conductor:` in a handler's `event` and an EVENT task's sink. */
const EVENT_NAME = /^[^\s]{1,200}$/;
/** Longest client-chosen event id. */
const MAX_ID = 200;

export interface PublishRequest {
  name: string;
  data: unknown;
  /** Makes the publish idempotent: an event with this id is stored once and acted on once. */
  id?: string;
  source: string;
}

/** An event as `GET /api/events` lists it: what it started and resumed, and every effect. */
export interface EventView {
  id: string;
  name: string;
  data: unknown;
  publishedAt: number;
  source: string;
  status: string;
  processedAt?: number;
  started: string[];
  resumed: Array<{ workflowId: string; taskId: string }>;
  effects: EventEffect[];
}

/**
 * Events (docs/events.md): stored first (a 2xx answer means stored), then acted on: the active
 * handlers of `conductor:<name>` (condition in the sandbox, then each action, exactly once:
 * actions.ts) and the WAIT_FOR_EVENT steps it matches (waits.ts). Processing is leased: the
 * engine that stored the event processes it at once, and should it stop, another engine's
 * sweeper takes the event when the lease lapses and processes it again, every effect already
 * done being recognised from its record.
 */
export class EventBus {
  private readonly actions: EventActions;

  constructor(private readonly engine: Engine) {
    this.actions = new EventActions(engine);
  }

  /** Stores an event and starts processing it; answers its id and whether it is new. */
  async publish(req: PublishRequest): Promise<{ eventId: string; created: boolean }> {
    if (!EVENT_NAME.test(req.name)) {
      throw new ValidationError('event name must be 1-200 characters without spaces', [
        { pointer: '/name', message: 'must be 1-200 characters without spaces' },
      ]);
    }
    if (req.id !== undefined && (req.id.trim() === '' || req.id.length > MAX_ID)) {
      throw new ValidationError(`event id must be 1-${MAX_ID} characters`, [{ pointer: '/id', message: `must be 1-${MAX_ID} characters` }]);
    }
    const tooBig = payloadError(req.data ?? null, '/data', this.engine.payloadLimits);
    if (tooBig) throw tooBig;
    const now = this.engine.clock.now();
    const event: EventRecord = {
      eventId: req.id ?? randomUUID(),
      name: req.name,
      data: req.data ?? null,
      publishedAt: now,
      source: req.source,
      status: EventStatus.PENDING,
      leaseUntil: now + EVENT_LEASE_MS,
      processedAt: 0,
    };
    const created = await this.engine.store.insertEvent(event);
    if (created) this.background(event);
    return { eventId: event.eventId, created };
  }

  /** Publishes a stored event's name and data again, as a new event. */
  async replay(eventId: string): Promise<{ eventId: string }> {
    const e = await this.engine.store.getEvent(eventId);
    if (!e) throw new NotFoundError(`event '${eventId}' not found`);
    const { eventId: id } = await this.publish({ name: e.name, data: e.data, source: `replay:${e.eventId}` });
    return { eventId: id };
  }

  /** Acts on an event: handlers, then waiting steps; then marks it processed. Idempotent. */
  async process(event: EventRecord): Promise<void> {
    const { store } = this.engine;
    const handlers = (await store.listEventHandlers(`conductor:${event.name}`)).filter((h) => h.active);
    const effects = new Map((await store.eventEffects([event.eventId])).map((e) => [e.key, e]));
    for (const handler of handlers) {
      if (handler.condition) {
        const key = `${handler.name}#condition`;
        let c = effects.get(key);
        if (!c) {
          const r = await holds(this.engine, handler.condition, { $: event.data, event: eventView(event) }, `event:${event.eventId}`);
          const status = !r.ok ? EffectStatus.FAILED : r.value ? EffectStatus.DONE : EffectStatus.SKIPPED;
          c = await store.putEventEffect(
            {
              eventId: event.eventId,
              key,
              kind: 'condition',
              handler: handler.name,
              action: null,
              status,
              workflowId: null,
              taskId: null,
              error: r.ok ? null : `condition failed: ${r.error}`,
              at: this.engine.clock.now(),
            },
            true,
          );
        }
        if (c.status !== EffectStatus.DONE) continue;
      }
      for (const [index, action] of handler.actions.entries()) {
        const prior = effects.get(`${handler.name}#${index}`);
        if (prior && prior.status !== EffectStatus.PENDING) continue;
        await this.actions.run({ event, handler, index, action, prior });
      }
    }
    await this.engine.reactions.waits.eventArrived(event, async (w) => {
      const t = await store.getTask(w.taskId);
      if (t) await this.recordResume(event, t);
    });
    await store.finishEvent(event.eventId, this.engine.clock.now());
  }

  /** Records that an event completed a WAIT_FOR_EVENT step (GET /api/events shows it as resumed). */
  async recordResume(event: EventRecord, t: TaskRecord): Promise<void> {
    await this.engine.store.putEventEffect(
      {
        eventId: event.eventId,
        key: `resume:${t.taskId}`,
        kind: 'resume',
        handler: null,
        action: null,
        status: EffectStatus.DONE,
        workflowId: t.workflowInstanceId,
        taskId: t.taskId,
        error: null,
        at: this.engine.clock.now(),
      },
      false,
    );
  }

  /** The sweeper: events whose engine stopped before it finished with them. */
  async sweep(now: number, batch: number): Promise<number> {
    const due = await this.engine.store.dueEvents(now, batch);
    let acted = 0;
    for (const e of due) {
      if (!(await this.engine.store.leaseEvent(e.eventId, e.leaseUntil, now + EVENT_LEASE_MS))) continue;
      acted++;
      await this.processQuietly(e);
    }
    return acted;
  }

  async list(name: string | null, limit: number): Promise<EventView[]> {
    const events = await this.engine.store.listEvents(name, limit);
    const effects = await this.engine.store.eventEffects(events.map((e) => e.eventId));
    return events.map((e) =>
      viewOf(
        e,
        effects.filter((x) => x.eventId === e.eventId),
      ),
    );
  }

  async get(eventId: string): Promise<EventView> {
    const e = await this.engine.store.getEvent(eventId);
    if (!e) throw new NotFoundError(`event '${eventId}' not found`);
    return viewOf(e, await this.engine.store.eventEffects([eventId]));
  }

  private background(event: EventRecord): void {
    void this.processQuietly(event);
  }

  private async processQuietly(event: EventRecord): Promise<void> {
    try {
      await this.process(event);
    } catch (err) {
      this.engine.log.warn(
        { err, eventId: event.eventId, event: event.name },
        'event not fully processed yet; it is processed again when its lease lapses',
      );
    }
  }
}

function viewOf(e: EventRecord, effects: EventEffect[]): EventView {
  const done = effects.filter((x) => x.status === EffectStatus.DONE);
  return {
    id: e.eventId,
    name: e.name,
    data: e.data,
    publishedAt: e.publishedAt,
    source: e.source,
    status: e.status,
    ...(e.processedAt ? { processedAt: e.processedAt } : {}),
    started: done.filter((x) => x.action === 'start_workflow' && x.workflowId).map((x) => x.workflowId as string),
    resumed: done
      .filter((x) => (x.kind === 'resume' || x.action === 'complete_task' || x.action === 'fail_task') && x.taskId && x.workflowId)
      .map((x) => ({ workflowId: x.workflowId as string, taskId: x.taskId as string })),
    effects,
  };
}
