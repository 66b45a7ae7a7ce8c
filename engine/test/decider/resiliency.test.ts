import type { TaskDef } from '@baton/definitions';
import { retryDelayMs, retryPolicyOf } from '../../src/decider';
import { FAILURE_WORKFLOW_OUTPUT, failureWorkflowId, pendingFailureWorkflow } from '../../src/decider/failure-workflow';
import { decideRetry } from '../../src/decider/retry-workflow';
import { taskIdFor } from '../../src/domain/ids';
import type { TaskRecord } from '../../src/domain/records';
import type { TimeoutKind } from '../../src/domain/timeouts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

/** Ends the open attempt of `ref` as the sweeper would: TIMED_OUT by the given limit. */
function timeOut(h: DeciderHarness, ref: string, by: TimeoutKind): void {
  const t = h.open(ref);
  const done: TaskRecord = {
    ...t,
    status: 'TIMED_OUT',
    timedOutBy: by,
    reasonForIncompletion: `${by} elapsed`,
    endTime: h.now,
    applied: false,
  };
  h.tasks.set(t.taskId, done);
  h.run([done]);
}

/** Fails the open attempt of `ref` at h.now and returns the delay of the retry it scheduled. */
function failAndDelay(h: DeciderHarness, ref: string): number {
  h.report(ref, 'FAILED', {}, 'transient');
  const retry = h.open(ref);
  return retry.visibleAt - h.now;
}

const one = { name: 'one', tasks: [simple('a')] };

describe('retry delays through the decider (Conductor formulas)', () => {
  const sequence = (def: Partial<TaskDef>, failures: number): number[] => {
    const h = new DeciderHarness(one, {}, { a: { retryCount: failures, ...def } });
    return Array.from({ length: failures }, () => {
      const d = failAndDelay(h, 'a');
      h.now += d; // the next attempt runs when it becomes visible
      return d;
    });
  };

  it.each<[string, Partial<TaskDef>, number[]]>([
    ['FIXED: retryDelaySeconds every time', { retryLogic: 'FIXED', retryDelaySeconds: 3 }, [3000, 3000, 3000, 3000]],
    [
      'LINEAR_BACKOFF: delay * backoffScaleFactor * (n + 1)',
      { retryLogic: 'LINEAR_BACKOFF', retryDelaySeconds: 2, backoffScaleFactor: 3 },
      [6000, 12000, 18000, 24000],
    ],
    ['EXPONENTIAL_BACKOFF: delay * 2^n', { retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 1 }, [1000, 2000, 4000, 8000, 16000]],
    [
      'EXPONENTIAL_BACKOFF ignores backoffScaleFactor, as Conductor does',
      { retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 2, backoffScaleFactor: 5 },
      [2000, 4000, 8000],
    ],
    [
      'EXPONENTIAL_BACKOFF capped by maxRetryDelaySeconds',
      { retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 2, maxRetryDelaySeconds: 10 },
      [2000, 4000, 8000, 10000, 10000],
    ],
    [
      'LINEAR_BACKOFF capped by maxRetryDelaySeconds',
      { retryLogic: 'LINEAR_BACKOFF', retryDelaySeconds: 5, backoffScaleFactor: 1, maxRetryDelaySeconds: 12 },
      [5000, 10000, 12000],
    ],
    ['zero delay retries at once', { retryLogic: 'FIXED', retryDelaySeconds: 0 }, [0, 0]],
  ])('%s', (_name, def, expected) => {
    expect(sequence(def, expected.length)).toEqual(expected);
  });

  it('adds jitter in [0, backoffJitterMs) on top of the capped delay, deterministic per attempt', () => {
    const policy = retryPolicyOf(
      { name: 't', retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 2, maxRetryDelaySeconds: 60, backoffJitterMs: 3000 } as TaskDef,
      undefined,
    );
    for (const [n, base] of [
      [0, 2000],
      [3, 16000],
      [6, 60000],
      [9, 60000],
    ] as const) {
      const delays = Array.from({ length: 300 }, (_, i) => retryDelayMs(policy, n, `attempt-${n}-${i}`));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(base);
      expect(Math.max(...delays)).toBeLessThan(base + 3000);
      // Spread, not a constant: concurrent failures do not retry in lockstep.
      expect(new Set(delays).size).toBeGreaterThan(100);
    }
    expect(retryDelayMs(policy, 2, 'same-id')).toBe(retryDelayMs(policy, 2, 'same-id'));
  });

  it('clamps an overflowing exponential delay like Conductor (32-bit seconds)', () => {
    const policy = retryPolicyOf({ name: 't', retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 60 } as TaskDef, undefined);
    expect(retryDelayMs(policy, 200, 'x')).toBe(2_147_483_647_000);
  });

  it('gives up after retryCount retries, and the workflow task override wins over the definition', () => {
    const h = new DeciderHarness(
      { name: 'o', tasks: [simple('a', {}, { retryCount: 1 })] },
      {},
      { a: { retryCount: 5, retryDelaySeconds: 0 } },
    );
    h.report('a', 'FAILED', {}, 'one');
    h.report('a', 'FAILED', {}, 'two');
    expect(h.wf.status).toBe('FAILED');
    expect(h.summary()).toBe('a#0:FAILED, a#1:FAILED');
  });
});

describe('timeouts in the decider', () => {
  const limits = (policy: TaskDef['timeoutPolicy']): Record<string, Partial<TaskDef>> => ({
    a: { retryCount: 2, retryDelaySeconds: 1, timeoutPolicy: policy, pollTimeoutSeconds: 30, totalTimeoutSeconds: 100 },
  });

  it('stores each attempt deadline it starts at schedule time: poll from visibility, total from the first attempt', () => {
    const h = new DeciderHarness(one, {}, limits('RETRY'));
    const first = h.open('a');
    expect([first.pollDeadlineAt, first.totalDeadlineAt, first.deadlineAt, first.timeoutAt, first.timeoutPolicy]).toEqual([
      h.now + 30_000,
      h.now + 100_000,
      h.now + 100_000,
      0,
      'RETRY',
    ]);
    const start = h.now;
    h.now += 5000;
    h.report('a', 'FAILED', {}, 'x');
    const retry = h.open('a');
    expect(retry.pollDeadlineAt).toBe(retry.visibleAt + 30_000);
    expect(retry.totalDeadlineAt).toBe(start + 100_000);
  });

  it.each<[TimeoutKind, TaskDef['timeoutPolicy'], string]>([
    ['responseTimeoutSeconds', 'TIME_OUT_WF', 'retried'],
    ['responseTimeoutSeconds', 'RETRY', 'retried'],
    ['pollTimeoutSeconds', 'RETRY', 'retried'],
    ['timeoutSeconds', 'RETRY', 'retried'],
    ['pollTimeoutSeconds', 'TIME_OUT_WF', 'TIMED_OUT'],
    ['timeoutSeconds', 'TIME_OUT_WF', 'TIMED_OUT'],
    ['totalTimeoutSeconds', 'RETRY', 'TIMED_OUT'],
    ['totalTimeoutSeconds', 'TIME_OUT_WF', 'TIMED_OUT'],
  ])('%s under %s: %s', (by, policy, expected) => {
    const h = new DeciderHarness({ name: 't', tasks: [simple('a'), simple('b')] }, {}, limits(policy));
    timeOut(h, 'a', by);
    if (expected === 'retried') {
      expect(h.open('a').retryCount).toBe(1);
      expect(h.wf.status).toBe('RUNNING');
    } else {
      expect(h.last.decision.newTasks).toEqual([]);
      expect([h.wf.status, h.wf.failedReferenceTaskNames]).toEqual(['TIMED_OUT', ['a']]);
      expect(h.last.decision.exhaustedTaskIds).toEqual([h.wf.state.steps.a?.taskId]);
    }
  });

  it('ends the workflow TIMED_OUT when a step runs out of retries on timeouts (Conductor)', () => {
    const h = new DeciderHarness(one, {}, { a: { retryCount: 1, retryDelaySeconds: 0 } });
    timeOut(h, 'a', 'responseTimeoutSeconds');
    timeOut(h, 'a', 'responseTimeoutSeconds');
    expect(h.wf.status).toBe('TIMED_OUT');
  });

  it('does not retry once totalTimeoutSeconds has passed, even after a plain failure', () => {
    const h = new DeciderHarness(one, {}, { a: { retryCount: 5, retryDelaySeconds: 0, totalTimeoutSeconds: 10 } });
    h.now += 10_000;
    h.report('a', 'FAILED', {}, 'late');
    expect(h.wf.status).toBe('FAILED');
  });

  it('lets the flow go on past an optional step that timed out, whatever the policy', () => {
    const h = new DeciderHarness({ name: 't', tasks: [simple('a', {}, { optional: true }), simple('b')] }, {}, limits('TIME_OUT_WF'));
    timeOut(h, 'a', 'timeoutSeconds');
    expect(h.scheduledRefs()).toEqual(['b']);
    expect(h.wf.state.steps.a?.status).toBe('COMPLETED_WITH_ERRORS');
    expect(h.last.decision.exhaustedTaskIds).toHaveLength(1);
  });
});

describe('poison tasks', () => {
  it('marks the attempt a step gave up on: retries exhausted, or a terminal error at once', () => {
    const h = new DeciderHarness(one, {}, { a: { retryCount: 1, retryDelaySeconds: 0 } });
    h.report('a', 'FAILED', {}, 'first');
    expect(h.last.decision.exhaustedTaskIds).toEqual([]);
    const last = h.open('a');
    h.report('a', 'FAILED', {}, 'second');
    expect(h.last.decision.exhaustedTaskIds).toEqual([last.taskId]);
    expect(h.last.exhausted).toEqual([{ taskId: last.taskId, taskType: 'a', reason: 'second' }]);

    const t = new DeciderHarness(one, {}, { a: { retryCount: 5 } });
    const only = t.open('a');
    t.report('a', 'FAILED_WITH_TERMINAL_ERROR', {}, 'card declined');
    expect(t.last.decision.exhaustedTaskIds).toEqual([only.taskId]);
  });
});

describe('workflow timeout', () => {
  const def = (policy: string) => ({ name: 't', timeoutSeconds: 10, timeoutPolicy: policy, tasks: [simple('a')] });

  it('ALERT_ONLY records the moment once, keeps running, and stops waking up', () => {
    const h = new DeciderHarness(def('ALERT_ONLY'));
    expect(h.wf.wakeAt).toBe(h.wf.startTime + 10_000);
    h.now += 10_000;
    h.run([]);
    expect([h.wf.status, h.wf.timeoutAlertedAt, h.wf.wakeAt]).toEqual(['RUNNING', h.now, 0]);
    h.now += 5000;
    const again = h.run([]);
    expect(again.changed).toBe(false);
    h.complete('a');
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('TIME_OUT_WF counts from the last retry of the workflow (Conductor lastRetriedTime)', () => {
    const h = new DeciderHarness(def('TIME_OUT_WF'), {}, { a: { retryCount: 0 } });
    h.report('a', 'FAILED', {}, 'x');
    h.now += 60_000;
    const out = decideRetry(
      h.wf,
      () => undefined,
      h.now,
      (id) => h.tasks.get(id),
    )!;
    h.apply(out);
    h.run([]);
    expect([h.wf.status, h.wf.wakeAt]).toEqual(['RUNNING', h.now + 10_000]);
    h.now += 10_000;
    h.run([]);
    expect(h.wf.status).toBe('TIMED_OUT');
  });
});

describe('failureWorkflow', () => {
  const def = { name: 'order', failureWorkflow: 'compensate', tasks: [simple('a')] };

  it.each([
    ['FAILED', (h: DeciderHarness) => h.report('a', 'FAILED', {}, 'boom')],
    ['TIMED_OUT', (h: DeciderHarness) => timeOut(h, 'a', 'responseTimeoutSeconds')],
  ] as const)('on %s records the compensation id in the output and a wake-up to start it', (status, end) => {
    const h = new DeciderHarness(def, {}, { a: { retryCount: 0 } });
    const revision = h.wf.revision;
    end(h);
    expect(h.wf.status).toBe(status);
    expect(h.wf.output[FAILURE_WORKFLOW_OUTPUT]).toBe(failureWorkflowId('wf-1', revision + 1));
    expect(h.wf.wakeAt).toBe(h.now);
    expect(pendingFailureWorkflow(h.wf)).toEqual({ name: 'compensate', workflowId: failureWorkflowId('wf-1', revision + 1) });
  });

  it('is not started for a workflow that completed or has none', () => {
    const ok = new DeciderHarness(def);
    ok.complete('a');
    expect([ok.wf.output[FAILURE_WORKFLOW_OUTPUT], ok.wf.wakeAt]).toEqual([undefined, 0]);
    const none = new DeciderHarness(one, {}, { a: { retryCount: 0 } });
    none.report('a', 'FAILED');
    expect(pendingFailureWorkflow(none.wf)).toBeNull();
  });

  it('derives a different id for each failure of the same workflow, the same for the same one', () => {
    expect(failureWorkflowId('w', 3)).toBe(failureWorkflowId('w', 3));
    expect(failureWorkflowId('w', 3)).not.toBe(failureWorkflowId('w', 7));
    expect(failureWorkflowId('w', 3)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-b[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('retry of an ended workflow (decideRetry)', () => {
  it('re-opens the failed step with a new attempt and a fresh retry budget; completed steps stay done', () => {
    const h = new DeciderHarness(
      { name: 'r', tasks: [simple('a'), simple('b'), simple('c')] },
      {},
      { b: { retryCount: 1, retryDelaySeconds: 7 } },
    );
    h.complete('a', { x: 1 });
    h.report('b', 'FAILED', {}, 'one');
    h.report('b', 'FAILED', {}, 'two');
    expect(h.wf.status).toBe('FAILED');
    h.now += 1000;
    const out = decideRetry(
      h.wf,
      (n) => (n === 'b' ? ({ name: 'b', retryCount: 1, retryDelaySeconds: 7 } as TaskDef) : undefined),
      h.now,
      (id) => h.tasks.get(id),
    )!;
    expect(out.decision.newTasks.map((t) => [t.referenceTaskName, t.retryCount, t.visibleAt - h.now])).toEqual([['b', 2, 0]]);
    expect(out.decision.workflow).toMatchObject({
      status: 'RUNNING',
      reasonForIncompletion: null,
      failedReferenceTaskNames: [],
      lastRetriedTime: h.now,
      endTime: 0,
    });
    h.apply(out);
    // The budget counts from the operator's retry: one automatic retry again, with the first delay.
    expect(failAndDelay(h, 'b')).toBe(7000);
    h.complete('b');
    h.complete('c');
    expect(h.wf.status).toBe('COMPLETED');
    expect(h.summary()).toBe('a#0:COMPLETED, b#0:FAILED, b#1:FAILED, b#2:FAILED, b#3:COMPLETED, c#0:COMPLETED');
  });

  it('has nothing to re-open in a workflow whose steps all completed', () => {
    const h = new DeciderHarness(one);
    h.complete('a');
    expect(
      decideRetry(
        h.wf,
        () => undefined,
        h.now,
        (id) => h.tasks.get(id),
      ),
    ).toBeNull();
  });
});

describe('crash between a decision inserting tasks and committing it', () => {
  it('keeps a result for an attempt the same decision schedules unapplied, and folds it next time', () => {
    const h = new DeciderHarness({ name: 's', tasks: [simple('a'), simple('b')] });
    const a = h.open('a');
    // The lost decision had inserted b (deterministic id); a worker finished it before any commit.
    const doneA: TaskRecord = { ...a, status: 'COMPLETED', outputData: { x: 1 }, applied: false, endTime: h.now };
    const bId = taskIdFor('wf-1', 'b', 0, 0);
    const doneB: TaskRecord = {
      ...a,
      taskId: bId,
      refName: 'b',
      referenceTaskName: 'b',
      taskType: 'b',
      status: 'COMPLETED',
      outputData: { y: 2 },
      applied: false,
      endTime: h.now + 1,
    };
    h.tasks.set(a.taskId, doneA);
    const out = h.run([doneA, doneB]);
    expect(out.decision.newTasks.map((t) => t.taskId)).toEqual([bId]);
    expect(out.decision.appliedTaskIds).toEqual([a.taskId]);
    h.tasks.set(bId, doneB);
    h.run([doneB]);
    expect([h.wf.status, h.wf.output]).toEqual(['COMPLETED', { y: 2 }]);
  });

  it('does not swallow such a result reported alone, before the step before it is folded', () => {
    const h = new DeciderHarness({ name: 's', tasks: [simple('a'), simple('b')] }, {}, { b: { retryCount: 0 } });
    const a = h.open('a');
    const early: TaskRecord = {
      ...a,
      taskId: taskIdFor('wf-1', 'b', 0, 0),
      refName: 'b',
      referenceTaskName: 'b',
      status: 'COMPLETED',
      applied: false,
    };
    expect(h.run([early]).decision.appliedTaskIds).toEqual([]);
    // An attempt ahead of the step's latest one (a retry a lost decision scheduled) waits as well.
    const ahead: TaskRecord = { ...a, taskId: taskIdFor('wf-1', 'a', 0, 1), retryCount: 1, status: 'COMPLETED', applied: false };
    expect(h.run([ahead]).decision.appliedTaskIds).toEqual([]);
    // An older attempt's late result is dropped (applied) as before.
    const older: TaskRecord = { ...a, taskId: 'older', retryCount: 0, status: 'COMPLETED', applied: false };
    expect(h.run([older]).decision.appliedTaskIds).toEqual(['older']);
  });
});
