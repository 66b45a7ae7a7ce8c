import type { TaskTimeoutPolicy } from '@baton/definitions';
import type { Logger } from 'pino';
import type { TaskRecord } from '../domain/records';
import { TaskStatus } from '../domain/status';
import { TimeoutKind } from '../domain/timeouts';
import type { AttemptFence } from '../store/port';
import type { Engine } from './engine';
import { isEngineQueue } from './system-tasks/engine-queues';

/** Runs of one engine-run attempt whose engine stopped before the attempt is given up (engineRunLost). */
export const MAX_ENGINE_RUNS = 3;

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

  /** `leaseGraceMs`: how long after leaseUntil a lease lapses here (the engines' clock skew bound, sweeper.ts). */
  async sweep(now: number, batch: number, leaseGraceMs = 0): Promise<number> {
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
          : await this.timeOut(
              t,
              fence,
              TimeoutKind.POLL,
              t.timeoutPolicy,
              'pollTimeoutSeconds elapsed: no worker claimed the task in time',
              now,
            );
      if (done) acted++;
    }
    for (const t of await store.expiredLeases(now - leaseGraceMs, batch)) {
      const fence = { status: TaskStatus.IN_PROGRESS, attemptToken: t.attemptToken, leaseUntil: t.leaseUntil };
      if (isEngineQueue(t.taskType)) {
        if (await this.engineRunLost(t, fence, now)) acted++;
        continue;
      }
      const reason = `responseTimeoutSeconds elapsed: no report or lease extension from worker ${t.workerId ?? '?'}`;
      if (await this.timeOut(t, fence, TimeoutKind.RESPONSE, 'RETRY', reason, now)) acted++;
    }
    return acted;
  }

  /**
   * An engine-run attempt (HTTP, jq) whose engine stopped renewing its lease: the engine crashed
   * or lost its store. The same attempt runs again at once, whatever the retry policy (a task
   * without a definition has no retries, and the call never failed); after MAX_ENGINE_RUNS runs
   * that all ended this way it times out like a lost worker's attempt, so one input that kills
   * engines cannot keep killing them.
   */
  private async engineRunLost(t: TaskRecord, fence: AttemptFence, now: number): Promise<boolean> {
    if (t.pollCount < MAX_ENGINE_RUNS) {
      const back = await this.engine.store.requeueLapsedClaim(t, fence, now);
      if (!back) return false;
      this.log.warn(
        { workflowId: t.workflowInstanceId, taskId: t.taskId, taskType: t.taskType, workerId: t.workerId },
        'engine-run task lost its engine; it runs again',
      );
      this.engine.waiters.notify(t.taskType);
      return true;
    }
    const reason = `the engine running this ${t.taskType} attempt stopped ${t.pollCount} times before it ended (crash or restart); giving up on it`;
    return this.timeOut(t, fence, TimeoutKind.RESPONSE, 'RETRY', reason, now);
  }

  private async timeOut(
    t: TaskRecord,
    fence: AttemptFence,
    kind: TimeoutKind,
    policy: TaskTimeoutPolicy,
    reason: string,
    now: number,
  ): Promise<boolean> {
    const timedOut = await this.engine.store.timeOutAttempt(t.taskId, fence, reason, now, kind);
    if (!timedOut) return false;
    this.engine.systemTasks.cancellations.cancel(t.taskId, `the attempt timed out (${kind})`);
    this.engine.hooks.onTaskTimeout?.(timedOut, kind, policy);
    this.log.info(
      { workflowId: t.workflowInstanceId, taskId: t.taskId, workerId: t.workerId, timeout: kind, policy },
      'task attempt timed out',
    );
    try {
      await this.engine.advance(t.workflowInstanceId);
    } catch (err) {
      this.log.warn({ err, workflowId: t.workflowInstanceId }, 'sweeper could not decide workflow; it will retry');
    }
    return true;
  }

  private async alert(
    t: TaskRecord,
    fence: AttemptFence,
    kind: TimeoutKind,
    at: number,
    next: { pollDeadlineAt?: number; deadlineAt?: number },
    now: number,
  ): Promise<boolean> {
    const marked = await this.engine.store.recordTimeoutAlert(t.taskId, fence, { kind, at }, next, now);
    if (!marked) return false;
    this.engine.hooks.onTaskTimeout?.(marked, kind, 'ALERT_ONLY');
    this.log.warn(
      { workflowId: t.workflowInstanceId, taskId: t.taskId, taskType: t.taskType, timeout: kind },
      'task attempt exceeded a time limit (ALERT_ONLY: it goes on)',
    );
    return true;
  }
}
