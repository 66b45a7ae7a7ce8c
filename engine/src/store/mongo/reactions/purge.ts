import type { ReactionCollections } from './collections';

/**
 * Retention of processed events (with their effects), consumed signals and schedule executions
 * older than `before`. Each deletion is of single documents; an event's effects go before the
 * event, so a crash leaves an event to purge again, never effects without their event.
 */
export async function purgeReactions(c: ReactionCollections, before: number, limit: number): Promise<number> {
  const events = await c.events
    .find({ status: 'PROCESSED', publishedAt: { $lt: before } }, { projection: { _id: 1 } })
    .sort({ publishedAt: 1 })
    .limit(limit)
    .toArray();
  const ids = events.map((e) => e._id);
  if (ids.length) {
    await c.effects.deleteMany({ eventId: { $in: ids } });
    await c.events.deleteMany({ _id: { $in: ids } });
  }
  const signals = await c.signals
    .find({ consumedAt: { $gt: 0, $lt: before } }, { projection: { _id: 1 } })
    .limit(limit)
    .toArray();
  if (signals.length) await c.signals.deleteMany({ _id: { $in: signals.map((s) => s._id) } });
  const executions = await c.executions
    .find({ scheduledTime: { $lt: before } }, { projection: { _id: 1 } })
    .limit(limit)
    .toArray();
  if (executions.length) await c.executions.deleteMany({ _id: { $in: executions.map((x) => x._id) } });
  return ids.length + signals.length + executions.length;
}
