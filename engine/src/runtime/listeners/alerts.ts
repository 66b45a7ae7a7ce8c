import type { Logger } from 'pino';
import type { ExhaustedAttempt } from '../../decider/context';
import { AlertRule, type Alert, type AlertRuleConfig } from '../../domain/listeners';
import type { JsonObject, WorkflowRecord } from '../../domain/records';
import { WorkflowStatus } from '../../domain/status';
import { ValidationError } from '../../errors';
import type { Store } from '../../store/port';
import type { Clock } from '../clock';

export const defaultAlertRules: Readonly<Record<AlertRule, AlertRuleConfig>> = Object.freeze({
  poisonTask: { rule: AlertRule.POISON_TASK, enabled: true, threshold: 1, forMinutes: 60 },
  queueDepth: { rule: AlertRule.QUEUE_DEPTH, enabled: true, threshold: 1000, forMinutes: 5 },
  runFailed: { rule: AlertRule.RUN_FAILED, enabled: true, threshold: 1, forMinutes: 60 },
});

export const alertRules: readonly AlertRule[] = Object.values(AlertRule);

/** Alerts kept after they resolve, newest first. */
const RECENT = 200;
/** Active alerts per rule: past it the oldest is resolved, so a storm of distinct keys cannot grow memory. */
const MAX_ACTIVE_PER_RULE = 1000;

/**
 * The built-in alert rules (docs/alerts.md, "Alerts"):
 *  - poisonTask: a step gave up (retries exhausted, terminal failure); active per task type until
 *    `forMinutes` pass without another;
 *  - queueDepth: a task type's claimable queue stayed above `threshold` for `forMinutes`; active until
 *    it is at or below the threshold (read from the store, so every engine sees every queue);
 *  - runFailed: a run ended FAILED or TIMED_OUT; active per workflow name until `forMinutes` pass
 *    without another.
 * poisonTask and runFailed are fed by this engine's own decisions: with several engines each
 * counts what it decided (Prometheus sums the counters). Rules are stored, so operators change
 * them at runtime (PUT /api/alerts/rules/{rule}) and every engine reloads them.
 */
export class Alerts {
  private rules = new Map<AlertRule, AlertRuleConfig>(alertRules.map((r) => [r, { ...defaultAlertRules[r] }]));
  private readonly active = new Map<string, Alert>();
  private recentList: Alert[] = [];
  /** When each task type's queue went above the threshold (queueDepth). */
  private readonly above = new Map<string, number>();
  readonly fired: Record<AlertRule, number> = { poisonTask: 0, queueDepth: 0, runFailed: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  rule(rule: AlertRule): AlertRuleConfig {
    return { ...(this.rules.get(rule) ?? defaultAlertRules[rule]) };
  }

  async loadRules(): Promise<void> {
    const rows = await this.store.listListenerConfig('alertRule');
    for (const r of rows) {
      if ((alertRules as readonly string[]).includes(r.name))
        this.rules.set(r.name as AlertRule, { ...defaultAlertRules[r.name as AlertRule], ...(r.doc as Partial<AlertRuleConfig>) });
    }
  }

  /** Validates and stores a rule change (an audit entry with it), then applies it. */
  async setRule(name: string, body: JsonObject, changedBy: string): Promise<AlertRuleConfig> {
    if (!(alertRules as readonly string[]).includes(name)) {
      throw new ValidationError(`no alert rule '${name}' (rules: ${alertRules.join(', ')})`, [
        { pointer: '/rule', message: `must be one of ${alertRules.join(', ')}` },
      ]);
    }
    const rule = name as AlertRule;
    const problems: Array<{ pointer: string; message: string }> = [];
    const known = new Set(['rule', 'enabled', 'threshold', 'forMinutes']);
    for (const k of Object.keys(body))
      if (!known.has(k))
        problems.push({ pointer: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'is not an alert rule field' });
    if (body.rule !== undefined && body.rule !== rule)
      problems.push({ pointer: '/rule', message: `must match the rule in the path ('${rule}')` });
    if (body.enabled !== undefined && typeof body.enabled !== 'boolean')
      problems.push({ pointer: '/enabled', message: 'must be true or false' });
    const int = (k: 'threshold' | 'forMinutes', min: number, max: number): void => {
      const v = body[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max))
        problems.push({ pointer: `/${k}`, message: `must be an integer from ${min} to ${max}` });
    };
    int('threshold', 0, 1_000_000_000);
    int('forMinutes', 0, 525_600);
    if (problems.length) throw new ValidationError(`alert rule '${rule}' is invalid`, problems);
    const next: AlertRuleConfig = { ...this.rule(rule), ...(body as Partial<AlertRuleConfig>), rule };
    await this.store.putListenerConfig({
      kind: 'alertRule',
      name: rule,
      doc: next as unknown as JsonObject,
      changedBy,
      updateTime: this.clock.now(),
    });
    this.rules.set(rule, next);
    this.log.info({ rule, config: next, changedBy }, 'alert rule changed');
    if (!next.enabled) for (const a of [...this.active.values()]) if (a.rule === rule) this.resolve(a, this.clock.now());
    return next;
  }

  // ---- occurrences, from this engine's committed decisions (Engine.afterCommit)

  tasksExhausted(attempts: readonly ExhaustedAttempt[], workflowId: string): void {
    if (!this.rule(AlertRule.POISON_TASK).enabled) return;
    for (const a of attempts) {
      this.occur(AlertRule.POISON_TASK, a.taskType, `tasks of type '${a.taskType}' gave up (poison tasks)`, {
        workflowId,
        taskId: a.taskId,
        reason: a.reason ?? null,
      });
    }
  }

  workflowEnded(wf: WorkflowRecord): void {
    if (wf.status !== WorkflowStatus.FAILED && wf.status !== WorkflowStatus.TIMED_OUT) return;
    if (!this.rule(AlertRule.RUN_FAILED).enabled) return;
    this.occur(AlertRule.RUN_FAILED, wf.workflowName, `runs of '${wf.workflowName}' ended ${wf.status}`, {
      workflowId: wf.workflowId,
      status: wf.status,
      reason: wf.reasonForIncompletion ?? null,
    });
  }

  /**
   * The periodic part: queue depths against the queueDepth rule, and the expiry of poisonTask and
   * runFailed alerts. Public for tests, which drive it with an injected clock.
   */
  async evaluate(): Promise<void> {
    const now = this.clock.now();
    await this.loadRules();
    for (const a of [...this.active.values()]) {
      if (a.rule !== AlertRule.QUEUE_DEPTH && now - a.lastSeenAt >= this.rule(a.rule).forMinutes * 60_000) this.resolve(a, now);
    }
    const q = this.rule(AlertRule.QUEUE_DEPTH);
    if (!q.enabled) {
      this.above.clear();
      return;
    }
    const depths = await this.store.queueDepths(now);
    for (const [taskType, depth] of Object.entries(depths)) {
      if (depth <= q.threshold) continue;
      const since = this.above.get(taskType) ?? now;
      this.above.set(taskType, since);
      if (now - since >= q.forMinutes * 60_000) {
        this.occur(AlertRule.QUEUE_DEPTH, taskType, `queue '${taskType}' has held more than ${q.threshold} tasks for ${q.forMinutes} min`, {
          depth,
          since,
        });
      }
    }
    for (const taskType of [...this.above.keys()]) {
      if ((depths[taskType] ?? 0) > q.threshold) continue;
      this.above.delete(taskType);
      const a = this.active.get(keyOf(AlertRule.QUEUE_DEPTH, taskType));
      if (a) this.resolve(a, now);
    }
  }

  list(): { active: Alert[]; recent: Alert[] } {
    return { active: [...this.active.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt), recent: [...this.recentList] };
  }

  activeCount(rule: AlertRule): number {
    let n = 0;
    for (const a of this.active.values()) if (a.rule === rule) n++;
    return n;
  }

  private occur(rule: AlertRule, key: string, message: string, detail: JsonObject): void {
    const now = this.clock.now();
    const k = keyOf(rule, key);
    const a = this.active.get(k);
    if (a) {
      a.lastSeenAt = now;
      a.occurrences++;
      a.detail = detail;
      a.message = message;
      return;
    }
    const alert: Alert = { rule, key, message, firedAt: now, lastSeenAt: now, resolvedAt: 0, occurrences: 1, detail };
    this.active.set(k, alert);
    this.fired[rule]++;
    this.log.warn({ rule, key, detail }, `alert: ${message}`);
    if (this.activeCount(rule) > MAX_ACTIVE_PER_RULE) {
      const oldest = [...this.active.values()].filter((x) => x.rule === rule).sort((x, y) => x.lastSeenAt - y.lastSeenAt)[0];
      if (oldest) this.resolve(oldest, now);
    }
  }

  private resolve(a: Alert, now: number): void {
    this.active.delete(keyOf(a.rule, a.key));
    a.resolvedAt = now;
    this.recentList = [{ ...a }, ...this.recentList].slice(0, RECENT);
    this.log.info({ rule: a.rule, key: a.key }, 'alert resolved');
  }
}

function keyOf(rule: AlertRule, key: string): string {
  return `${rule}\u0000${key}`;
}
