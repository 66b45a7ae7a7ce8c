import type { ListenerConfigChange, ListenerConfigRecord, ListenerDelivery } from '../domain/listeners';

/** How a delivery attempt ended (runtime/listeners/deliverer.ts). */
export interface DeliverySettlement {
  status: ListenerDelivery['status'];
  attempts: number;
  nextAt: number;
  lastError: string | null;
  deliveredAt: number;
}

/**
 * The listeners' part of the storage port (docs/alerts.md). The outbox rows themselves are written
 * by Store.createWorkflow and Store.commitDecision, in the same commit as the status change; these
 * methods read, lease and settle them, and keep the webhooks and alert rules operators configure.
 */
export interface ListenersStore {
  /** Upserts a setting and records the change (before/after) in the audit trail, in one step where the store can. */
  putListenerConfig(rec: ListenerConfigRecord): Promise<void>;
  listListenerConfig(kind: ListenerConfigRecord['kind']): Promise<ListenerConfigRecord[]>;
  deleteListenerConfig(kind: ListenerConfigRecord['kind'], name: string, changedBy: string, now: number): Promise<boolean>;
  listenerConfigChanges(kind: ListenerConfigRecord['kind'], limit: number): Promise<ListenerConfigChange[]>;
  /**
   * Stores whose commit cannot write two collections at once (MongoDB) keep a commit's outbox rows
   * in the workflow document; this moves them to the delivery queue (idempotent). Answers how many.
   */
  relayListenerOutbox?(limit: number): Promise<number>;
  /**
   * PENDING deliveries due by `now` and not leased, each the oldest PENDING one of its (workflow,
   * target): a later change waits until the earlier one is delivered or given up (order per run).
   */
  dueDeliveries(now: number, limit: number): Promise<ListenerDelivery[]>;
  /** Leases a delivery if it is still PENDING and unleased; null when another sender has it. */
  leaseDelivery(deliveryId: string, now: number, leaseUntil: number): Promise<ListenerDelivery | null>;
  /** Records how an attempt ended, if the lease taken at `leaseUntil` is still the delivery's. */
  settleDelivery(deliveryId: string, leaseUntil: number, s: DeliverySettlement): Promise<boolean>;
  /** Newest first, optionally of one status or one workflow. */
  listDeliveries(q: { status?: ListenerDelivery['status']; workflowId?: string; limit: number }): Promise<ListenerDelivery[]>;
  pendingDeliveries(): Promise<number>;
  /** Deletes DELIVERED and DEAD deliveries settled before `before`; answers how many. */
  purgeDeliveries(before: number, limit: number): Promise<number>;
}

/** The ListenersStore methods every adapter has (relayListenerOutbox is the adapter's own). */
const listenersMethods: Record<Exclude<keyof ListenersStore, 'relayListenerOutbox'>, true> = {
  putListenerConfig: true,
  listListenerConfig: true,
  deleteListenerConfig: true,
  listenerConfigChanges: true,
  dueDeliveries: true,
  leaseDelivery: true,
  settleDelivery: true,
  listDeliveries: true,
  pendingDeliveries: true,
  purgeDeliveries: true,
};

/** Defines the ListenersStore methods on an adapter's prototype, each forwarding to `impl(this)` (as delegateReactions). */
export function delegateListeners<T extends object>(proto: T, impl: (self: T) => ListenersStore): void {
  for (const name of Object.keys(listenersMethods) as Array<keyof typeof listenersMethods>) {
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
