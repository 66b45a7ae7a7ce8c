import type { EventEffect } from '../../../domain/reactions';
import { isDuplicateKey, type ReactionCollections } from './collections';

/**
 * Records an effect of an event. Atomic: one document per (event, key). `ifAbsent` is an upsert
 * with `$setOnInsert` only, so the first intent written stays and every later caller reads it
 * back (two engines processing one event act on the same target); otherwise a replace.
 * Two concurrent upserts may collide on the unique _id; the loser reads the winner's document.
 */
export async function putEventEffect(c: ReactionCollections, effect: EventEffect, ifAbsent: boolean): Promise<EventEffect> {
  const _id = `${effect.eventId}\u0000${effect.key}`;
  const doc = { eventId: effect.eventId, key: effect.key, json: JSON.stringify(effect) };
  if (!ifAbsent) {
    await c.effects.replaceOne({ _id }, doc, { upsert: true });
    return effect;
  }
  try {
    await c.effects.updateOne({ _id }, { $setOnInsert: doc }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const stored = await c.effects.findOne({ _id });
  return stored ? (JSON.parse(stored.json) as EventEffect) : effect;
}
