import type { TaskTimeoutPolicy } from '@baton/definitions';
import type { Logger } from 'pino';
import type { TaskRecord } from '../domain/records';
import { TaskStatus } from '../domain/status';
import { TimeoutKind } from '../domain/timeouts';
import type { AttemptFence } from '../store/port';
import type { Engine } from './engine';

/**
 * The sweeper's part for task time limits. Each kind of deadline lives on the task record and
 * has its own index, so a pass reads only attempts that are due:
 *   leaseUntil     (responseTimeoutSeconds) the attempt times out and is retried, whatever the
 *                  timeoutPolicy: a lapsed lease means a lost worker, which a retry fixes;
 *   pollDeadlineAt (pollTimeoutSeconds) and deadlineAt (timeoutSeconds, totalTimeoutSeconds)
 *                  follow the attempt's timeoutPolicy: ALERT_ONLY records the alert on the task
 *                  (a log line, a metric) and lets the attempt go on; RETRY and TIME_OUT_WF time
 *                  the attempt out, and the decider then retries it or ends the workflow.
 * Every write is fenced by the state the sweeper read (status, claim token, the deadline), so a
 * report that lands first wins, and of several engines sweeping at once exactly one acts.
 */
export class DeadlineSweep {
  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {}

  async sweep(now: number, batch: number): Promise<number> {
    const { store } = this.engine;
    let acted = 0;
    // The attempt's own limits first: when one falls due with the lease, it is the one to report.
    for (const t of await store.expiredDeadlines(now, batch)) {
      const fence = { status: t.status, attemptToken: t.attemptToken, deadlineAt: t.deadlineAt };
      const total = t.totalDeadlineAt > 0 && t.totalDeadlineAt <= now;
      const kind = total ? TimeoutKind.TOTAL : TimeoutKind.ATTEMPT;
      const reason = total
        ? 'totalTimeoutSeconds elapsed: the step ran out of time across its attempts'
        : 'timeoutSeconds elapsed: the attempt ran out of time since it started';
      // After an ALERT_ONLY attempt timeout the total deadline, if any, is the next to fire.
      const next = !total && t.totalDeadlineAt > now ? t.totalDeadlineAt : 0;
      const done =
        t.timeoutPolicy === 'ALERT_ONLY'
          ? await this.alert(t, fence, kind, t.deadlineAt, { deadlineAt: next }, now)
          : await this.timeOut(t, fence, kind, t.timeoutPolicy, reason, now);
      if (done) acted++;
    }
    for (const t of await store.expiredPollDeadlines(now, batch)) {
      const fence = { status: TaskStatus.SCHEDULED, attemptToken: t.attemptToken, pollDeadlineAt: t.pollDeadlineAt };
      const done =
        t.timeoutPolicy === 'ALERT_ONLY'
          ? await this.alert(t, fence, TimeoutKind.POLL, t.pollDeadlineAt, { pollDeadlineAt: 0 }, now)
          : await this.timeOut(t, fence, TimeoutKind.POLL, t.timeoutPolicy, 'pollTimeoutSeconds elapsed: no worker claimed the task in time', now);
      if (done) acted++;
    }
    for (const t of await store.expiredLeases(now, batch)) {
      const reason = `responseTimeoutSeconds elapsed: no report or lease extension from worker ${t.workerId ?? '?'}`;
      const fence = { status: TaskStatus.IN_PROGRESS, attemptToken: t.attemptToken, leaseUntil: t.leaseUntil };
      if (await this.timeOut(t, fence, TimeoutKind.RESPONSE, 'RETRY', reason, now)) acted++;
    }
    return acted;
  }

  private async timeOut(t: TaskRecord, fence: AttemptFence, kind: TimeoutKind, policy: TaskTimeoutPolicy, reason: string, now: number): Promise<boolean> {
    const timedOut = await this.engine.store.timeOutAttempt(t.taskId, fence, reason, now, kind);
    if (!timedOut) return false;
    this.engine.hooks.onTaskTimeout?.(timedOut, kind, policy);
    this.log.info({ workflowId: t.workflowInstanceId, taskId: t.taskId, workerId: t.workerId, timeout: kind, policy }, 'task attempt timed out');
    try {
      await this.engine.advance(t.workflowInstanceId);
    } catch (err) {
      this.log.warn({ err, workflowId: t.workflowInstanceId }, 'sweeper could not decide workflow; it will retry');
    }
    return true;
  }

  private async alert(t: TaskRecord, fence: AttemptFence, kind: TimeoutKind, at: number, next: { pollDeadlineAt?: number; deadlineAt?: number }, now: number): Promise<boolean> {
    const marked = await this.engine.store.recordTimeoutAlert(t.taskId, fence, { kind, at }, next, now);
    if (!marked) return false;
    this.engine.hooks.onTaskTimeout?.(marked, kind, 'ALERT_ONLY');
    this.log.warn({ workflowId: t.workflowInstanceId, taskId: t.taskId, taskType: t.taskType, timeout: kind }, 'task attempt exceeded a time limit (ALERT_ONLY: it goes on)');
    return true;
  }
}
