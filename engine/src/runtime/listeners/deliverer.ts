import type { Logger } from 'pino';
import { DeliveryStatus, type ListenerDelivery } from '../../domain/listeners';
import type { JsonObject } from '../../domain/records';
import type { DeliverySettlement } from '../../store/listeners-port';
import type { Store } from '../../store/port';
import type { Clock } from '../clock';
import type { EventBus } from '../reactions/events/bus';
import type { HttpClient } from '../system-tasks/http/http-call';
import { signature, type WebhookRegistry } from './webhooks';

export interface DelivererOptions {
  /** How often the outbox is looked at without a nudge (a commit with deliveries nudges at once). */
  intervalMs: number;
  /** Deliveries sent at once (each the head of its run's sequence). */
  batch: number;
  /** Time one webhook request may take, connection and answer. */
  timeoutMs: number;
  /** First retry delay; doubled per failed attempt up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Attempts before a delivery is given up (DEAD) and the run's next change goes. */
  maxAttempts: number;
  /** Delivered and given-up rows are deleted this long after they settled. */
  keepMs: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'dead';

export interface DelivererHooks {
  onDelivery?(target: 'webhook' | 'events', outcome: DeliveryOutcome): void;
}

/**
 * Sends the listener outbox (docs/alerts.md, "Guarantees"): each due delivery that heads its
 * (workflow, target) sequence is leased (a fenced store write, so one engine sends it), sent, and
 * settled under that lease: DELIVERED, or PENDING again with a doubled delay, or DEAD after
 * maxAttempts. A crash between sending and settling leaves the lease to lapse and the delivery is
 * sent again with the same id: at least once, in order per run, deduplicated by the receiver.
 */
export class Deliverer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPurge = 0;
  /** Aborts requests in flight when the engine stops: an unanswered delivery is sent again later. */
  private readonly stopping = new AbortController();
  readonly stats = { delivered: 0, failed: 0, dead: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly webhooks: WebhookRegistry,
    private readonly events: EventBus,
    private readonly http: HttpClient | null,
    private readonly options: DelivererOptions,
    private readonly hooks: DelivererHooks = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A commit wrote deliveries: look soon (a short delay lets the commit land first). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(5);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, 'listener delivery pass failed; retrying'))
        .finally(() => {
          this.running = null;
          const more = this.again;
          this.again = false;
          this.schedule(more ? 0 : this.options.intervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** One pass: relay (MongoDB), then send what is due. Answers how many deliveries it settled. Public for tests. */
  async tick(): Promise<number> {
    if (this.store.relayListenerOutbox) await this.store.relayListenerOutbox(100);
    const now = this.clock.now();
    await this.webhooks.fresh(now);
    const due = await this.store.dueDeliveries(now, this.options.batch);
    const deliveredBefore = this.stats.delivered;
    const settled = await Promise.all(due.map((d) => this.deliver(d)));
    // A full batch, or a delivery that went through (the next change of its run is due now): go on at once.
    if (due.length === this.options.batch || this.stats.delivered > deliveredBefore) this.again = true;
    if (now - this.lastPurge > 60_000) {
      this.lastPurge = now;
      await this.store.purgeDeliveries(now - this.options.keepMs, 1000);
    }
    return settled.filter(Boolean).length;
  }

  private async deliver(d: ListenerDelivery): Promise<boolean> {
    const now = this.clock.now();
    const leaseUntil = now + this.options.timeoutMs + 5000;
    const leased = await this.store.leaseDelivery(d.deliveryId, now, leaseUntil);
    if (!leased) return false;
    const kind = leased.target === 'events' ? 'events' : 'webhook';
    let settlement: DeliverySettlement;
    let paused: string | null = null;
    try {
      paused = await this.send(leased);
      const at = this.clock.now();
      settlement = paused
        ? {
            status: DeliveryStatus.PENDING,
            attempts: leased.attempts,
            nextAt: at + this.options.maxBackoffMs,
            lastError: paused,
            deliveredAt: 0,
          }
        : { status: DeliveryStatus.DELIVERED, attempts: leased.attempts + 1, nextAt: at, lastError: null, deliveredAt: at };
    } catch (err) {
      const at = this.clock.now();
      const attempts = leased.attempts + 1;
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const gone = err instanceof GivenUp || attempts >= this.options.maxAttempts;
      const delay = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** Math.min(attempts - 1, 30));
      settlement = gone
        ? { status: DeliveryStatus.DEAD, attempts, nextAt: at, lastError: error, deliveredAt: at }
        : { status: DeliveryStatus.PENDING, attempts, nextAt: at + delay, lastError: error, deliveredAt: 0 };
      const level = gone ? 'warn' : 'debug';
      this.log[level](
        { deliveryId: leased.deliveryId, workflowId: leased.workflowId, target: leased.target, attempts, err: error },
        gone ? 'listener delivery given up' : 'listener delivery failed; will retry',
      );
    }
    const outcome: DeliveryOutcome =
      settlement.status === DeliveryStatus.DELIVERED ? 'delivered' : settlement.status === DeliveryStatus.DEAD ? 'dead' : 'failed';
    if (!paused) {
      this.stats[outcome]++;
      this.hooks.onDelivery?.(kind, outcome);
    }
    return this.store.settleDelivery(leased.deliveryId, leaseUntil, settlement);
  }

  /** Sends one delivery; throws on failure. Answers a reason when its webhook is paused (active: false). */
  private async send(d: ListenerDelivery): Promise<string | null> {
    if (d.target === 'events') {
      // The delivery id is the event's id: a repeat after a crash is stored once (docs/events.md).
      await this.events.publish({ name: d.event, data: JSON.parse(d.body) as JsonObject, id: d.deliveryId, source: 'listener' });
      return null;
    }
    const name = d.target.slice('webhook:'.length);
    const hook = this.webhooks.get(name);
    if (!hook) throw new GivenUp(`webhook '${name}' is not registered`);
    if (!hook.active) return `webhook '${name}' is inactive (paused)`;
    if (!this.http) throw new Error('webhooks are not configured in this engine');
    const timestamp = Math.floor(this.clock.now() / 1000);
    const res = await this.http.call(
      {
        uri: hook.url,
        method: 'POST',
        body: d.body,
        contentType: 'application/json',
        headers: {
          'user-agent': 'baton-webhooks',
          'x-baton-delivery': d.deliveryId,
          'x-baton-event': d.event,
          'x-baton-timestamp': String(timestamp),
          'x-baton-signature': signature(hook.secret, timestamp, d.body),
        },
        connectionTimeOut: this.options.timeoutMs,
        readTimeOut: this.options.timeoutMs,
      },
      AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs * 2), this.stopping.signal]),
    );
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`webhook '${name}' answered HTTP ${res.statusCode}`);
    return null;
  }
}

/** A failure no retry can mend (the webhook is gone). */
class GivenUp extends Error {}
