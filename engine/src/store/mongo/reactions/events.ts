import type { EventEffect, EventHandlerRecord, EventRecord, WaitRecord } from '../../../domain/reactions';
import { isDuplicateKey, type EventDoc, type ReactionCollections, type WaitDoc } from './collections';

/**
 * Events, handlers and waits: single-document operations. An insert that must not replace relies
 * on the unique _id (a duplicate key refuses it); finishing is a conditional update; the rest are
 * reads, upserts and deletes of one document each.
 */
export const toEventDoc = (e: EventRecord): EventDoc => ({
  _id: e.eventId,
  name: e.name,
  publishedAt: e.publishedAt,
  status: e.status,
  leaseUntil: e.leaseUntil,
  processedAt: e.processedAt,
  source: e.source,
  dataJson: JSON.stringify(e.data ?? null),
});

export const eventOf = (d: EventDoc): EventRecord => ({
  eventId: d._id,
  name: d.name,
  data: JSON.parse(d.dataJson) as unknown,
  publishedAt: d.publishedAt,
  source: d.source,
  status: d.status as EventRecord['status'],
  leaseUntil: d.leaseUntil,
  processedAt: d.processedAt,
});

export async function insertEvent(c: ReactionCollections, e: EventRecord): Promise<boolean> {
  try {
    await c.events.insertOne(toEventDoc(e));
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function getEvent(c: ReactionCollections, id: string): Promise<EventRecord | null> {
  const d = await c.events.findOne({ _id: id });
  return d ? eventOf(d) : null;
}

export async function listEvents(c: ReactionCollections, name: string | null, limit: number): Promise<EventRecord[]> {
  const docs = await c.events
    .find(name === null ? {} : { name })
    .sort({ publishedAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
  return docs.map(eventOf);
}

export async function eventsSince(c: ReactionCollections, name: string, since: number, limit: number): Promise<EventRecord[]> {
  const docs = await c.events
    .find({ name, publishedAt: { $gte: since } })
    .sort({ publishedAt: 1, _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map(eventOf);
}

export async function dueEvents(c: ReactionCollections, now: number, limit: number): Promise<EventRecord[]> {
  const docs = await c.events
    .find({ status: 'PENDING', leaseUntil: { $lte: now } })
    .sort({ leaseUntil: 1 })
    .limit(limit)
    .toArray();
  return docs.map(eventOf);
}

export async function finishEvent(c: ReactionCollections, id: string, now: number): Promise<void> {
  await c.events.updateOne({ _id: id, status: 'PENDING' }, { $set: { status: 'PROCESSED', leaseUntil: 0, processedAt: now } });
}

export async function eventEffects(c: ReactionCollections, ids: readonly string[]): Promise<EventEffect[]> {
  if (ids.length === 0) return [];
  const docs = await c.effects
    .find({ eventId: { $in: [...ids] } })
    .sort({ eventId: 1, key: 1 })
    .toArray();
  return docs.map((d) => JSON.parse(d.json) as EventEffect);
}

export async function putEventHandler(c: ReactionCollections, h: EventHandlerRecord, mode: 'create' | 'update'): Promise<boolean> {
  const doc = { _id: h.name, event: h.event, json: JSON.stringify(h) };
  if (mode === 'update') return (await c.handlers.replaceOne({ _id: h.name }, doc)).matchedCount === 1;
  try {
    await c.handlers.insertOne(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function deleteEventHandler(c: ReactionCollections, name: string): Promise<boolean> {
  return (await c.handlers.deleteOne({ _id: name })).deletedCount === 1;
}

export async function listEventHandlers(c: ReactionCollections, event: string | null): Promise<EventHandlerRecord[]> {
  const docs = await c.handlers
    .find(event === null ? {} : { event })
    .sort({ _id: 1 })
    .toArray();
  return docs.map((d) => JSON.parse(d.json) as EventHandlerRecord);
}

const waitOf = (d: WaitDoc): WaitRecord => ({ taskId: d._id, workflowId: d.workflowId, kind: d.kind, name: d.name, since: d.since });

export async function putWait(c: ReactionCollections, w: WaitRecord): Promise<void> {
  await c.waits.replaceOne({ _id: w.taskId }, { workflowId: w.workflowId, kind: w.kind, name: w.name, since: w.since }, { upsert: true });
}

export async function deleteWait(c: ReactionCollections, taskId: string): Promise<void> {
  await c.waits.deleteOne({ _id: taskId });
}

export async function eventWaits(c: ReactionCollections, name: string, after: string, limit: number): Promise<WaitRecord[]> {
  const docs = await c.waits
    .find({ kind: 'event', name, _id: { $gt: after } })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map(waitOf);
}

export async function signalWaits(c: ReactionCollections, workflowId: string, name: string): Promise<WaitRecord[]> {
  const docs = await c.waits.find({ workflowId, kind: 'signal', name }).sort({ since: 1, _id: 1 }).toArray();
  return docs.map(waitOf);
}
