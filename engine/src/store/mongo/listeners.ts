import type { Collection, Db } from 'mongodb';
import type { ListenerConfigChange, ListenerConfigRecord, ListenerDelivery } from '../../domain/listeners';
import type { JsonObject } from '../../domain/records';
import type { DeliverySettlement, ListenersStore } from '../listeners-port';
import type { WorkflowDoc } from './codec';
import { isDuplicateKey } from './definitions';
import { guard } from './errors';

/** An outbox row as kept in the workflow document until relayed (the fields of a new delivery). */
type OutboxEntry = Pick<ListenerDelivery, 'deliveryId' | 'workflowId' | 'seq' | 'target' | 'event' | 'body' | 'createdAt' | 'nextAt'>;

interface DeliveryDoc extends Omit<ListenerDelivery, 'deliveryId'> {
  _id: string;
}

interface ConfigDoc {
  _id: string;
  kind: string;
  name: string;
  json: string;
  changedBy: string;
  updateTime: number;
}

interface ChangeDoc {
  kind: string;
  name: string;
  changedBy: string;
  changedAt: number;
  beforeJson: string | null;
  afterJson: string | null;
}

/** The workflow-document fields of a commit's outbox: set by the same fenced update as the change. */
export interface OutboxFields {
  listenerOutbox?: OutboxEntry[];
  /** Set while the document holds outbox rows: what the relay looks for (a sparse index). */
  listenerOutboxAt?: number;
}

function entryOf(d: ListenerDelivery): OutboxEntry {
  return {
    deliveryId: d.deliveryId,
    workflowId: d.workflowId,
    seq: d.seq,
    target: d.target,
    event: d.event,
    body: d.body,
    createdAt: d.createdAt,
    nextAt: d.nextAt,
  };
}

/** createWorkflow: the outbox fields of the new workflow document. */
export function outboxFields(outbox: readonly ListenerDelivery[] | undefined, now: number): OutboxFields {
  return outbox?.length ? { listenerOutbox: outbox.map(entryOf), listenerOutboxAt: now } : {};
}

/** commitDecision: the parts of the fenced workflow update that append the outbox rows. */
export function outboxUpdate(
  outbox: readonly ListenerDelivery[] | undefined,
  now: number,
): { set: Record<string, unknown>; push?: Record<string, unknown> } {
  if (!outbox?.length) return { set: {} };
  return { set: { listenerOutboxAt: now }, push: { listenerOutbox: { $each: outbox.map(entryOf) } } };
}

function toDelivery(d: DeliveryDoc): ListenerDelivery {
  const { _id, ...rest } = d;
  return { deliveryId: _id, ...rest };
}

/**
 * The MongoDB side of store/listeners-port.ts. No multi-document transactions: a commit appends its
 * outbox rows to the workflow document in the same fenced update as the change (commit-decision.ts),
 * so they exist exactly when the change does; the relay then copies them, in seq order, into
 * `listener_deliveries` (insert by deterministic _id: a repeat is a no-op) and pulls them from the
 * workflow, by id (a row appended meanwhile stays). Leases and settlements are single-document
 * conditional updates, so several engines can share the queue.
 */
export class MongoListeners implements ListenersStore {
  private readonly deliveries: Collection<DeliveryDoc>;
  private readonly config: Collection<ConfigDoc>;
  private readonly changes: Collection<ChangeDoc>;

  constructor(
    db: Db,
    private readonly workflows: Collection<WorkflowDoc>,
  ) {
    this.deliveries = db.collection<DeliveryDoc>('listener_deliveries');
    this.config = db.collection<ConfigDoc>('listener_config');
    this.changes = db.collection<ChangeDoc>('listener_config_changes');
  }

  async init(): Promise<void> {
    await Promise.all([
      this.deliveries.createIndex({ status: 1, nextAt: 1 }, { name: 'due' }),
      this.deliveries.createIndex({ workflowId: 1, target: 1, status: 1, seq: 1 }, { name: 'order' }),
      this.deliveries.createIndex({ createdAt: -1 }, { name: 'by_time' }),
      this.workflows.createIndex({ listenerOutboxAt: 1 }, { name: 'listener_outbox', sparse: true }),
      this.changes.createIndex({ kind: 1, changedAt: -1 }, { name: 'by_kind' }),
    ]);
  }

  relayListenerOutbox(limit: number): Promise<number> {
    return guard(
      'relayListenerOutbox',
      async () => {
        const docs = (await this.workflows
          .find({ listenerOutboxAt: { $exists: true } } as object, { projection: { listenerOutbox: 1 } })
          .limit(limit)
          .toArray()) as unknown as Array<{ _id: string } & OutboxFields>;
        let moved = 0;
        for (const doc of docs) {
          const entries = [...(doc.listenerOutbox ?? [])].sort((a, b) => a.seq - b.seq);
          // One at a time, in seq order: a later change is never queued before an earlier one.
          for (const e of entries) {
            const { deliveryId, ...rest } = e;
            try {
              await this.deliveries.insertOne({
                _id: deliveryId,
                ...rest,
                status: 'PENDING',
                attempts: 0,
                leaseUntil: 0,
                lastError: null,
                deliveredAt: 0,
              });
              moved++;
            } catch (err) {
              if (!isDuplicateKey(err)) throw err;
            }
          }
          const ids = entries.map((e) => e.deliveryId);
          if (ids.length)
            await this.workflows.updateOne({ _id: doc._id }, { $pull: { listenerOutbox: { deliveryId: { $in: ids } } } } as object);
          await this.workflows.updateOne(
            { _id: doc._id, listenerOutbox: { $size: 0 } } as object,
            { $unset: { listenerOutbox: '', listenerOutboxAt: '' } } as object,
          );
          await this.workflows.updateOne(
            { _id: doc._id, listenerOutbox: { $exists: false } } as object,
            { $unset: { listenerOutboxAt: '' } } as object,
          );
        }
        return moved;
      },
      true,
    );
  }

  putListenerConfig(rec: ListenerConfigRecord): Promise<void> {
    return guard(
      'putListenerConfig',
      async () => {
        const _id = `${rec.kind}\u0000${rec.name}`;
        const json = JSON.stringify(rec.doc);
        const before = await this.config.findOneAndUpdate(
          { _id },
          { $set: { kind: rec.kind, name: rec.name, json, changedBy: rec.changedBy, updateTime: rec.updateTime } },
          { upsert: true, returnDocument: 'before' },
        );
        await this.changes.insertOne({
          kind: rec.kind,
          name: rec.name,
          changedBy: rec.changedBy,
          changedAt: rec.updateTime,
          beforeJson: before?.json ?? null,
          afterJson: json,
        });
      },
      true,
    );
  }

  listListenerConfig(kind: ListenerConfigRecord['kind']): Promise<ListenerConfigRecord[]> {
    return guard(
      'listListenerConfig',
      async () =>
        (await this.config.find({ kind }).sort({ name: 1 }).toArray()).map((d) => ({
          kind,
          name: d.name,
          doc: JSON.parse(d.json) as JsonObject,
          changedBy: d.changedBy,
          updateTime: d.updateTime,
        })),
      true,
    );
  }

  deleteListenerConfig(kind: ListenerConfigRecord['kind'], name: string, changedBy: string, now: number): Promise<boolean> {
    return guard(
      'deleteListenerConfig',
      async () => {
        const before = await this.config.findOneAndDelete({ _id: `${kind}\u0000${name}` });
        if (!before) return false;
        await this.changes.insertOne({ kind, name, changedBy, changedAt: now, beforeJson: before.json, afterJson: null });
        return true;
      },
      true,
    );
  }

  listenerConfigChanges(kind: ListenerConfigRecord['kind'], limit: number): Promise<ListenerConfigChange[]> {
    return guard(
      'listenerConfigChanges',
      async () =>
        (await this.changes.find({ kind }).sort({ changedAt: -1 }).limit(limit).toArray()).map((d) => ({
          kind,
          name: d.name,
          changedBy: d.changedBy,
          changedAt: d.changedAt,
          before: d.beforeJson === null ? null : (JSON.parse(d.beforeJson) as JsonObject),
          after: d.afterJson === null ? null : (JSON.parse(d.afterJson) as JsonObject),
        })),
      true,
    );
  }

  dueDeliveries(now: number, limit: number): Promise<ListenerDelivery[]> {
    return guard(
      'dueDeliveries',
      async () => {
        const candidates = await this.deliveries
          .find({ status: 'PENDING', nextAt: { $lte: now }, leaseUntil: { $lte: now } })
          .sort({ nextAt: 1 })
          .limit(limit * 2)
          .toArray();
        const heads: ListenerDelivery[] = [];
        const seen = new Set<string>();
        for (const d of candidates.sort((a, b) => a.seq - b.seq)) {
          const pair = `${d.workflowId}\u0000${d.target}`;
          if (seen.has(pair)) continue;
          seen.add(pair);
          // The head of its (workflow, target): nothing PENDING before it, due or not.
          const earlier = await this.deliveries.findOne(
            { workflowId: d.workflowId, target: d.target, status: 'PENDING', seq: { $lt: d.seq } },
            { projection: { _id: 1 } },
          );
          if (!earlier) heads.push(toDelivery(d));
          if (heads.length >= limit) break;
        }
        return heads;
      },
      true,
    );
  }

  leaseDelivery(deliveryId: string, now: number, leaseUntil: number): Promise<ListenerDelivery | null> {
    return guard(
      'leaseDelivery',
      async () => {
        const d = await this.deliveries.findOneAndUpdate(
          { _id: deliveryId, status: 'PENDING', leaseUntil: { $lte: now } },
          { $set: { leaseUntil } },
          { returnDocument: 'after' },
        );
        return d ? toDelivery(d) : null;
      },
      false,
    );
  }

  settleDelivery(deliveryId: string, leaseUntil: number, s: DeliverySettlement): Promise<boolean> {
    return guard(
      'settleDelivery',
      async () => {
        const res = await this.deliveries.updateOne({ _id: deliveryId, status: 'PENDING', leaseUntil }, { $set: { ...s, leaseUntil: 0 } });
        return res.matchedCount > 0;
      },
      true,
    );
  }

  listDeliveries(q: { status?: ListenerDelivery['status']; workflowId?: string; limit: number }): Promise<ListenerDelivery[]> {
    return guard(
      'listDeliveries',
      async () => {
        const filter: Record<string, unknown> = {};
        if (q.status) filter.status = q.status;
        if (q.workflowId) filter.workflowId = q.workflowId;
        return (await this.deliveries.find(filter).sort({ createdAt: -1, seq: -1 }).limit(q.limit).toArray()).map(toDelivery);
      },
      true,
    );
  }

  pendingDeliveries(): Promise<number> {
    return guard('pendingDeliveries', () => this.deliveries.countDocuments({ status: 'PENDING' }), true);
  }

  purgeDeliveries(before: number, limit: number): Promise<number> {
    return guard(
      'purgeDeliveries',
      async () => {
        const ids = (
          await this.deliveries
            .find({ status: { $ne: 'PENDING' }, deliveredAt: { $lt: before } }, { projection: { _id: 1 } })
            .limit(limit)
            .toArray()
        ).map((d) => d._id);
        if (!ids.length) return 0;
        return (await this.deliveries.deleteMany({ _id: { $in: ids }, status: { $ne: 'PENDING' } })).deletedCount;
      },
      true,
    );
  }
}
