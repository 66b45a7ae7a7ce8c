import type { DecideOutcome, Decision } from '../../decider';
import type { ListenerDelivery } from '../../domain/listeners';
import type { WorkflowRecord } from '../../domain/records';
import type { Engine } from '../engine';
import { HttpClient } from '../system-tasks/http/http-call';
import type { DestinationPolicy } from '../system-tasks/http/destination-policy';
import { Alerts } from './alerts';
import { commitChanges } from './changes';
import { Deliverer, type DelivererHooks, type DelivererOptions } from './deliverer';
import { WebhookRegistry } from './webhooks';

export interface ListenersOptions extends DelivererOptions {
  /** How often alert rules are evaluated (queue depths, expiry). */
  alertIntervalMs: number;
  /** Where webhooks may connect (the HTTP task's policy with its own allow-list); null: webhooks cannot be sent. */
  policy: DestinationPolicy | null;
}

export const defaultListenersOptions: ListenersOptions = {
  intervalMs: 500,
  batch: 32,
  timeoutMs: 10_000,
  backoffMs: 1000,
  maxBackoffMs: 300_000,
  maxAttempts: 50,
  keepMs: 86_400_000,
  alertIntervalMs: 15_000,
  policy: null,
};

/**
 * Status listeners and alerts (docs/alerts.md): the outbox rows a commit carries (outbox/outboxOfStart,
 * called on every commit path of the engine), their delivery (deliverer.ts), the webhooks
 * (webhooks.ts) and the built-in alert rules (alerts.ts).
 */
export class Listeners {
  readonly webhooks: WebhookRegistry;
  readonly alerts: Alerts;
  private deliverer: Deliverer | null = null;
  private http: HttpClient | null = null;
  private alertTimer: NodeJS.Timeout | null = null;
  private alertRun: Promise<void> | null = null;
  options: ListenersOptions = defaultListenersOptions;
  hooks: DelivererHooks = {};
  /** A commit path asked for deliveries: nudge the deliverer once it committed. */
  private wrote = false;

  constructor(private readonly engine: Engine) {
    this.webhooks = new WebhookRegistry(engine.store, 2000);
    this.alerts = new Alerts(engine.store, engine.clock, engine.log);
  }

  configure(options: Partial<ListenersOptions>, hooks: DelivererHooks = {}): void {
    this.options = { ...this.options, ...options };
    this.hooks = hooks;
  }

  /** Starts delivering and evaluating alert rules (server.ts); tests may call deliverer.tick/alerts.evaluate instead. */
  async start(deliver = true): Promise<void> {
    const { engine } = this;
    await this.webhooks.reload(engine.clock.now());
    await this.alerts.loadRules();
    if (this.options.policy)
      this.http = new HttpClient(this.options.policy, {
        maxResponseBytes: 64 * 1024,
        maxConnectTimeoutMs: this.options.timeoutMs,
        maxReadTimeoutMs: this.options.timeoutMs,
        maxSockets: this.options.batch,
      });
    this.deliverer = new Deliverer(
      engine.store,
      engine.clock,
      engine.log,
      this.webhooks,
      engine.reactions.events,
      this.http,
      this.options,
      this.hooks,
    );
    if (deliver) this.deliverer.start();
    if (this.options.alertIntervalMs > 0 && deliver) {
      const loop = (): void => {
        this.alertTimer = setTimeout(() => {
          this.alertRun = this.alerts
            .evaluate()
            .catch((err: unknown) => engine.log.warn({ err }, 'alert evaluation failed; retrying'))
            .finally(() => {
              this.alertRun = null;
              if (this.alertTimer) loop();
            });
        }, this.options.alertIntervalMs);
        this.alertTimer.unref();
      };
      loop();
    }
  }

  async stop(): Promise<void> {
    if (this.alertTimer) clearTimeout(this.alertTimer);
    this.alertTimer = null;
    await this.alertRun;
    await this.deliverer?.stop();
    this.http?.close();
    this.http = null;
  }

  /** The deliverer, once started (tests drive it with tick()). */
  get delivery(): Deliverer | null {
    return this.deliverer;
  }

  /** The outbox rows of a decision on `wf` (fenced at wf.revision): spread into the CommitDecision. */
  outbox(wf: WorkflowRecord, decision: Pick<Decision, 'workflow' | 'steps'>): { outbox?: ListenerDelivery[] } {
    return this.rows(wf, wf.status, decision, wf.revision + 1);
  }

  /** The outbox rows of a start (revision 0; every first step is new). */
  outboxOfStart(first: WorkflowRecord, decision: Pick<Decision, 'workflow' | 'steps'>): ListenerDelivery[] | undefined {
    return this.rows({ ...first, state: { ...first.state, steps: {} } }, null, decision, 0).outbox;
  }

  /** Side effects of a committed decision: alert occurrences, and a nudge when it wrote deliveries. */
  afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    if (out.exhausted?.length) this.alerts.tasksExhausted(out.exhausted, wf.workflowId);
    if (out.decision.workflow.status) this.alerts.workflowEnded(wf);
    if (this.wrote) {
      this.wrote = false;
      this.deliverer?.nudge();
    }
  }

  private rows(
    wf: WorkflowRecord,
    previous: WorkflowRecord['status'] | null,
    decision: Pick<Decision, 'workflow' | 'steps'>,
    revision: number,
  ): { outbox?: ListenerDelivery[] } {
    // Nothing to look at for runs without listeners: the common case costs two property reads.
    if (
      !wf.definition.workflowStatusListenerEnabled &&
      !Object.values(decision.steps?.set ?? {}).some((s) => this.engine.taskDefs.get(s.taskType)?.taskStatusListenerEnabled)
    )
      return {};
    const now = this.engine.clock.now();
    const { deliveries, dropped } = commitChanges(wf, previous, decision, {
      now,
      revision,
      globalWebhooks: this.webhooks.globalNames,
      taskDef: this.engine.taskDefs.get,
    });
    if (dropped)
      this.engine.log.warn(
        { workflowId: wf.workflowId, dropped },
        'a commit made more status changes than the listener outbox takes; the rest are not delivered',
      );
    if (deliveries.length === 0) return {};
    this.wrote = true;
    return { outbox: deliveries };
  }
}
