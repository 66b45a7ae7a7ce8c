import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { alertRules } from './runtime/listeners/alerts';
import type { DelivererHooks } from './runtime/listeners/deliverer';
import type { Engine, EngineHooks } from './runtime/engine';
import type { Store } from './store/port';

/** Prometheus metrics, fed by the engine's hooks (never read on a hot path). */
export interface Metrics {
  registry: Registry;
  hooks: EngineHooks;
  httpRequests: Counter<'route'>;
  /** Listener deliveries by target kind and outcome (docs/alerts.md). */
  listenerHooks: DelivererHooks;
  /** Exports the engine's own counters (decisions, scripts, continuations). */
  observeEngine(engine: Engine): void;
  stop(): void;
}

/** How often the event loop's lag is sampled: a timer's lateness is the loop's lag at that moment. */
const LAG_SAMPLE_MS = 20;

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const lag = new Histogram({
    name: 'baton_event_loop_lag_seconds',
    help: `Event-loop lag: how late a timer due every ${LAG_SAMPLE_MS} ms fires (a decision, a request or a script holding the loop shows here)`,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  let expected = performance.now() + LAG_SAMPLE_MS;
  const sampler = setInterval(() => {
    const now = performance.now();
    lag.observe(Math.max(0, now - expected) / 1000);
    expected = now + LAG_SAMPLE_MS;
  }, LAG_SAMPLE_MS);
  sampler.unref();
  const yielded = new Counter({
    name: 'baton_decisions_yielded_total',
    help: 'Decisions that used their budget and left work for a later decision (a large fork starting, a long loop)',
    registers: [registry],
  });
  if (store.stats) {
    const stats = store.stats.bind(store);
    new Gauge({
      name: 'baton_store_commands_total',
      help: 'Database commands sent by this engine (driver command monitoring)',
      registers: [registry],
      collect() {
        this.set(stats().commands);
      },
    });
  }
  const scheduled = new Counter({
    name: 'baton_tasks_scheduled_total',
    help: 'Task attempts scheduled for workers',
    labelNames: ['taskType'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'baton_workflows_ended_total',
    help: 'Workflows that reached a terminal status',
    labelNames: ['workflowName', 'status'],
    registers: [registry],
  });
  const conflicts = new Histogram({
    name: 'baton_decision_conflicts',
    help: 'Revision conflicts before a decision committed',
    buckets: [0, 1, 2, 5, 10],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'baton_http_requests_total',
    help: 'HTTP requests by route',
    labelNames: ['route'],
    registers: [registry],
  });
  const exhausted = new Counter({
    name: 'baton_tasks_exhausted_total',
    help: 'Steps that gave up (retries exhausted, terminal failure, total timeout): poison tasks, by task type',
    labelNames: ['taskType'],
    registers: [registry],
  });
  const timeouts = new Counter({
    name: 'baton_task_timeouts_total',
    help: 'Task attempts that hit a time limit, by task type, limit (pollTimeoutSeconds...) and timeoutPolicy (ALERT_ONLY: recorded only)',
    labelNames: ['taskType', 'timeout', 'policy'],
    registers: [registry],
  });
  const workflowTimeoutAlerts = new Counter({
    name: 'baton_workflow_timeout_alerts_total',
    help: 'ALERT_ONLY workflows that ran past their timeoutSeconds',
    labelNames: ['workflowName'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'baton_claims_throttled_total',
    help: 'Polls that claimed less than asked because of concurrentExecLimit or rateLimitPerFrequency',
    labelNames: ['taskType', 'limit'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'baton_listener_deliveries_total',
    help: 'Status-change deliveries by target (webhook, events) and outcome (delivered, failed: retried later, dead: given up)',
    labelNames: ['target', 'outcome'],
    registers: [registry],
  });
  return {
    registry,
    httpRequests,
    listenerHooks: { onDelivery: (target, outcome) => deliveries.inc({ target, outcome }) },
    stop: () => clearInterval(sampler),
    observeEngine(engine) {
      const gauge = (name: string, help: string, read: () => number): void => {
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(read());
          },
        });
      };
      gauge('baton_decisions_total', 'Decisions made by this engine', () => engine.decisionStats.decisions);
      gauge(
        'baton_decision_passes_total',
        'Passes of the decider (a decision needing payloads or script answers takes more than one)',
        () => engine.decisionStats.passes,
      );
      gauge(
        'baton_decision_payload_loads_total',
        "Store reads of earlier steps' payloads made by decisions",
        () => engine.decisionStats.payloadLoads,
      );
      gauge('baton_scripts_evaluated_total', 'User scripts evaluated on the script threads', () => engine.scriptStats?.evaluations ?? 0);
      gauge(
        'baton_scripts_killed_total',
        'Scripts stopped at the hard deadline (uninterruptible work), their thread replaced',
        () => engine.scriptStats?.killed ?? 0,
      );
      // Alerts (docs/alerts.md): one series per built-in rule, so the label set is fixed.
      new Gauge({
        name: 'baton_alerts_active',
        help: 'Alerts active now, by rule (poisonTask, queueDepth, runFailed)',
        labelNames: ['rule'],
        registers: [registry],
        collect() {
          for (const rule of alertRules) this.set({ rule }, engine.listeners.alerts.activeCount(rule));
        },
      });
      new Gauge({
        name: 'baton_alerts_fired_total',
        help: 'Alerts fired by this engine since it started, by rule',
        labelNames: ['rule'],
        registers: [registry],
        collect() {
          for (const rule of alertRules) this.set({ rule }, engine.listeners.alerts.fired[rule]);
        },
      });
      new Gauge({
        name: 'baton_listener_outbox_pending',
        help: 'Status-change deliveries waiting in the listener outbox (all engines on the store)',
        registers: [registry],
        async collect() {
          // A store hiccup keeps the last value rather than failing the whole scrape.
          try {
            this.set(await engine.store.pendingDeliveries());
          } catch {
            /* keep the last value */
          }
        },
      });
      gauge('baton_continuations_queued', 'Workflows waiting to continue work a decision left for later', () => engine.continuations.size);
    },
    hooks: {
      onDecisionYielded: () => yielded.inc(),
      onTasksScheduled: (tasks) => {
        for (const t of tasks) scheduled.inc({ taskType: t.taskType });
      },
      onWorkflowEnded: (wf) => ended.inc({ workflowName: wf.workflowName, status: wf.status }),
      onDecision: (n) => conflicts.observe(n),
      onTasksExhausted: (attempts) => {
        for (const a of attempts) exhausted.inc({ taskType: a.taskType });
      },
      onTaskTimeout: (task, kind, policy) => timeouts.inc({ taskType: task.taskType, timeout: kind, policy }),
      onWorkflowTimeoutAlert: (wf) => workflowTimeoutAlerts.inc({ workflowName: wf.workflowName }),
      onClaimsThrottled: (taskType, by) => throttled.inc({ taskType, limit: by }),
    },
  };
}
