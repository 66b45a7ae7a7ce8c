import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineHooks } from './runtime/engine';
import type { Store } from './store/port';

/** Prometheus metrics, fed by the engine's hooks (never read on a hot path). */
export function createMetrics(store: Store): { registry: Registry; hooks: EngineHooks; httpRequests: Counter<'route'> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  const scheduled = new Counter({ name: 'baton_tasks_scheduled_total', help: 'Task attempts scheduled for workers', labelNames: ['taskType'], registers: [registry] });
  const ended = new Counter({ name: 'baton_workflows_ended_total', help: 'Workflows that reached a terminal status', labelNames: ['workflowName', 'status'], registers: [registry] });
  const conflicts = new Histogram({
    name: 'baton_decision_conflicts',
    help: 'Revision conflicts before a decision committed',
    buckets: [0, 1, 2, 5, 10],
    registers: [registry],
  });
  const httpRequests = new Counter({ name: 'baton_http_requests_total', help: 'HTTP requests by route', labelNames: ['route'], registers: [registry] });
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
  return {
    registry,
    httpRequests,
    hooks: {
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
